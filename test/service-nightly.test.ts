// The nightly regression run, triggered by hand on a real 7.2 kernel, with two planted
// reproducers: one that still diverges (the 7-argument program against a model profile
// deliberately set to 6.12's, which has no stack arguments) and one that no longer does (a
// program model and kernel agree on, stored under a made-up signature: a bug since fixed).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { programToJson, type Program } from '../core/program/index.ts';
import { divergenceId, type Finding } from '../store/index.ts';
import { startTestRedis } from './test-redis.ts';
import { startWorkers, triggerNightly, type WorkerHandle } from '../workers/index.ts';
import { Engine } from '../engine/index.ts';
import type { Pipeline } from '../workers/index.ts';
import { returnProgram, sevenArgs } from './kernel-programs.ts';

let redisServer: Awaited<ReturnType<typeof startTestRedis>>;
let worker: WorkerHandle;
let pipeline: Pipeline;

beforeAll(async () => {
  redisServer = await startTestRedis();
  const ns = `nightly${randomUUID().slice(0, 8)}-`;
  // the planted divergence: this pipeline predicts kernel 7.2 with the 6.12 profile
  pipeline = new Engine({ poolSize: 2, profiles: { '7.2': 'linux-6.12' } });
  worker = await startWorkers(
    { redisUrl: redisServer.url, prefix: 'bull', namespace: ns, storePrefix: `${ns}bpfdiff:`, nightlyPollMs: 250 },
    pipeline,
    pino({ level: process.env.LOG_LEVEL ?? 'warn' }),
  );
});

afterAll(async () => {
  // a reduction started after the campaign may still run: give it a moment, then leave it
  await worker?.close({ graceMs: 5_000 });
  await redisServer?.cleanup();
});

async function plant(program: Program, signature: string | undefined): Promise<string> {
  const found = await pipeline.runBatch([program], ['7.2']);
  const real = found.divergences[0];
  const instance: Finding = real ?? {
    signature: signature!,
    class: 'retval',
    kernel: '7.2',
    profile: 'linux-7.2',
    index: 0,
    detail: 'planted: a retval divergence since fixed',
    program: programToJson(program),
    model: { verdict: 'accept', errno: 0, message: '', retval: 1, kernel: 'model:linux-7.2' },
    actual: { verdict: 'accept', errno: 0, message: '', retval: 2, kernel: '7.2-planted' },
  };
  const job = await worker.store.createJob({ kind: 'campaign', kernels: ['7.2'] });
  await worker.store.startJob(job.id, 1);
  await worker.store.recordBatch(job.id, 0, { programs: 1, agreed: 0, byClass: { [instance.class]: 1 }, busyMs: 1, vmRestarts: 0, divergences: [instance] });
  return divergenceId(instance.signature);
}

describe('nightly regression run (real 7.2 kernel)', () => {
  it('classifies a still-diverging reproducer as seen again and a fixed one as not reproduced', async () => {
    const stillDiverging = await plant(sevenArgs(), undefined);
    expect((await worker.store.getDivergence(stillDiverging))?.class).toBe('verdict-model-reject');
    // `r0 = 5; exit`: the kernel accepts with 5 and the 6.12 profile agrees, so nothing diverges
    const fixed = await plant(returnProgram(5), 'retval:planted-fixed-bug');
    expect((await pipeline.runBatch([returnProgram(5)], ['7.2'])).divergences).toEqual([]);

    await triggerNightly(worker.queues.nightly, { kernels: ['7.2'], count: 40, cron: '0 2 * * *', batchSize: 20 });
    const date = new Date().toISOString().slice(0, 10);
    const deadline = Date.now() + 500_000;
    while (!(await worker.store.getNightlyReport(date)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const report = await worker.store.getNightlyReport(date);
    process.stderr.write(`nightly report: ${JSON.stringify({ ...report, newSignatures: report?.newSignatures.length })}\n`);
    expect(report).toBeDefined();
    expect(report!.notReproduced).toEqual([fixed]);
    expect(report!.seenAgain).toContain(stillDiverging);
    expect(report!.newSignatures).not.toContain(stillDiverging);
    expect(report!.programs).toBe(40);
    expect(report!.programsPerSecond).toBeGreaterThan(0);
    expect((await worker.store.getDivergence(fixed))?.lastReplay?.reproduced).toBe(false);
    expect((await worker.store.getDivergence(stillDiverging))?.lastReplay?.reproduced).toBe(true);
  });
});
