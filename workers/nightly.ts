// The nightly regression run: a BullMQ job scheduler starts it (cron, default 02:00); it
// replays every stored reproducer and the corpus, runs a campaign on each configured kernel,
// waits for them, and writes a report that sorts signatures into new, seen again and no
// longer reproduced (candidate fixes).
import type { Job, Queue } from 'bullmq';
import type { JobRecord, NightlyReport } from '../store/index.ts';
import type { WorkerContext } from './processors.ts';
import { submitJob, type NightlyJobData } from './queues.ts';
import { DEFAULT_GUIDED_SHARE } from '../core/guided/index.ts';

export const NIGHTLY_SCHEDULER_ID = 'bpfdiff-nightly';
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Idempotent: a redeploy with the same or a new cron replaces the one schedule. */
export async function scheduleNightly(queue: Queue, data: NightlyJobData): Promise<void> {
  await queue.upsertJobScheduler(NIGHTLY_SCHEDULER_ID, { pattern: data.cron }, { name: 'nightly', data, opts: { attempts: 1 } });
}

/** Starts a nightly run now, outside the schedule (the same job the scheduler makes). */
export async function triggerNightly(queue: Queue, data: NightlyJobData): Promise<string> {
  const job = await queue.add('nightly', data, { attempts: 1 });
  return job.id ?? '';
}

/** One campaign seed per night, so a night's run can be repeated exactly. */
function nightlySeed(date: string): number {
  return Number(date.replaceAll('-', ''));
}

async function waitForJobs(ctx: WorkerContext, ids: string[], pollMs: number): Promise<JobRecord[]> {
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => ctx.store.getJob(id)));
    if (jobs.every((j) => j && TERMINAL.has(j.state))) return jobs as JobRecord[];
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function processNightly(job: Job<NightlyJobData>, ctx: WorkerContext, pollMs = 1_000): Promise<NightlyReport> {
  const { kernels, count, cron, batchSize } = job.data;
  const guidedShare = job.data.guidedShare ?? DEFAULT_GUIDED_SHARE;
  const guidance = guidedShare > 0 ? { guided: true, guidedShare } : { guided: false };
  const startedAt = new Date();
  const date = startedAt.toISOString().slice(0, 10);
  const log = ctx.log.child({ nightly: date, queue: 'nightly' });
  const record = await ctx.store.createJob({ kind: 'nightly', kernels, count, nightly: date });
  await ctx.store.startJob(record.id, 1 + kernels.length);

  // the replay goes first, so it judges the reproducers known before tonight and not the
  // signatures tonight's campaigns are recording meanwhile
  const replay = await submitJob(ctx.store, ctx.queues, { kind: 'replay', kernels, corpus: true, reproducers: true, nightly: date });
  log.info({ jobId: record.id, replay: replay.id }, 'nightly replay started');
  const [replayDone] = await waitForJobs(ctx, [replay.id], pollMs);
  const campaigns = await Promise.all(
    kernels.map((kernel) => submitJob(ctx.store, ctx.queues, { kind: 'campaign', kernels: [kernel], count, seed: nightlySeed(date), batchSize, nightly: date, ...guidance })),
  );
  log.info({ jobId: record.id, campaigns: campaigns.map((c) => c.id) }, 'nightly campaigns started');
  const campaignsDone = await waitForJobs(ctx, campaigns.map((c) => c.id), pollMs);
  const campaignIds = new Set(campaigns.map((c) => c.id));
  const newSignatures = new Set<string>();
  const seenAgain = new Set<string>();
  for (const campaign of campaignsDone) {
    for (const id of campaign.divergenceIds ?? []) {
      const divergence = await ctx.store.getDivergence(id);
      if (divergence && campaignIds.has(divergence.firstJob)) newSignatures.add(id);
      else seenAgain.add(id);
    }
  }
  const notReproduced = new Set<string>();
  for (const entry of replayDone.replay?.entries ?? []) {
    if (!entry.source.startsWith('divergence:')) continue;
    const id = entry.source.slice('divergence:'.length);
    if (entry.reproduced) seenAgain.add(id);
    else notReproduced.add(id);
  }
  // a reproducer that failed on replay but the campaign still hit is not a fix
  for (const id of seenAgain) notReproduced.delete(id);

  const finishedAt = new Date();
  const programs = campaignsDone.reduce((n, c) => n + c.counts.programs, 0);
  const report: NightlyReport = {
    date,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    cron,
    kernels,
    jobs: [replay.id, ...campaigns.map((c) => c.id)],
    newSignatures: [...newSignatures].sort(),
    seenAgain: [...seenAgain].sort(),
    notReproduced: [...notReproduced].sort(),
    programs,
    programsPerSecond: programs / Math.max(0.001, (finishedAt.getTime() - startedAt.getTime()) / 1000),
    divergences: campaignsDone.reduce((n, c) => n + c.counts.divergences, 0),
    coverage: campaignsDone.flatMap((c) => (c.coverage ? [{ kernel: c.params.kernels.join(','), jobId: c.id, ...c.coverage }] : [])),
  };
  await ctx.store.saveNightlyReport(report);
  const failed = [replayDone, ...campaignsDone].filter((j) => j.state !== 'completed');
  await ctx.store.finishJob(record.id, failed.length === 0 ? 'completed' : 'failed', failed.length ? { error: `jobs not completed: ${failed.map((j) => `${j.id} ${j.state}`).join(', ')}` } : {});
  log.info({ jobId: record.id, new: report.newSignatures.length, seenAgain: report.seenAgain.length, notReproduced: report.notReproduced.length, programs }, 'nightly report written');
  return report;
}
