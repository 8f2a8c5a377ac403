// The API server: the only place that creates the Fastify instance. Request ids come from an
// incoming x-request-id or are generated; graceful close on SIGINT/SIGTERM is the caller's
// choice (`bpfdiff serve` and `bpfdiff start` wire it).
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from '../../config/index.ts';
import app from './app.ts';
import type { ApiConfig } from '../../config/index.ts';
import { errorBody } from './errors.ts';
import type { ModelOracle } from './routes/programs.ts';

/**
 * Errors Node's HTTP parser finds before Fastify sees a request (headers past 16 KiB: 431, a
 * malformed request line: 400) get the same JSON error body as every other error.
 */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) return;
  const [status, field, problem] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers', 'larger than the 16 KiB the server reads; send fewer or shorter headers']
      : [400, 'request', `not a valid HTTP request (${err.code ?? err.message})`];
  const body = JSON.stringify(errorBody(status, `${field}: ${problem}`, field));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

export async function buildServer(config: ApiConfig, model: ModelOracle, logger: Logger = createLogger('bpfdiff-api')): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    clientErrorHandler,
  });
  await server.register(app, { config, model });
  return server;
}

export async function startServer(
  config: ApiConfig,
  model: ModelOracle,
  listen: { host: string; port: number },
  logger?: Logger,
): Promise<{ server: FastifyInstance; url: string }> {
  const server = await buildServer(config, model, logger);
  const address = await server.listen({ host: listen.host, port: listen.port });
  return { server, url: address };
}
