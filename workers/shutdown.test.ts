// Stopping a worker (Ctrl-C on `bpfdiff start`) waits for the batches in hand, not for
// reductions: a reduction is background work that the next worker takes over, so a worker
// whose campaign is done but is reducing its findings stops within 3 s, records no
// half-done reduction, and the reduce job is still there to be done.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Store, connectRedis, divergenceId } from '../store/index.ts';
import { startTestRedis } from '../test/test-redis.ts';
import { createFakePipeline, fakeSignature } from '../test/fake-pipeline.ts';
import { startWorkers, submitJob } from './index.ts';

let redisServer: Awaited<ReturnType<typeof startTestRedis>>;
beforeAll(async () => {
  redisServer = await startTestRedis();
});
afterAll(async () => {
  await redisServer?.cleanup();
});

async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('worker shutdown', () => {
  it('with only a reduction running, close({graceMs: 10 s}) returns within 3 s and records no reduction', async () => {
    const ns = `sd${randomUUID().slice(0, 8)}-`;
    const pipeline = createFakePipeline({ reduceMs: 60_000 });
    const handle = await startWorkers(
      { redisUrl: redisServer.url, prefix: 'bull', namespace: ns, storePrefix: `${ns}bpfdiff:`, heartbeatMs: 200, reduceYieldMs: 0 },
      pipeline,
      pino({ level: 'silent' }),
    );
    // seed 0: program 0 diverges, so the campaign's one batch queues a reduce job
    const job = await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 5, seed: 0, batchSize: 5 });
    await waitFor(async () => (await handle.store.jobState(job.id)) === 'completed');
    await waitFor(() => pipeline.events.some((e) => e.startsWith('reduce')));
    const t0 = performance.now();
    await handle.close({ graceMs: 10_000 });
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(3_000);
    const reader = connectRedis(redisServer.url, 'producer');
    const store = new Store(reader, `${ns}bpfdiff:`);
    expect((await store.getDivergence(divergenceId(fakeSignature(0))))?.reduced).toBeUndefined();
    reader.disconnect();
  });

  it('a batch in hand is still waited for (within the grace) and recorded', async () => {
    const ns = `sd${randomUUID().slice(0, 8)}-`;
    const pipeline = createFakePipeline({ msPerProgram: 300 });
    const handle = await startWorkers(
      { redisUrl: redisServer.url, prefix: 'bull', namespace: ns, storePrefix: `${ns}bpfdiff:`, heartbeatMs: 200 },
      pipeline,
      pino({ level: 'silent' }),
    );
    const job = await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 5, seed: 1, batchSize: 5 });
    await waitFor(async () => (await handle.store.jobState(job.id)) === 'running');
    await new Promise((r) => setTimeout(r, 200));
    await handle.close({ graceMs: 10_000 });
    const reader = connectRedis(redisServer.url, 'producer');
    expect((await new Store(reader, `${ns}bpfdiff:`).getJob(job.id))?.counts.programs).toBe(5);
    reader.disconnect();
  });
});
