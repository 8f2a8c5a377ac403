// The REST API on a real Redis with a worker running the fake pipeline, for the API's unit
// tests: one place that builds the configuration, the worker and the app, and closes them.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { ApiConfig } from '../config/index.ts';
import type { Outcome, Program } from '../core/program/index.ts';
import { apiPlugin } from '../services/api/index.ts';
import { startWorkers, type WorkerHandle } from '../workers/index.ts';
import { createFakePipeline } from './fake-pipeline.ts';
import { startTestRedis } from './test-redis.ts';

export interface ApiHarness {
  app: FastifyInstance;
  worker: WorkerHandle;
  config: ApiConfig;
  /** `Authorization: Bearer <the token>` */
  auth: { authorization: string };
  close(): Promise<void>;
}

/** The fake model: accepts, and returns the first instruction's immediate. */
export const fakeModelOutcome = (program: Program, kernel: string): Outcome => ({ verdict: 'accept', errno: 0, message: '', retval: program.insns[0].imm, kernel: `model:linux-${kernel}` });

export async function startApiHarness(overrides: Partial<ApiConfig> = {}, model = fakeModelOutcome): Promise<ApiHarness> {
  const redis = await startTestRedis();
  const ns = `api${randomUUID().slice(0, 8)}-`;
  const config: ApiConfig = {
    redisUrl: redis.url,
    storePrefix: `${ns}bpfdiff:`,
    bullPrefix: 'bull',
    namespace: ns,
    apiToken: 'test-token-1234',
    readsOpen: true,
    bodyLimit: 64 * 1024,
    jobsPerMinute: 5,
    checkTimeoutMs: 5_000,
    dashboardDir: '/nonexistent',
    ...overrides,
  };
  const worker = await startWorkers({ redisUrl: redis.url, prefix: 'bull', namespace: ns, storePrefix: config.storePrefix, heartbeatMs: 200 }, createFakePipeline(), pino({ level: 'silent' }));
  const app = Fastify({ logger: false });
  await app.register(apiPlugin, { config, model });
  await app.ready();
  return {
    app,
    worker,
    config,
    auth: { authorization: `Bearer ${config.apiToken}` },
    async close() {
      await app.close();
      await worker.close();
      await redis.cleanup();
    },
  };
}
