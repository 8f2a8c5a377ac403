// A worker process: BullMQ workers for the queues it serves, one pipeline (and so one VM pool
// per kernel) shared by them, a heartbeat in the store for /health, and a clean close.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Worker, type Job, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Store, connectRedis } from '../store/index.ts';
import type { Pipeline } from './pipeline.ts';
import { processBatch, processCampaign, processCheck, processReduce, processReplay, type WorkerContext } from './processors.ts';
import { processNightly, scheduleNightly } from './nightly.ts';
import { QUEUE_KINDS, type QueueKind, type WorkerConfig } from '../config/index.ts';
import { closeQueues, createQueues, queueName, type BatchJobData, type Queues } from './queues.ts';

export interface WorkerHandle {
  id: string;
  store: Store;
  queues: Queues;
  workers: Map<QueueKind, Worker>;
  /** stops taking jobs, lets the jobs in hand finish for up to `graceMs` (default: as long as
   *  they take), then leaves any still running to be taken over as stalled (their recording is
   *  idempotent), and closes the pool and the connections */
  close(opts?: { graceMs?: number }): Promise<void>;
}

// two batches in flight per worker: the model works on one while the guests run the other
const DEFAULT_CONCURRENCY: Record<QueueKind, number> = { campaign: 4, batch: 2, reduce: 1, replay: 1, check: 8, nightly: 1 };

export async function startWorkers(config: WorkerConfig, pipeline: Pipeline, log: Logger): Promise<WorkerHandle> {
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const wlog = log.child({ worker: id });
  const connections: Redis[] = [];
  const connect = () => {
    const c = connectRedis(config.redisUrl, 'worker');
    c.on('error', (err) => wlog.warn({ err: err.message }, 'redis connection error'));
    connections.push(c);
    return c;
  };
  const store = new Store(connect(), config.storePrefix);
  await store.ensureSchema();
  const queues = createQueues(connect(), config, wlog);
  const ctx: WorkerContext = { store, queues, pipeline, log: wlog, reduceYieldMs: config.reduceYieldMs, closing: () => closing !== undefined };
  const serve = config.queues ?? [...QUEUE_KINDS];

  // jobs this process is running, so close() knows when the jobs in hand are done; `held`
  // leaves out reductions: background work that a shutdown does not wait for (the next worker
  // takes the job over as stalled and reduces again; a closing worker records no reduction)
  let running = 0;
  let held = 0;
  const counted =
    (p: Processor, kind: QueueKind): Processor =>
    async (job, token) => {
      const background = kind === 'reduce';
      running++;
      if (!background) held++;
      try {
        return await p(job, token);
      } finally {
        running--;
        if (!background) held--;
      }
    };
  const processors: Record<QueueKind, Processor> = {
    campaign: (job) => processCampaign(job, ctx),
    batch: (job, token) => processBatch(job, ctx, token),
    reduce: (job, token) => processReduce(job, ctx, token),
    replay: (job) => processReplay(job, ctx),
    check: (job) => processCheck(job, ctx),
    nightly: (job) => processNightly(job, ctx, config.nightlyPollMs),
  };

  const workers = new Map<QueueKind, Worker>();
  for (const kind of serve) {
    const worker = new Worker(queueName(config, kind), counted(processors[kind], kind), {
      connection: connect(),
      prefix: config.prefix,
      concurrency: config.concurrency?.[kind] ?? DEFAULT_CONCURRENCY[kind],
      lockDuration: config.lockDurationMs ?? 30_000,
      stalledInterval: config.stalledIntervalMs ?? 30_000,
      // a batch taken over from a dead worker may stall again if that kernel kills guests
      maxStalledCount: 3,
    });
    worker.on('error', (err) => wlog.error({ err, queue: kind }, 'worker error'));
    worker.on('failed', (job: Job | undefined, err) => void onFailed(kind, job, err));
    worker.on('stalled', (jobId) => wlog.warn({ queue: kind, bullJob: jobId }, 'job stalled; it will be retried'));
    workers.set(kind, worker);
  }

  /** A job out of retries fails its bpfdiff job, so users see `failed` rather than a hang. */
  async function onFailed(kind: QueueKind, job: Job | undefined, err: Error): Promise<void> {
    const data = job?.data as Partial<BatchJobData> | undefined;
    const jlog = wlog.child({ queue: kind, jobId: data?.jobId, batch: data?.batchIndex, bullJob: job?.id });
    const attempts = job?.opts.attempts ?? 1;
    if (job && job.attemptsMade < attempts) {
      jlog.warn({ err: err.message, attempt: job.attemptsMade }, 'job attempt failed; retrying with backoff');
      return;
    }
    jlog.error({ err: err.message }, 'job failed after its last attempt');
    if (data?.jobId && (kind === 'campaign' || kind === 'batch' || kind === 'replay')) {
      await store.finishJob(data.jobId, 'failed', { error: `${kind} ${job?.id}: ${err.message}` }).catch(() => undefined);
    }
  }

  if (config.nightly && serve.includes('nightly')) {
    await scheduleNightly(queues.nightly, config.nightly);
    wlog.info({ cron: config.nightly.cron, kernels: config.nightly.kernels }, 'nightly schedule declared');
  }

  const beat = () =>
    store
      .heartbeat({ id, host: hostname(), pid: process.pid, queues: serve, concurrency: config.concurrency?.batch ?? DEFAULT_CONCURRENCY.batch, pools: pipeline.poolState(), at: new Date().toISOString() })
      .catch((err: Error) => wlog.warn({ err: err.message }, 'heartbeat failed'));
  await beat();
  const timer = setInterval(beat, config.heartbeatMs ?? 5_000);
  timer.unref();
  await Promise.all([...workers.values()].map((w) => w.waitUntilReady()));
  wlog.info({ queues: serve }, 'worker ready');

  let closing: Promise<void> | undefined;
  return {
    id,
    store,
    queues,
    workers,
    close(opts = {}) {
      closing ??= (async () => {
        clearInterval(timer);
        // take no new jobs; let the running ones finish (their results are recorded) before the
        // pool goes away, for at most graceMs
        const all = [...workers.values()];
        await Promise.all(all.map((w) => w.pause(true)));
        const deadline = Date.now() + (opts.graceMs ?? Infinity);
        while (held > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        if (running > 0) wlog.warn({ running, reductions: running - held, graceMs: opts.graceMs }, 'jobs still running at shutdown: left to be taken over as stalled');
        await Promise.all(all.map((w) => w.close(running > 0)));
        await store.removeWorker(id).catch(() => undefined);
        await closeQueues(queues);
        await pipeline.close();
        for (const c of connections) c.disconnect();
        wlog.info('worker closed');
      })();
      return closing;
    },
  };
}
