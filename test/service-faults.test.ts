// Fault tolerance on real kernels: a worker process killed mid-campaign (another finishes it,
// and the totals equal an uninterrupted run of the same seed), and Redis killed and restarted
// mid-campaign (AOF: the campaign completes and nothing stored before is lost).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { ResultPromise } from 'execa';
import type { Redis } from 'ioredis';
import { Store, connectRedis, type JobParams, type JobRecord } from '../store/index.ts';
import { startTestRedis } from './test-redis.ts';
import { closeQueues, createQueues, startWorkers, submitJob, type Queues, type WorkerHandle } from '../workers/index.ts';
import { Engine } from '../engine/index.ts';
import { killWorker, pollJob, spawnWorker } from './service-helpers.ts';
import { MUTATION_KINDS } from '../core/gen/index.ts';

// Without the mutation that oopses 7.2.13 (corpus/regressions): each of its programs reboots a
// guest and gets a reduce job full of reboots, which these tests of Redis and worker faults
// would only wait for.
const generator = { mutations: MUTATION_KINDS.filter((k) => k !== 'missing-store-after-unreliable') };

const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
let redisServer: Awaited<ReturnType<typeof startTestRedis>>;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redisServer = await startTestRedis();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(async () => {
  await redisServer?.cleanup();
});

function producer(ns: string): { store: Store; queues: Queues; redis: Redis } {
  const redis = connectRedis(redisServer.url, 'worker');
  const store = new Store(redis, `${ns}bpfdiff:`);
  const queues = createQueues(redis, { prefix: 'bull', namespace: ns }, log);
  cleanups.push(async () => {
    await closeQueues(queues);
    redis.disconnect();
  });
  return { store, queues, redis };
}

/** What must not depend on who ran which batch. */
function totals(job: JobRecord) {
  const { programs, agreed, divergences, byClass, batchesDone } = job.counts;
  return { state: job.state, programs, agreed, divergences, byClass, batchesDone, divergenceIds: job.divergenceIds };
}

describe('fault tolerance (real 7.2 kernel)', () => {
  it('a killed worker process: another worker finishes the campaign with the same totals as an uninterrupted run', async () => {
    const ns = `kill${randomUUID().slice(0, 8)}-`;
    const { store, queues } = producer(ns);
    await store.ensureSchema();
    const env = {
      REDIS_URL: redisServer.url,
      BPFDIFF_QUEUE_NAMESPACE: ns,
      BPFDIFF_STORE_PREFIX: `${ns}bpfdiff:`,
      BPFDIFF_BULL_PREFIX: 'bull',
      BPFDIFF_POOL_SIZE: '1',
      // a dead worker's batch is taken over once its lock expires
      BPFDIFF_LOCK_MS: '8000',
      BPFDIFF_STALLED_MS: '4000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
    const params: JobParams = { kind: 'campaign', kernels: ['7.2'], count: 160, seed: 9, batchSize: 20, generator };

    const first: ResultPromise = spawnWorker(env);
    cleanups.push(() => killWorker(first));
    const interrupted = await submitJob(store, queues, params);
    // kill it while it holds a batch, after it has recorded some
    await pollJob(async () => (await store.getJob(interrupted.id))!, 300_000, (j) => j.counts.batchesDone >= 2);
    const deadline = Date.now() + 60_000;
    while ((await queues.batch.getActiveCount()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const second = spawnWorker(env);
    cleanups.push(() => killWorker(second));
    await killWorker(first);
    const doneBefore = (await store.getJob(interrupted.id))!.counts.batchesDone;
    expect(doneBefore).toBeLessThan(8);

    const finished = await pollJob(async () => (await store.getJob(interrupted.id))!, 400_000);
    expect(finished.state).toBe('completed');
    expect(finished.counts.programs).toBe(160);

    const again = await submitJob(store, queues, params);
    const uninterrupted = await pollJob(async () => (await store.getJob(again.id))!, 400_000);
    process.stderr.write(`kill test: interrupted ${JSON.stringify(totals(finished))}\nkill test: uninterrupted ${JSON.stringify(totals(uninterrupted))}\n`);
    expect(totals(finished)).toEqual(totals(uninterrupted));
  });

  it('Redis killed and restarted mid-campaign: the campaign completes and nothing stored before is lost', async () => {
    const ns = `aof${randomUUID().slice(0, 8)}-`;
    const worker: WorkerHandle = await startWorkers(
      { redisUrl: redisServer.url, prefix: 'bull', namespace: ns, storePrefix: `${ns}bpfdiff:`, lockDurationMs: 10_000, stalledIntervalMs: 5_000 },
      new Engine({ poolSize: 2 }),
      log,
    );
    cleanups.push(() => worker.close({ graceMs: 5_000 }));
    const { store } = producer(ns);
    const job = await submitJob(worker.store, worker.queues, { kind: 'campaign', kernels: ['7.2'], count: 200, seed: 5, batchSize: 20, generator });
    const before = await pollJob(async () => (await store.getJob(job.id))!, 300_000, (j) => j.counts.batchesDone >= 2);
    const divergencesBefore = await store.listDivergences({ limit: 500 });

    await redisServer.restart();

    const after = await pollJob(async () => (await store.getJob(job.id))!, 400_000);
    expect(after.state).toBe('completed');
    expect(after.counts.programs).toBe(200);
    expect(after.counts.batchesDone).toBe(10);
    expect(after.createdAt).toBe(before.createdAt);
    expect(after.counts.divergences).toBeGreaterThanOrEqual(before.counts.divergences);
    for (const d of divergencesBefore.items) {
      const now = await store.getDivergence(d.id);
      expect(now?.count).toBeGreaterThanOrEqual(d.count);
      expect(now?.firstSeen).toBe(d.firstSeen);
    }
    process.stderr.write(`redis restart test: before ${before.counts.batchesDone} batches, after ${JSON.stringify(totals(after))}\n`);
  });
});
