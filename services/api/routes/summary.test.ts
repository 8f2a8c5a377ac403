// GET /divergences/summary through app.inject against a real Redis: counts by class and
// status, the kernels, one row per signature without its programs, and a status change seen.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programToJson, type Outcome } from '../../../core/program/index.ts';
import { Store, connectRedis, divergenceId, type Finding } from '../../../store/index.ts';
import { startTestRedis } from '../../../test/test-redis.ts';
import { fakeProgram } from '../../../test/fake-pipeline.ts';
import { apiPlugin } from '../index.ts';
import type { ApiConfig } from '../../../config/index.ts';

let redisServer: Awaited<ReturnType<typeof startTestRedis>>;
let redis: Redis;
let app: FastifyInstance;

const reject = (message: string, kernel: string): Outcome => ({ verdict: 'reject', errno: 22, message, kernel });
const accept = (retval: number, kernel: string): Outcome => ({ verdict: 'accept', errno: 0, message: '', retval, kernel });
function instance(signature: string, cls: Finding['class'], kernel: string, model: Outcome, actual: Outcome): Finding {
  return { signature, class: cls, kernel, index: 0, profile: `linux-${kernel}`, detail: `${cls} on ${kernel}`, program: programToJson(fakeProgram(1)), model, actual };
}

beforeAll(async () => {
  redisServer = await startTestRedis();
  const ns = `summary${randomUUID().slice(0, 8)}-`;
  const config: ApiConfig = {
    redisUrl: redisServer.url,
    storePrefix: `${ns}bpfdiff:`,
    bullPrefix: 'bull',
    namespace: ns,
    apiToken: 'summary-token',
    readsOpen: true,
    bodyLimit: 64 * 1024,
    jobsPerMinute: 5,
    checkTimeoutMs: 5_000,
    dashboardDir: '/nonexistent',
  };
  redis = connectRedis(redisServer.url, 'producer');
  const store = new Store(redis, config.storePrefix);
  await store.ensureSchema();
  const job = await store.createJob({ kind: 'campaign', kernels: ['7.2', '7.3'] });
  await store.startJob(job.id, 1);
  await store.recordBatch(job.id, 0, {
    programs: 3, agreed: 0, byClass: { 'verdict-model-accept': 2, retval: 1 }, busyMs: 1, vmRestarts: 0,
    divergences: [
      instance('verdict-model-accept|RN is invalid|-', 'verdict-model-accept', '7.2', accept(1, 'model:linux-7.2'), reject('R11 is invalid', '7.2.13')),
      instance('verdict-model-accept|RN is invalid|-', 'verdict-model-accept', '7.3', accept(1, 'model:linux-7.3'), reject('R11 is invalid', '7.3.1')),
      instance('retval||-', 'retval', '7.3', accept(1, 'model:linux-7.3'), accept(2, '7.3.1')),
    ],
  });
  app = Fastify({ logger: false });
  await app.register(apiPlugin, { config, model: () => accept(0, 'model') });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await redisServer?.cleanup();
});

describe('GET /divergences/summary', () => {
  it('counts signatures by class and status and lists each with its kernels, without programs', async () => {
    const res = await app.inject('/divergences/summary');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.byClass).toEqual({ 'verdict-model-accept': 1, retval: 1 });
    expect(body.byStatus).toEqual({ new: 2 });
    expect(body.kernels).toEqual(['7.2', '7.3']);
    expect(body.items[0]).toMatchObject({ id: divergenceId('verdict-model-accept|RN is invalid|-'), count: 2, kernels: ['7.2', '7.3'], status: 'new' });
    expect(body.items[0].examples).toBeUndefined();
  });

  it('reflects a triage status change, and is not mistaken for a divergence id', async () => {
    const id = divergenceId('retval||-');
    const patched = await app.inject({ method: 'PATCH', url: `/divergences/${id}`, headers: { authorization: 'Bearer summary-token' }, payload: { status: 'model-bug' } });
    expect(patched.statusCode).toBe(200);
    expect((await app.inject('/divergences/summary')).json().byStatus).toEqual({ new: 1, 'model-bug': 1 });
    expect((await app.inject('/docs/json')).json().paths['/divergences/summary']).toBeDefined();
  });
});
