// What the API reads from its environment. The token guards mutating routes; reads are open
// unless BPFDIFF_READS_OPEN=0. Nothing here is ever logged whole (see workers/log.ts redaction).
import { KERNEL_PROFILE } from '../../core/model/index.ts';
import { DEFAULT_PREFIX } from '../../store/index.ts';
import { DEFAULT_BULL_PREFIX } from '../../workers/index.ts';

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
  /** the kernel ids a job or check may name: the catalog's ids that a model profile predicts
   *  (default: the kernels the model predicts, DEFAULT_API_KERNELS) */
  kernels?: string[];
  /** POST /programs/check waits this long for the kernels, at most */
  checkTimeoutMs: number;
  /** the dashboard's folder, served at / when it exists */
  dashboardDir?: string;
}

/** without a catalog at hand (`serve` on a machine without kernel images): the kernels the model predicts */
export const DEFAULT_API_KERNELS = Object.keys(KERNEL_PROFILE).filter((id) => id !== 'next');

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
export const DEFAULT_CHECK_TIMEOUT_MS = 30_000;

export function apiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    storePrefix: env.BPFDIFF_STORE_PREFIX ?? DEFAULT_PREFIX,
    bullPrefix: env.BPFDIFF_BULL_PREFIX ?? DEFAULT_BULL_PREFIX,
    namespace: env.BPFDIFF_QUEUE_NAMESPACE ?? '',
    apiToken: env.BPFDIFF_API_TOKEN || undefined,
    readsOpen: env.BPFDIFF_READS_OPEN !== '0',
    bodyLimit: Number(env.BPFDIFF_BODY_LIMIT ?? DEFAULT_BODY_LIMIT),
    jobsPerMinute: Number(env.BPFDIFF_JOBS_PER_MINUTE ?? 30),
    checksPerMinute: Number(env.BPFDIFF_CHECKS_PER_MINUTE ?? 60),
    kernels: env.BPFDIFF_KERNELS ? env.BPFDIFF_KERNELS.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    checkTimeoutMs: Number(env.BPFDIFF_CHECK_TIMEOUT_MS ?? DEFAULT_CHECK_TIMEOUT_MS),
    dashboardDir: env.BPFDIFF_DASHBOARD_DIR,
  };
}
