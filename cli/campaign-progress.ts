// The campaign's live progress line under `bpfdiff start` on a terminal: programs done of the
// total, programs per second, agreed, divergences by class, and the time left, read from the
// job record in the store once a second (so it shows what every worker did, not only ours).
import type { JobRecord, Store } from '../store/index.ts';
import type { StatusLine } from './status-line.ts';
import { formatCoverage } from '../core/guided/index.ts';

const n = (x: number) => x.toLocaleString('en-US');

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line: `campaign 1a2b3c4d  120/1,000 programs  6.5/s  agreed 118  divergences 2 (reason 2)  rules 150/363 (41%)  reason lines 12  ETA 2m15s`. */
export function formatProgress(job: JobRecord, perSecond: number | undefined): string {
  const total = job.params.count ?? 0;
  const { programs, agreed, byClass } = job.counts;
  const divergences = Object.values(byClass).reduce((a, b) => a + b, 0);
  const classes = Object.entries(byClass)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, c]) => `${k} ${n(c)}`)
    .join(', ');
  const parts = [`campaign ${job.id.slice(0, 8)}`, `${n(programs)}/${n(total)} programs`];
  if (perSecond !== undefined) parts.push(`${perSecond.toFixed(1)}/s`);
  parts.push(`agreed ${n(agreed)}`, `divergences ${n(divergences)}${classes ? ` (${classes})` : ''}`);
  if (job.coverage) parts.push(formatCoverage(job.coverage));
  if (job.state === 'queued' || (job.state === 'running' && programs === 0)) parts.push('starting (guests boot)');
  else if (job.state === 'running') parts.push(perSecond && perSecond > 0 ? `ETA ${duration((total - programs) / perSecond)}` : 'ETA -');
  else {
    const took = job.startedAt && job.finishedAt ? ` in ${duration((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000)}` : '';
    parts.push(`${job.state}${took}`);
  }
  return parts.join('  ');
}

/** Redraws `line` every `everyMs` until the job ends (its last state stays) or stop() is called. */
export function watchCampaign(store: Store, jobId: string, line: StatusLine, everyMs = 1000): () => void {
  const samples: Array<{ at: number; programs: number }> = [];
  let stopped = false;
  const tick = async () => {
    const job = await store.getJob(jobId).catch(() => undefined);
    if (!job || stopped) return;
    const now = Date.now();
    samples.push({ at: now, programs: job.counts.programs });
    while (samples.length > 2 && now - samples[0].at > 15_000) samples.shift();
    const first = samples[0];
    const rate = samples.length > 1 && job.counts.programs > 0 ? (job.counts.programs - first.programs) / ((now - first.at) / 1000) : undefined;
    line.set(formatProgress(job, rate));
    if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') {
      stop();
      line.clear(true);
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  void tick();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
