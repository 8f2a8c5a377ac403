// Queue mechanics against a real Redis with the fake pipeline at the boundary: splitting,
// retries without double counting, cancellation, reduce jobs, and the nightly report.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { MODEL_RULES } from '../core/model/coverage.ts';
import { Store, divergenceId, type JobRecord } from '../store/index.ts';
import { startTestRedis } from '../test/test-redis.ts';
import { createFakePipeline, fakeCampaignTotals, fakeProgram, fakeSignature } from '../test/fake-pipeline.ts';
import { programToJson } from '../core/program/index.ts';
import { startWorkers, submitJob, cancelJob, triggerNightly, type WorkerHandle } from './index.ts';

const log = pino({ level: 'silent' });
let redisServer: Awaited<ReturnType<typeof startTestRedis>>;
const handles: WorkerHandle[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  redisServer = await startTestRedis();
});
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
  for (const c of clients.splice(0)) c.disconnect();
});
afterAll(async () => {
  await redisServer?.cleanup();
});

/** Unique queue names and store prefix per test, as BullMQ's own tests do. */
async function worker(pipeline = createFakePipeline(), extra: Partial<Parameters<typeof startWorkers>[0]> = {}) {
  const ns = extra.namespace ?? `t${randomUUID().slice(0, 8)}-`;
  const handle = await startWorkers(
    { redisUrl: redisServer.url, prefix: 'bull', namespace: ns, storePrefix: `${ns}bpfdiff:`, heartbeatMs: 200, nightlyPollMs: 50, ...extra },
    pipeline,
    log,
  );
  handles.push(handle);
  return { handle, pipeline, ns };
}

