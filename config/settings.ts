// Every setting bpfdiff reads from its environment, read in one place whichever command starts
// the process (`bpfdiff start`, `serve`, `worker`, tests and benchmarks): each value is checked
// here and a bad one names its variable. Commands may only override defaults (e.g. `start`'s
// campaign kernels as the nightly kernels), never re-read a variable themselves.
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export const QUEUE_KINDS = ['campaign', 'batch', 'reduce', 'replay', 'check', 'nightly'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export const DEFAULT_STORE_PREFIX = 'bpfdiff:';
const DEFAULT_BULL_PREFIX = 'bpfdiff-bull';
const DEFAULT_NIGHTLY_CRON = '0 2 * * *';
const DEFAULT_NIGHTLY_COUNT = 10_000;
export const DEFAULT_REDUCE_YIELD_MS = 30 * 60_000;
const DEFAULT_BODY_LIMIT = 1024 * 1024;
const DEFAULT_CHECK_TIMEOUT_MS = 30_000;
const DEFAULT_JOBS_PER_MINUTE = 30;
const DEFAULT_CHECKS_PER_MINUTE = 60;

export interface ApiConfig {
  redisUrl: string;
  storePrefix: string;
  bullPrefix: string;
  /** prepended to queue names; tests use a unique one */
  namespace: string;
  /** bearer token for POST/PATCH/DELETE; undefined leaves them open (embedded default prints one) */
  apiToken?: string;
  /** GET routes without the token */
  readsOpen: boolean;
  /** largest request body in bytes */
  bodyLimit: number;
  /** job submissions per client per minute */
  jobsPerMinute: number;
  /** POST /programs/check requests per client per minute (default 60) */
  checksPerMinute?: number;
  /** the kernel ids a job or check may name (BPFDIFF_KERNELS); unset: the catalog's ids that a
   *  model profile predicts, as the command starting the API finds them */
  kernels?: string[];
  /** POST /programs/check waits this long for the kernels, at most */
  checkTimeoutMs: number;
  /** the dashboard's folder, served at / when it exists */
  dashboardDir?: string;
}

export interface NightlySettings {
  cron: string;
  kernels: string[];
  count: number;
  batchSize?: number;
  /** share of each campaign batch made by mutating the campaign corpus (BPFDIFF_NIGHTLY_GUIDED_SHARE; 0: unguided; default core/guided's) */
  guidedShare?: number;
}

/** A worker process's queue settings (workers/runtime.ts takes these as they are). */
export interface WorkerConfig {
  redisUrl: string;
  storePrefix?: string;
  /** BullMQ key prefix (never ioredis keyPrefix) */
  prefix: string;
  /** prepended to every queue name; tests use a unique one each */
  namespace: string;
  /** queues this process serves; default all */
  queues?: QueueKind[];
  /** jobs run at once per queue; batch defaults to 1 since one batch already fills the pool */
  concurrency?: Partial<Record<QueueKind, number>>;
  /** how long a job's lock lasts without renewal; a dead worker's job is taken over after this */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  heartbeatMs?: number;
  /** when set, this process (re)declares the nightly schedule */
  nightly?: NightlySettings;
  /** poll period of the nightly run waiting for its jobs */
  nightlyPollMs?: number;
  /** longest a reduce job waits for the batch queue to drain (default DEFAULT_REDUCE_YIELD_MS; 0: no wait) */
  reduceYieldMs?: number;
}

interface Settings {
  /** REDIS_URL; undefined when unset (`start` then runs its own Redis) */
  redisUrl?: string;
  /** BPFDIFF_REDIS_DIR: where `start`'s own Redis keeps its data (default .cache/redis/) */
  redisDir?: string;
  api: Omit<ApiConfig, 'redisUrl'>;
  worker: Omit<WorkerConfig, 'redisUrl'>;
  /** guests per kernel in this process's VM pools */
  poolSize: number;
  logLevel: string;
}

/** Defaults a command may set for settings the environment leaves unset. */
interface SettingsDefaults {
  /** nightly kernels when BPFDIFF_NIGHTLY_KERNELS is unset (none: no nightly schedule) */
  nightlyKernels?: string[];
  /** nightly programs per kernel when BPFDIFF_NIGHTLY_COUNT is unset */
  nightlyCount?: number;
}

/** An integer setting of at least `min` (1: "a positive integer"), or `fallback` when unset. */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new SettingsError(`${name}: expected ${min === 1 ? 'a positive integer' : `an integer >= ${min}`}, got "${raw}"`);
  return n;
}

/** A number from 0 to 1, or undefined when unset. */
function share(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !(n >= 0 && n <= 1)) throw new SettingsError(`${name}: expected a number from 0 to 1 (0: unguided), got "${raw}"`);
  return n;
}

export function parseQueueList(raw: string, field: string): QueueKind[] {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(QUEUE_KINDS as readonly string[]).includes(name)) throw new SettingsError(`${field}: unknown queue "${name}"; expected some of ${QUEUE_KINDS.join(', ')}`);
  }
  return names as QueueKind[];
}

