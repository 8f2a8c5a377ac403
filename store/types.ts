// The records bpfdiff keeps in Redis: jobs with their counts, divergences deduplicated by
// signature, nightly reports. Plain data, so the API can hand them out as JSON unchanged.
import type { Outcome, ProgramJson } from '../core/program/index.ts';

export const JOB_KINDS = ['campaign', 'replay', 'nightly'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TRIAGE_STATUSES = ['new', 'confirmed-kernel-bug', 'model-bug', 'fixed', 'wontfix'] as const;
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

/** What a user asked for; the generator options go to core/gen unchanged. */
export interface JobParams {
  kind: JobKind;
  kernels: string[];
  /** campaign: how many programs */
  count?: number;
  seed?: number;
  /** campaign: programs per batch job (the unit of retry and of distribution) */
  batchSize?: number;
  generator?: Record<string, unknown>;
  /** replay: also run every program file under corpus/ */
  corpus?: boolean;
  /** replay: also run every stored reduced reproducer */
  reproducers?: boolean;
  /** set on jobs a nightly run started */
  nightly?: string;
}

export interface JobCounts {
  batchesTotal: number;
  batchesDone: number;
  programs: number;
  agreed: number;
  divergences: number;
  /** signatures this job saw first */
  newSignatures: number;
  byClass: Record<string, number>;
  /** summed wall time of the job's batches, for throughput */
  busyMs: number;
}

export interface ReplayEntry {
  /** `corpus:<path>` or `divergence:<id>` */
  source: string;
  kernel: string;
  /** the expected signature (stored reproducers) or expectation (corpus) still shows */
  reproduced: boolean;
  /** signature seen now, if any divergence showed */
  signature?: string;
  detail?: string;
}

export interface ReplaySummary {
  entries: ReplayEntry[];
  reproduced: number;
  notReproduced: number;
}

export interface JobRecord {
  id: string;
  kind: JobKind;
  params: JobParams;
  state: JobState;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  counts: JobCounts;
  replay?: ReplaySummary;
  /** divergence ids this job recorded */
  divergenceIds?: string[];
}

/** One divergence instance as the differ reports it, ready to record. */
export interface DivergenceInstance {
  signature: string;
  class: string;
  kernel: string;
  profile: string;
  mutation?: string;
  detail: string;
  program: ProgramJson;
  model: Outcome;
  actual: Outcome;
}

export interface DivergenceExample {
  jobId: string;
  kernel: string;
  program: ProgramJson;
  model: Outcome;
  actual: Outcome;
}

export interface ReducedReproducer {
  program: ProgramJson;
  kernel: string;
  originalInsns: number;
  reducedInsns: number;
  model?: Outcome;
  actual?: Outcome;
}

export interface TriageNote {
  author: string;
  text: string;
  at: string;
}

export interface LastReplay {
  at: string;
  reproduced: boolean;
  kernel: string;
}

export interface DivergenceRecord {
  id: string;
  signature: string;
  class: string;
  profile: string;
  mutation?: string;
  detail: string;
  firstSeen: string;
  lastSeen: string;
  firstJob: string;
  lastJob: string;
  count: number;
  status: TriageStatus;
  kernels: string[];
  examples: DivergenceExample[];
  reduced?: ReducedReproducer;
  notes: TriageNote[];
  lastReplay?: LastReplay;
}

/** What one batch contributes; recorded once per (job, batch) however often it runs. */
export interface BatchRecord {
  programs: number;
  agreed: number;
  byClass: Record<string, number>;
  busyMs: number;
  vmRestarts: number;
  divergences: DivergenceInstance[];
}

export interface NightlyReport {
  date: string;
  startedAt: string;
  finishedAt: string;
  cron: string;
  kernels: string[];
  jobs: string[];
  /** signatures first seen during this run */
  newSignatures: string[];
  /** known signatures that showed again (in the campaign or by replay) */
  seenAgain: string[];
  /** stored reproducers that no longer reproduce: candidate fixes */
  notReproduced: string[];
  programs: number;
  programsPerSecond: number;
  divergences: number;
}