async function until(store: Store, id: string, states: string[], timeoutMs = 20_000): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await store.getJob(id);
    if (job && states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job?.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('workers', () => {
  it('runs a campaign to completion in batches with the totals of its seed', async () => {
    const { handle } = await worker();
    const job = await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 95, seed: 3, batchSize: 10 });
    const done = await until(handle.store, job.id, ['completed', 'failed']);
    const expected = fakeCampaignTotals(3, 95);
    expect(done.state).toBe('completed');
    expect(done.counts).toMatchObject({ batchesTotal: 10, batchesDone: 10, programs: 95, divergences: expected.divergences, newSignatures: expected.signatures });
    expect(done.counts.agreed).toBe(95 - expected.divergences);
  });

  it('retries a failed batch with backoff and counts it once', async () => {
    const pipeline = createFakePipeline({ failOnceAtStart: [20] });
    const { handle } = await worker(pipeline);
    const job = await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 40, seed: 1, batchSize: 10 });
    const done = await until(handle.store, job.id, ['completed', 'failed']);
    expect(done.state).toBe('completed');
    expect(done.counts.programs).toBe(40);
    expect(done.counts.divergences).toBe(fakeCampaignTotals(1, 40).divergences);
  });

  it('reduces each new signature once', async () => {
    const { handle } = await worker();
    const job = await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 30, seed: 0, batchSize: 10 });
    const done = await until(handle.store, job.id, ['completed']);
    const id = divergenceId(fakeSignature(0));
    const deadline = Date.now() + 10_000;
    while (!(await handle.store.getDivergence(id))?.reduced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const record = await handle.store.getDivergence(id);
    expect(done.divergenceIds).toContain(id);
    expect(record?.reduced?.reducedInsns).toBe(2);
    expect(record?.count).toBeGreaterThan(1);
  });

  it('starts reductions only once the campaign batches have drained', async () => {
    const pipeline = createFakePipeline({ msPerProgram: 15 });
    const { handle } = await worker(pipeline);
    // seed 0: program 0 diverges, so a reduce job is queued after the first batch of eight
    const job = await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 80, seed: 0, batchSize: 10 });
    await until(handle.store, job.id, ['completed']);
    const deadline = Date.now() + 10_000;
    while (!pipeline.events.some((e) => e.startsWith('reduce')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const firstReduce = pipeline.events.findIndex((e) => e.startsWith('reduce'));
    const lastBatch = pipeline.events.findLastIndex((e) => e.startsWith('batch'));
    expect(pipeline.events.filter((e) => e.startsWith('batch'))).toHaveLength(8);
    expect(firstReduce).toBeGreaterThan(lastBatch);
  });

  it('a reduce job with reduceYieldMs 0 does not wait for the batches', async () => {
    const pipeline = createFakePipeline({ msPerProgram: 15 });
    const { handle } = await worker(pipeline, { reduceYieldMs: 0 });
    const job = await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 80, seed: 0, batchSize: 10 });
    await until(handle.store, job.id, ['completed']);
    const firstReduce = pipeline.events.findIndex((e) => e.startsWith('reduce'));
    const lastBatch = pipeline.events.findLastIndex((e) => e.startsWith('batch'));
    expect(firstReduce).toBeGreaterThanOrEqual(0);
    expect(firstReduce).toBeLessThan(lastBatch);
  });

  it('closes without waiting for a reduce job that is waiting for the batches', async () => {
    const pipeline = createFakePipeline({ msPerProgram: 40 });
    const { handle } = await worker(pipeline);
    // 30 batches of 10 at 40 ms a program: about 6 s of batches with two in flight
    await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 300, seed: 0, batchSize: 10 });
    const deadline = Date.now() + 10_000;
    while ((await handle.queues.reduce.getJobCounts('delayed', 'waiting', 'active')).delayed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect((await handle.queues.reduce.getJobCounts('delayed')).delayed).toBeGreaterThan(0);
    const began = Date.now();
    await handle.close();
    // close waits for the two batches in hand (about 0.4 s each), not for the reduction's 30 min
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(pipeline.events.some((e) => e.startsWith('reduce'))).toBe(false);
  });

  it('cancels a queued campaign: no batch runs', async () => {
    const { handle, pipeline } = await worker(createFakePipeline(), { queues: ['batch'] });
    const job = await submitJob(handle.store, handle.queues, { kind: 'campaign', kernels: ['7.2'], count: 100, seed: 1 });
    const cancelled = await cancelJob(handle.store, handle.queues, job.id);
    expect(cancelled?.state).toBe('cancelled');
    expect(await handle.queues.campaign.getJob(`campaign-${job.id}`)).toBeUndefined();
    expect(pipeline.batchesRun).toBe(0);
  });

  it('fails the job when a batch runs out of retries', async () => {
    const pipeline = createFakePipeline();
    pipeline.runBatch = async () => {
      throw new Error('kernel image missing');
    };
    const { handle } = await worker(pipeline);
    const job = await handle.store.createJob({ kind: 'campaign', kernels: ['7.2'], count: 5 });
    await handle.store.startJob(job.id, 1);
    await handle.queues.batch.add('batch', { jobId: job.id, batchIndex: 0, seed: 1, start: 0, count: 5, kernels: ['7.2'], generator: {} }, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    const failed = await until(handle.store, job.id, ['failed', 'completed']);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('kernel image missing');
  });

  it('a nightly run triggered by hand classifies planted reproducers', async () => {
    // 14 diverges now; 5 was recorded once but no longer diverges: a candidate fix
    const pipeline = createFakePipeline({ stillDiverging: (n) => n === 14 });
    const { handle } = await worker(pipeline);
    const planted = await handle.store.createJob({ kind: 'campaign', kernels: ['7.2'] });
    await handle.store.startJob(planted.id, 1);
    const plant = (n: number) => ({
      signature: fakeSignature(n) + `:planted-${n}`,
      class: 'retval' as const,
      kernel: '7.2',
      index: n,
      profile: 'linux-7.2',
      detail: 'planted',
      program: programToJson(fakeProgram(n)),
      model: { verdict: 'accept' as const, errno: 0, message: '', kernel: 'model:linux-7.2' },
      actual: { verdict: 'accept' as const, errno: 0, message: '', kernel: '7.2.0-fake' },
    });
    await handle.store.recordBatch(planted.id, 0, { programs: 2, agreed: 0, byClass: {}, busyMs: 1, vmRestarts: 0, divergences: [plant(14), plant(5)] });
    // the fake's replay signature is fakeSignature(n); make the planted 14 match it
    await handle.store.redis.hset(`${handle.store.prefix}div:${divergenceId(plant(14).signature)}`, 'signature', fakeSignature(14));

    await triggerNightly(handle.queues.nightly, { kernels: ['7.2'], count: 20, cron: '0 2 * * *', batchSize: 10 });
    const date = new Date().toISOString().slice(0, 10);
    const deadline = Date.now() + 20_000;
    while (!(await handle.store.getNightlyReport(date)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const report = await handle.store.getNightlyReport(date);
    expect(report?.notReproduced).toEqual([divergenceId(plant(5).signature)]);
    expect(report?.seenAgain).toContain(divergenceId(plant(14).signature));
    expect(report?.programs).toBe(20);
    expect(report?.programsPerSecond).toBeGreaterThan(0);
    expect(report?.newSignatures.length).toBe(fakeCampaignTotals(Number(date.replaceAll('-', '')), 20).signatures);
    // the nightly campaign is guided by default, and the report keeps its coverage per kernel
    const campaignId = report!.jobs[1]!;
    expect((await handle.store.getJob(campaignId))?.params).toMatchObject({ guided: true, guidedShare: 0.3 });
    expect(report?.coverage?.map((c) => [c.kernel, c.jobId, c.rulesTotal])).toEqual([['7.2', campaignId, MODEL_RULES.length]]);
  });

  it('declares the nightly schedule idempotently and closes cleanly', async () => {
    const nightly = { cron: '0 2 * * *', kernels: ['7.2'], count: 10 };
    const { handle, ns, pipeline } = await worker(createFakePipeline(), { nightly });
    const second = await worker(createFakePipeline(), { namespace: ns, nightly: { ...nightly, cron: '30 3 * * *' } });
    const schedulers = await handle.queues.nightly.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0].pattern).toBe('30 3 * * *');
    expect((await handle.store.liveWorkers()).map((w) => w.id).sort()).toEqual([handle.id, second.handle.id].sort());
    await handle.close();
    expect(pipeline.closed).toBe(true);
    expect((await second.handle.store.liveWorkers()).map((w) => w.id)).toEqual([second.handle.id]);
  });
});
