// The bpfdiff API as one Fastify plugin: OpenAPI at /docs, auth, rate limiting on job
// submission, one error handler, the routes, and the dashboard at / when it is built.
// server.ts creates the instance around it; tests register it on their own and use inject().
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Ajv, type Options as AjvOptions } from 'ajv';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { ApiConfig } from '../../config/index.ts';
import services from './plugins/services.ts';
import auth from './plugins/auth.ts';
import { installErrorHandler } from './errors.ts';
import { installJsonBody } from './body.ts';
import { recordRoutes } from './methods.ts';
import jobs from './routes/jobs.ts';
import { programRoutes, type ModelOracle } from './routes/programs.ts';
import divergences from './routes/divergences.ts';
import reports from './routes/reports.ts';
import health from './routes/health.ts';

interface AppOptions {
  config: ApiConfig;
  /** the model's outcome for POST /programs/check */
  model: ModelOracle;
}

export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../dashboard/', import.meta.url));
const DAGRE_ESM = fileURLToPath(import.meta.resolve('@dagrejs/dagre'));

/**
 * Bodies are checked as sent (no coercion of 7 into "7", no silent removal of unknown fields);
 * query strings and path parameters arrive as text, so those are coerced to the schema's types.
 */
function installValidators(instance: FastifyInstance): void {
  // verbose: each issue carries the value given and its schema, so an error can show both
  const common: AjvOptions = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false, verbose: true };
  const strict = new Ajv({ ...common, coerceTypes: false });
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  for (const ajv of [strict, coercing]) ajv.addKeyword('example');
  instance.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}

async function app(instance: FastifyInstance, opts: AppOptions): Promise<void> {
  installErrorHandler(instance);
  installValidators(instance);
  installJsonBody(instance);
  // the body limit travels with the plugin, whatever instance it is registered on
  instance.addHook('onRoute', (route) => {
    route.bodyLimit ??= opts.config.bodyLimit;
  });
  instance.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await instance.register(swagger, {
    openapi: {
      info: { title: 'bpfdiff', description: 'Differential testing of the Linux BPF verifier and x86-64 JIT', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await instance.register(swaggerUi, { routePrefix: '/docs' });
  await instance.register(services, { config: opts.config });
  await instance.register(auth);
  // counted in Redis, so several API instances share one limit per client
  await instance.register(rateLimit, { global: false, redis: instance.redis, nameSpace: `${opts.config.storePrefix}ratelimit:` });
  const routes = recordRoutes(instance);
  await instance.register(jobs);
  await instance.register(programRoutes(opts.model));
  await instance.register(divergences);
  await instance.register(reports);
  await instance.register(health);
  routes.finish();
  const dashboard = opts.config.dashboardDir ?? DEFAULT_DASHBOARD_DIR;
  // the dashboard's call-graph layout library (@dagrejs/dagre, one self-contained ES module)
  instance.get('/vendor/dagre.esm.js', { schema: { hide: true } }, async (_req, reply) => {
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400');
    return reply.send(await readFile(DAGRE_ESM, 'utf8'));
  });
  if (existsSync(dashboard)) {
    await instance.register(fastifyStatic, { root: dashboard, prefix: '/', index: ['index.html'] });
  }
}

// fastify-plugin so the error handler and hooks apply to the instance the caller made
export default fp(app, { name: 'bpfdiff-api', fastify: '5.x' });
