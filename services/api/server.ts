// The API server: the only place that creates the Fastify instance. Request ids come from an
// incoming x-request-id or are generated; graceful close on SIGINT/SIGTERM is the caller's
// choice (`bpfdiff serve` and `bpfdiff start` wire it).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { loggerOptions } from '../../workers/index.ts';
import app from './app.ts';
import type { ApiConfig } from './config.ts';
import type { ModelOracle } from './routes/programs.ts';

export async function buildServer(config: ApiConfig, model: ModelOracle): Promise<FastifyInstance> {
  const server = Fastify({
    logger: loggerOptions('bpfdiff-api'),
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { allErrors: false, coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  await server.register(app, { config, model });
  return server;
}

export async function startServer(config: ApiConfig, model: ModelOracle, listen: { host: string; port: number }): Promise<{ server: FastifyInstance; url: string }> {
  const server = await buildServer(config, model);
  const address = await server.listen({ host: listen.host, port: listen.port });
  return { server, url: address };
}
