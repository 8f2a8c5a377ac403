// What each queue's jobs do. Processors are plain async functions of a BullMQ job and a
// context; every log line carries the bpfdiff job id (and batch index) through a child logger.
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { DEFAULT_GUIDED_SHARE, GUIDED_GENERATOR_ID } from '../core/guided/index.ts';
import { batchCoverage, planBatch } from './guided-batch.ts';
import { parseProgram } from '../core/program/index.ts';
import type { ReduceProgress, ReplayEntry, ReplaySummary, Store } from '../store/index.ts';
import { DEFAULT_REDUCE_YIELD_MS } from '../config/index.ts';
import type { Pipeline } from './pipeline.ts';
import type { CheckedOutcome } from '../engine/index.ts';
import {
  batchJobId,
  campaignBatchSize,
  type BatchJobData,
  type CampaignJobData,
  type CheckJobData,
  type Queues,
  type ReduceJobData,
  type ReplayJobData,
} from './queues.ts';

export interface WorkerContext {
  store: Store;
  queues: Queues;
  pipeline: Pipeline;
  log: Logger;
  /** a reduce job waits up to this long after it was queued (default DEFAULT_REDUCE_YIELD_MS)
   *  for the batch queue to drain before it starts, so reductions use guests and CPU campaigns
   *  leave idle, as the CLI reduces after its campaign; 0 starts at once */
  reduceYieldMs?: number;
  /** true once the worker is shutting down: a reduction then records nothing (its guests are
   *  going away under it) and is left to the next worker */
  closing?: () => boolean;
}

/** how often a guided batch waiting for its corpus looks again */
const GUIDED_POLL_MS = 500;

/** how often a waiting reduce job looks at the batch queue again */
const REDUCE_YIELD_POLL_MS = 1_000;

