// One campaign path: `bpfdiff fuzz` (the engine's campaign in one process) and the service
// (POST-equivalent job → BullMQ campaign and batch jobs → a worker → Redis) give the same counts
// and the same signatures with the same counts for the same seed. Once with a fake kernel
// boundary (the model under 6.12's profile playing kernels 7.2 and 7.3, so most programs diverge
// and a campaign needs no guest), once on the real 7.2 kernel.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelRunner } from '../core/diff/index.ts';
import { Engine, type CampaignResult } from '../engine/index.ts';
import { Store, connectRedis, type JobRecord } from '../store/index.ts';
import { startWorkers, submitJob } from '../workers/index.ts';
import { pollJob } from './service-helpers.ts';
import { startTestRedis } from './test-redis.ts';

let redisServer: Awaited<ReturnType<typeof startTestRedis>>;
beforeAll(async () => {
  redisServer = await startTestRedis();
});
afterAll(async () => {
  await redisServer?.cleanup();
});

interface Tally {
  programs: number;
  agreed: number;
  byClass: Record<string, number>;
  /** signature → instances */
  signatures: Record<string, number>;
}

const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

function cliTally(r: CampaignResult): Tally {
  return {
    programs: r.total.programs,
    agreed: r.total.agreed,
    byClass: nonZero(r.total.byClass),
    signatures: Object.fromEntries(r.signatures.map((s) => [s.signature, s.count])),
  };
}

async function serviceTally(engine: Engine, params: { kernels: string[]; count: number; seed: number; batchSize: number }): Promise<Tally> {
  const ns = `paths${randomUUID().slice(0, 8)}-`;
  // campaign and batch queues only: reductions would add nothing to the counts
  const worker = await startWorkers({ redisUrl: redisServer.url, prefix: 'bull', namespace: ns, storePrefix: `${ns}bpfdiff:`, queues: ['campaign', 'batch'] }, engine, pino({ level: 'warn' }));
  const redis = connectRedis(redisServer.url, 'producer');
  try {
    const store = new Store(redis, `${ns}bpfdiff:`);
    const job = await submitJob(worker.store, worker.queues, { kind: 'campaign', ...params });
    const done: JobRecord = await pollJob(async () => (await store.getJob(job.id))!, 540_000);
    expect(done.state).toBe('completed');
    const signatures: Record<string, number> = {};
    for (const id of done.divergenceIds ?? []) {
      const d = (await store.getDivergence(id))!;
      signatures[d.signature] = d.count;
    }
    return { programs: done.counts.programs, agreed: done.counts.agreed, byClass: nonZero(done.counts.byClass), signatures };
  } finally {
    redis.disconnect();
    await worker.close();
  }
}

describe('the CLI campaign and the service campaign', () => {
  it('give the same counts and signatures with a fake kernel boundary (120 programs, 2 kernels)', async () => {
    const fakeKernels = () => new Engine({ runner: modelRunner(() => 'linux-6.12') });
    const params = { kernels: ['7.2', '7.3'], count: 120, seed: 7 };
    const cli = cliTally(await fakeKernels().runCampaign({ ...params, batch: 40, gen: {} }));
    const service = await serviceTally(fakeKernels(), { ...params, batchSize: 25 });
    expect(cli.programs).toBe(120);
    expect(Object.keys(cli.signatures).length, 'the fake kernels make divergences of several kinds').toBeGreaterThan(3);
    expect(service).toEqual(cli);
  });

  it('give the same counts and signatures on the real 7.2 kernel (60 programs of seed 18, a kernel crash among them)', async () => {
    const params = { kernels: ['7.2'], count: 60, seed: 18 };
    const cliEngine = new Engine({ poolSize: 2 });
    let cli: Tally;
    try {
      cli = cliTally(await cliEngine.runCampaign({ ...params, batch: 100, gen: {} }));
    } finally {
      await cliEngine.close();
    }
    const service = await serviceTally(new Engine({ poolSize: 2 }), { ...params, batchSize: 20 });
    expect(cli.programs).toBe(60);
    expect(cli.byClass['kernel-crash'], 'program 14 of seed 18 crashes 7.2.13').toBeGreaterThan(0);
    expect(service).toEqual(cli);
  });
});
