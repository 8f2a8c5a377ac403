// The BullMQ queues, what their jobs carry, and the producer side the API and CLI use to submit
// and cancel work. A bpfdiff job (in the store) is one campaign/replay/nightly BullMQ job plus,
// for campaigns, one BullMQ job per batch; BullMQ job ids are derived from the bpfdiff id so a
// re-run campaign job cannot enqueue its batches twice.
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BaseLogger } from 'pino';

/** Queues only report errors; any pino-compatible logger (Fastify's too) will do. */
type ErrorLogger = Pick<BaseLogger, 'error'>;
import type { ProgramJson } from '../core/program/index.ts';
import type { JobParams, JobRecord, Store } from '../store/index.ts';
import { QUEUE_KINDS, type NightlySettings, type QueueKind } from '../config/index.ts';

const DEFAULT_BATCH_SIZE = 50;

export interface CampaignJobData { jobId: string }
export interface BatchJobData {
  jobId: string;
  batchIndex: number;
  seed: number;
  start: number;
  count: number;
  kernels: string[];
  generator: Record<string, unknown>;
  /** guided campaigns: share of the batch made by mutating the campaign corpus (absent or 0: unguided) */
  guidedShare?: number;
}
export interface ReduceJobData { divergenceId: string }
export interface ReplayJobData { jobId: string }
export interface CheckJobData { program: ProgramJson; kernels: string[] }
export type NightlyJobData = NightlySettings;

interface QueueNaming {
  /** BullMQ key prefix (never ioredis keyPrefix) */
  prefix: string;
  /** prepended to every queue name; tests use a unique one each */
  namespace: string;
}

export function queueName(naming: QueueNaming, kind: QueueKind): string {
  return `${naming.namespace}${kind}`;
}

/** Retries with exponential backoff; finished jobs kept a while for inspection and dedup. */
const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export type Queues = Record<QueueKind, Queue>;

export function createQueues(connection: Redis, naming: QueueNaming, log: ErrorLogger): Queues {
  const queues = {} as Queues;
  for (const kind of QUEUE_KINDS) {
    const queue = new Queue(queueName(naming, kind), { connection, prefix: naming.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    queue.on('error', (err) => log.error({ err, queue: kind }, 'queue error'));
    queues[kind] = queue;
  }
  return queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}

export function campaignBatchSize(params: JobParams): number {
  return params.batchSize ?? DEFAULT_BATCH_SIZE;
}

/** Creates the store record, then the BullMQ job that does the work. */
export async function submitJob(store: Store, queues: Queues, params: JobParams): Promise<JobRecord> {
  const record = await store.createJob(params);
  if (params.kind === 'campaign') {
    await queues.campaign.add('campaign', { jobId: record.id } satisfies CampaignJobData, { jobId: `campaign-${record.id}` });
  } else if (params.kind === 'replay') {
    await queues.replay.add('replay', { jobId: record.id } satisfies ReplayJobData, { jobId: `replay-${record.id}` });
  } else {
    throw new Error(`jobs of kind ${params.kind} are started by the nightly scheduler`);
  }
  return record;
}

/** Marks the job cancelled and drops its waiting BullMQ jobs; a running batch finishes and is skipped. */
export async function cancelJob(store: Store, queues: Queues, id: string): Promise<JobRecord | undefined> {
  const state = await store.cancelJob(id);
  if (state === undefined) return undefined;
  if (state === 'cancelled') {
    const record = await store.getJob(id);
    const pending: Array<[Queue, string]> = [[queues.campaign, `campaign-${id}`], [queues.replay, `replay-${id}`]];
    for (let i = 0; i < (record?.counts.batchesTotal ?? 0); i++) pending.push([queues.batch, batchJobId(id, i)]);
    await Promise.all(
      pending.map(async ([queue, jobId]) => {
        const job = await queue.getJob(jobId);
        // an active job holds a lock and cannot be removed; its processor sees the cancel and skips
        if (job && ((await job.isWaiting()) || (await job.isDelayed()))) await job.remove().catch(() => undefined);
      }),
    );
  }
  return store.getJob(id);
}

export function batchJobId(jobId: string, batchIndex: number): string {
  return `${jobId}-b${batchIndex}`;
}

/** Counts of every queue, for /metrics and /health. */
export async function queueDepths(queues: Queues): Promise<Record<QueueKind, Record<string, number>>> {
  const out = {} as Record<QueueKind, Record<string, number>>;
  await Promise.all(
    QUEUE_KINDS.map(async (kind) => {
      out[kind] = await queues[kind].getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    }),
  );
  return out;
}

/** QueueEvents blocks on its connection: give it one of its own (worker role). */
export function createQueueEvents(connection: Redis, naming: QueueNaming, kind: QueueKind, log: ErrorLogger): QueueEvents {
  const events = new QueueEvents(queueName(naming, kind), { connection, prefix: naming.prefix });
  events.on('error', (err) => log.error({ err, queue: kind }, 'queue events error'));
  return events;
}