function list(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const items = (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

function nightlyOf(env: NodeJS.ProcessEnv, defaults: SettingsDefaults): NightlySettings | undefined {
  const kernels = list(env, 'BPFDIFF_NIGHTLY_KERNELS') ?? defaults.nightlyKernels;
  // checked even when no schedule is declared, so a typo never waits for the day it matters
  const count = integer(env, 'BPFDIFF_NIGHTLY_COUNT', defaults.nightlyCount ?? DEFAULT_NIGHTLY_COUNT);
  const guidedShare = share(env, 'BPFDIFF_NIGHTLY_GUIDED_SHARE');
  if (!kernels?.length) return undefined;
  return { cron: env.BPFDIFF_NIGHTLY_CRON || DEFAULT_NIGHTLY_CRON, kernels, count, ...(guidedShare !== undefined ? { guidedShare } : {}) };
}

/** LOG_LEVEL (pino's level names), default info. */
export function logLevelOf(env: NodeJS.ProcessEnv): string {
  return env.LOG_LEVEL || 'info';
}

export function readSettings(env: NodeJS.ProcessEnv = process.env, defaults: SettingsDefaults = {}): Settings {
  const concurrency: Partial<Record<QueueKind, number>> = {};
  for (const kind of QUEUE_KINDS) {
    const name = `BPFDIFF_CONCURRENCY_${kind.toUpperCase()}`;
    if (env[name]) concurrency[kind] = integer(env, name, 1);
  }
  const readsOpen = env.BPFDIFF_READS_OPEN ?? '1';
  if (readsOpen !== '0' && readsOpen !== '1') throw new SettingsError(`BPFDIFF_READS_OPEN: expected 0 or 1, got "${readsOpen}"`);
  const storePrefix = env.BPFDIFF_STORE_PREFIX || DEFAULT_STORE_PREFIX;
  const bullPrefix = env.BPFDIFF_BULL_PREFIX || DEFAULT_BULL_PREFIX;
  const namespace = env.BPFDIFF_QUEUE_NAMESPACE ?? '';
  return {
    redisUrl: env.REDIS_URL || undefined,
    redisDir: env.BPFDIFF_REDIS_DIR || undefined,
    poolSize: integer(env, 'BPFDIFF_POOL_SIZE', availableParallelism()),
    logLevel: logLevelOf(env),
    api: {
      storePrefix,
      bullPrefix,
      namespace,
      apiToken: env.BPFDIFF_API_TOKEN || undefined,
      readsOpen: readsOpen === '1',
      bodyLimit: integer(env, 'BPFDIFF_BODY_LIMIT', DEFAULT_BODY_LIMIT),
      jobsPerMinute: integer(env, 'BPFDIFF_JOBS_PER_MINUTE', DEFAULT_JOBS_PER_MINUTE),
      checksPerMinute: integer(env, 'BPFDIFF_CHECKS_PER_MINUTE', DEFAULT_CHECKS_PER_MINUTE),
      kernels: list(env, 'BPFDIFF_KERNELS'),
      checkTimeoutMs: integer(env, 'BPFDIFF_CHECK_TIMEOUT_MS', DEFAULT_CHECK_TIMEOUT_MS),
      dashboardDir: env.BPFDIFF_DASHBOARD_DIR || undefined,
    },
    worker: {
      storePrefix,
      prefix: bullPrefix,
      namespace,
      queues: env.BPFDIFF_QUEUES ? parseQueueList(env.BPFDIFF_QUEUES, 'BPFDIFF_QUEUES') : undefined,
      concurrency,
      lockDurationMs: integer(env, 'BPFDIFF_LOCK_MS', 30_000),
      stalledIntervalMs: integer(env, 'BPFDIFF_STALLED_MS', 30_000),
      reduceYieldMs: integer(env, 'BPFDIFF_REDUCE_YIELD_MS', DEFAULT_REDUCE_YIELD_MS, 0),
      nightly: nightlyOf(env, defaults),
    },
  };
}

/** REDIS_URL for a command that cannot run without it. */
export function requireRedisUrl(settings: Settings, why: string): string {
  if (!settings.redisUrl) throw new SettingsError(`REDIS_URL: required ${why}`);
  return settings.redisUrl;
}

/** The API's settings against one Redis. */
export function apiConfig(settings: Settings, redisUrl: string): ApiConfig {
  return { ...settings.api, redisUrl };
}

/** A worker's settings against one Redis. */
export function workerConfig(settings: Settings, redisUrl: string): WorkerConfig {
  return { ...settings.worker, redisUrl };
}

/** Where this machine's kernels and caches are, and a forced accelerator: what kernel/ reads. */
interface MachineSettings {
  /** BPFDIFF_CATALOG: the kernel catalog; undefined: vm-images/cache/catalog.json */
  catalogPath?: string;
  /** BPFDIFF_ACCEL: kvm or tcg overrides the probe; undefined (or auto): probe */
  accel?: 'kvm' | 'tcg';
  /** BPFDIFF_SNAPSHOT_DIR, else CACHE/snapshots */
  snapshotDir: string;
  /** XDG_CACHE_HOME/bpfdiff, else ~/.cache/bpfdiff: per-machine caches (accelerator probe, snapshots) */
  cacheDir: string;
}

export function readMachineSettings(env: NodeJS.ProcessEnv = process.env): MachineSettings {
  const accel = env.BPFDIFF_ACCEL || 'auto';
  if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') throw new SettingsError(`BPFDIFF_ACCEL: expected auto, kvm or tcg, got "${accel}"`);
  const cacheDir = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bpfdiff');
  return {
    catalogPath: env.BPFDIFF_CATALOG || undefined,
    accel: accel === 'auto' ? undefined : accel,
    snapshotDir: env.BPFDIFF_SNAPSHOT_DIR || join(cacheDir, 'snapshots'),
    cacheDir,
  };
}
