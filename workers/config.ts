// A worker process's settings from its environment, so `bpfdiff worker` on another machine
// needs only REDIS_URL (and QEMU with the kernel images) to join.
import { availableParallelism } from 'node:os';
import { DEFAULT_PREFIX } from '../store/index.ts';
import { DEFAULT_NIGHTLY_CRON } from './nightly.ts';
import { DEFAULT_REDUCE_YIELD_MS } from './processors.ts';
import { DEFAULT_BULL_PREFIX, QUEUE_KINDS, type QueueKind } from './queues.ts';
import type { WorkerConfig } from './runtime.ts';

export class WorkerConfigError extends Error {
  override name = 'WorkerConfigError';
}

export interface WorkerSettings {
  worker: WorkerConfig;
  /** guests per kernel in this process's VM pools */
  poolSize: number;
}

/** An integer setting of at least `min` (1: "a positive integer"), or `fallback` when unset. */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new WorkerConfigError(`${name}: expected ${min === 1 ? 'a positive integer' : `an integer >= ${min}`}, got "${raw}"`);
  return n;
}
const positive = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => integer(env, name, fallback);

export function parseQueueList(raw: string, field: string): QueueKind[] {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(QUEUE_KINDS as readonly string[]).includes(name)) throw new WorkerConfigError(`${field}: unknown queue "${name}"; expected some of ${QUEUE_KINDS.join(', ')}`);
  }
  return names as QueueKind[];
}

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const redisUrl = env.REDIS_URL;
  if (!redisUrl) throw new WorkerConfigError('REDIS_URL: required for a worker (redis://host:port of the shared Redis)');
  const concurrency: Partial<Record<QueueKind, number>> = {};
  for (const kind of QUEUE_KINDS) {
    const name = `BPFDIFF_CONCURRENCY_${kind.toUpperCase()}`;
    if (env[name]) concurrency[kind] = positive(env, name, 1);
  }
  const nightlyKernels = (env.BPFDIFF_NIGHTLY_KERNELS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    poolSize: positive(env, 'BPFDIFF_POOL_SIZE', availableParallelism()),
    worker: {
      redisUrl,
      storePrefix: env.BPFDIFF_STORE_PREFIX ?? DEFAULT_PREFIX,
      prefix: env.BPFDIFF_BULL_PREFIX ?? DEFAULT_BULL_PREFIX,
      namespace: env.BPFDIFF_QUEUE_NAMESPACE ?? '',
      queues: env.BPFDIFF_QUEUES ? parseQueueList(env.BPFDIFF_QUEUES, 'BPFDIFF_QUEUES') : undefined,
      concurrency,
      lockDurationMs: positive(env, 'BPFDIFF_LOCK_MS', 30_000),
      stalledIntervalMs: positive(env, 'BPFDIFF_STALLED_MS', 30_000),
      reduceYieldMs: integer(env, 'BPFDIFF_REDUCE_YIELD_MS', DEFAULT_REDUCE_YIELD_MS, 0),
      nightly:
        nightlyKernels.length > 0
          ? {
              cron: env.BPFDIFF_NIGHTLY_CRON ?? DEFAULT_NIGHTLY_CRON,
              kernels: nightlyKernels,
              count: positive(env, 'BPFDIFF_NIGHTLY_COUNT', 10_000),
            }
          : undefined,
    },
  };
}