/** Campaign batches waiting or running anywhere. */
async function batchesPending(ctx: WorkerContext): Promise<number> {
  const counts = await ctx.queues.batch.getJobCounts('waiting', 'active', 'prioritized');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Splits a campaign into batch jobs; their BullMQ ids make a re-run of this job a no-op. */
export async function processCampaign(job: Job<CampaignJobData>, ctx: WorkerContext): Promise<{ batches: number } | { skipped: string }> {
  const { jobId } = job.data;
  const log = ctx.log.child({ jobId, queue: 'campaign' });
  const record = await ctx.store.getJob(jobId);
  if (!record) return { skipped: 'no such job' };
  const count = record.params.count ?? 0;
  const size = campaignBatchSize(record.params);
  const batches = Math.ceil(count / size);
  if (!(await ctx.store.startJob(jobId, batches))) {
    log.info({ state: record.state }, 'campaign not started: job already finished or cancelled');
    return { skipped: record.state };
  }
  const seed = record.params.seed ?? 1;
  await ctx.queues.batch.addBulk(
    Array.from({ length: batches }, (_, i) => {
      const start = i * size;
      const data: BatchJobData = {
        jobId,
        batchIndex: i,
        seed,
        start,
        count: Math.min(size, count - start),
        kernels: record.params.kernels,
        generator: record.params.generator ?? {},
        ...(record.params.guided ? { guidedShare: record.params.guidedShare ?? DEFAULT_GUIDED_SHARE } : {}),
      };
      return { name: 'batch', data, opts: { jobId: batchJobId(jobId, i) } };
    }),
  );
  log.info({ batches, count, seed, kernels: record.params.kernels }, 'campaign split into batches');
  return { batches };
}

/** how long a guided batch waits for the batches its corpus comes from before it fails (and is retried) */
const GUIDED_WAIT_MS = 30 * 60_000;

export async function processBatch(job: Job<BatchJobData>, ctx: WorkerContext, token?: string): Promise<{ programs: number; divergences: number; recorded: boolean } | { skipped: string }> {
  const { jobId, batchIndex, start, kernels } = job.data;
  const log = ctx.log.child({ jobId, batch: batchIndex, attempt: job.attemptsMade + 1 });
  const state = await ctx.store.jobState(jobId);
  if (state !== 'running') {
    log.info({ state }, 'batch skipped: job is not running');
    return { skipped: state ?? 'no such job' };
  }
  const plan = await planBatch(ctx.store, ctx.pipeline, job.data);
  if (!plan) {
    // a guided batch whose corpus (batches up to b-2) is not stored yet goes back to the delayed set
    if (Date.now() - job.timestamp > GUIDED_WAIT_MS) throw new Error(`guided batch ${batchIndex}: batches before ${batchIndex - 1} not recorded after ${GUIDED_WAIT_MS / 60_000} minutes`);
    await job.moveToDelayed(Date.now() + GUIDED_POLL_MS, token);
    throw new DelayedError();
  }
  const began = performance.now();
  const { programs } = plan;
  const result = await ctx.pipeline.runBatch(programs, kernels, { start, coverage: true });
  const mutated = programs.filter((p) => p.meta?.generator === GUIDED_GENERATOR_ID).length;
  await ctx.store.recordCoverage(jobId, batchIndex, batchCoverage(plan, start, result, mutated));
  delete result.coverage;
  const busyMs = performance.now() - began;
  const { recorded, newIds } = await ctx.store.recordBatch(jobId, batchIndex, { ...result, busyMs });
  for (const divergenceId of newIds) {
    await ctx.queues.reduce.add('reduce', { divergenceId } satisfies ReduceJobData, { jobId: `reduce-${divergenceId}` });
  }
  log.info(
    { programs: result.programs, agreed: result.agreed, divergences: result.divergences.length, newSignatures: newIds.length, ms: Math.round(busyMs), recorded },
    recorded ? 'batch recorded' : 'batch already recorded by an earlier attempt',
  );
  return { programs: result.programs, divergences: result.divergences.length, recorded };
}

export async function processReduce(job: Job<ReduceJobData>, ctx: WorkerContext, token?: string): Promise<{ reducedInsns?: number }> {
  const { divergenceId } = job.data;
  const divergence = await ctx.store.getDivergence(divergenceId);
  const log = ctx.log.child({ divergenceId, jobId: divergence?.firstJob, queue: 'reduce' });
  const example = divergence?.examples[0];
  if (!divergence || !example) return {};
  if (divergence.reduced) return { reducedInsns: divergence.reduced.reducedInsns };
  // Reductions use what campaigns leave idle: while batches are pending, the job goes back to
  // the delayed set (BullMQ's DelayedError pattern) rather than holding a worker slot, so a
  // shutting-down worker never waits for it; after reduceYieldMs it runs regardless.
  const waitedMs = Date.now() - job.timestamp;
  if (waitedMs < (ctx.reduceYieldMs ?? DEFAULT_REDUCE_YIELD_MS) && (await batchesPending(ctx)) > 0) {
    await job.moveToDelayed(Date.now() + REDUCE_YIELD_POLL_MS, token);
    throw new DelayedError();
  }
  // progress for the finding page, written at most once a second (and at the end of each step)
  let lastWrite = 0;
  let writing = Promise.resolve();
  const startedAt = new Date().toISOString();
  const onProgress = (p: Omit<ReduceProgress, 'startedAt' | 'at'>) => {
    if (Date.now() - lastWrite < 1000) return;
    lastWrite = Date.now();
    writing = writing.then(() => ctx.store.setReduceProgress(divergenceId, { ...p, startedAt, at: new Date().toISOString() })).catch(() => undefined);
  };
  const reduced = await ctx.pipeline.reduce({ program: example.program, kernel: example.kernel, signature: divergence.signature }, { onProgress });
  await writing;
  if (ctx.closing?.()) throw new Error('worker shut down during the reduction: left to the next worker');
  if (!reduced) {
    log.warn('reducer did not reproduce the signature; kept the example unreduced');
    return {};
  }
  await ctx.store.setReduced(divergenceId, reduced);
  log.info({ from: reduced.originalInsns, to: reduced.reducedInsns }, 'divergence reduced');
  return { reducedInsns: reduced.reducedInsns };
}

/** Runs the corpus and every stored reproducer on the job's kernels; notes what still reproduces. */
export async function processReplay(job: Job<ReplayJobData>, ctx: WorkerContext): Promise<ReplaySummary | { skipped: string }> {
  const { jobId } = job.data;
  const log = ctx.log.child({ jobId, queue: 'replay' });
  const record = await ctx.store.getJob(jobId);
  if (!record) return { skipped: 'no such job' };
  if (!(await ctx.store.startJob(jobId, 1))) return { skipped: record.state };
  const { kernels } = record.params;
  const entries: ReplayEntry[] = [];
  const began = performance.now();
  let programs = 0;
  const byClass: Record<string, number> = {};
  let vmRestarts = 0;

  if (record.params.corpus !== false) {
    const corpus = await ctx.pipeline.corpus();
    for (const kernel of kernels) {
      const result = await ctx.pipeline.runBatch(corpus.map((c) => c.program), [kernel]);
      programs += result.programs;
      vmRestarts += result.vmRestarts;
      for (const [k, v] of Object.entries(result.byClass)) byClass[k] = (byClass[k] ?? 0) + v;
      corpus.forEach((item, index) => {
        // a finding's index is its program's place in the corpus
        const shown = result.divergences.find((d) => d.index === index);
        entries.push({ source: `corpus:${item.path}`, kernel, reproduced: shown !== undefined, signature: shown?.signature, detail: shown?.detail });
      });
    }
  }

  if (record.params.reproducers !== false) {
    for (const divergence of await ctx.store.reproducers()) {
      // converted once, however many kernels it replays on
      const program = parseProgram(divergence.reduced?.program ?? divergence.examples[0].program);
      // a reproducer replays on the kernels it was seen on that this job covers; a cross-kernel
      // one is labelled `a~b` and needs both
      for (const label of divergence.kernels) {
        const needed = label.split('~');
        if (!needed.every((k) => kernels.includes(k))) continue;
        const result = await ctx.pipeline.runBatch([program], needed);
        programs += result.programs;
        vmRestarts += result.vmRestarts;
        const same = result.divergences.find((d) => d.signature === divergence.signature);
        entries.push({
          source: `divergence:${divergence.id}`,
          kernel: label,
          reproduced: same !== undefined,
          signature: result.divergences[0]?.signature,
          detail: result.divergences[0]?.detail,
        });
        await ctx.store.setLastReplay(divergence.id, { at: new Date().toISOString(), reproduced: same !== undefined, kernel: label });
      }
    }
  }

  const summary: ReplaySummary = {
    entries,
    reproduced: entries.filter((e) => e.reproduced).length,
    notReproduced: entries.filter((e) => !e.reproduced).length,
  };
  // the summary first: recording the job's only batch completes it
  await ctx.store.setReplaySummary(jobId, summary);
  // counts only; replay findings live in the summary, not as new divergence instances
  await ctx.store.recordBatch(jobId, 0, { programs, agreed: programs - summary.reproduced, byClass, busyMs: performance.now() - began, vmRestarts, divergences: [] });
  log.info({ reproduced: summary.reproduced, notReproduced: summary.notReproduced, programs }, 'replay finished');
  return summary;
}

export async function processCheck(job: Job<CheckJobData>, ctx: WorkerContext): Promise<Record<string, CheckedOutcome>> {
  return ctx.pipeline.kernelOutcomes(parseProgram(job.data.program), job.data.kernels);
}
