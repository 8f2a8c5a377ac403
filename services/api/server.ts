// The API server: the only place that creates the Fastify instance. Request ids come from an
// incoming x-request-id or are generated; graceful close on SIGINT/SIGTERM is the caller's
// choice (`bpfdiff serve` and `bpfdiff start` wire it).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from '../../workers/index.ts';
import app from './app.ts';
import type { ApiConfig } from './config.ts';
import type { ModelOracle } from './routes/programs.ts';

export async function buildServer(config: ApiConfig, model: ModelOracle, logger: Logger = createLogger('bpfdiff-api')): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
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
