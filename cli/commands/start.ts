// `bpfdiff start` (what `npm start` runs after provisioning): the whole service on one machine.
// A private redis-server on loopback unless REDIS_URL is set, the API on 127.0.0.1, a worker
// with a VM pool sized to the cores, and a default campaign a user can watch at once.
// Ctrl-C closes the API, lets the worker finish its batch, stops the guests and Redis.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { apiConfig, createLogger, logFormat, readSettings, workerConfig, type ApiConfig } from '../../config/index.ts';
import { DEFAULT_DASHBOARD_DIR, startServer, type ModelOracle } from '../../services/api/index.ts';
import { redactRedisUrl, startEmbeddedRedis, type EmbeddedRedis } from '../../store/index.ts';
import { readCatalog } from '../../kernel/index.ts';
import { closeOnSignal, startWorkers, submitJob, type Closer } from '../../workers/index.ts';
import { Engine, predictedKernels, DEFAULT_SOUNDNESS_RATE } from '../../engine/index.ts';
import { parsePort } from './serve.ts';
import { UserError } from '../user-error.ts';
import { settingsOrUserError } from '../settings.ts';
import { StatusLine } from '../status-line.ts';
import { watchCampaign } from '../campaign-progress.ts';
import { collect, positiveInt, rateOption } from '../options.ts';

interface StartOptions {
  port: number;
  kernel?: string[];
  count: number;
  seed: number;
  campaign: boolean;
  pool?: number;
  soundness: boolean;
  soundnessRate: number;
}

/** the embedded Redis's data, unless BPFDIFF_REDIS_DIR moves it (tests use a folder of their own) */
const REDIS_DATA_DIR = fileURLToPath(new URL('../../.cache/redis/', import.meta.url));

/** The catalog's kernels with an image, newest-first preference for the default campaign. */
function defaultKernels(): string[] {
  try {
    const ids = Object.keys(readCatalog().entries);
    return ids.includes('7.2') ? ['7.2'] : ids.slice(0, 1);
  } catch {
    return [];
  }
}

async function listen(config: ApiConfig, modelOutcome: ModelOracle, port: number, log: Logger): Promise<{ server: FastifyInstance; url: string }> {
  try {
    return await startServer(config, modelOutcome, { host: '127.0.0.1', port }, log);
  } catch (err) {
    // the usual port is taken (another bpfdiff?): any free one will do for a local service
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && port !== 0) return startServer(config, modelOutcome, { host: '127.0.0.1', port: 0 }, log);
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('start')
    .description('run the whole service on this machine: Redis (unless REDIS_URL), the API, a worker, and a default campaign')
    .option('--port <n>', 'API port on 127.0.0.1 (falls back to a free port when taken)', parsePort, 8377)
    .option('-k, --kernel <id>', 'kernel of the default campaign; repeatable (default 7.2)', collect)
    .option('--count <n>', 'programs in the default campaign', positiveInt('--count'), 1000)
    .option('--seed <n>', 'seed of the default campaign', positiveInt('--seed'), 1)
    .option('--no-campaign', 'start the service without submitting a campaign')
    .option('--pool <n>', 'guests per kernel (default: the number of cores)', positiveInt('--pool'))
    .option('--soundness-rate <r>', 'share of the programs model and kernel accept alike that the soundness oracle loads again at log level 2 and checks', rateOption('--soundness-rate'), DEFAULT_SOUNDNESS_RATE)
    .option('--no-soundness', 'no soundness oracle (same as --soundness-rate 0)')
    .action(async (opts: StartOptions) => {
      const kernels = opts.kernel ?? defaultKernels();
      // the campaign's kernels and count are the nightly run's unless the environment says otherwise
      const settings = settingsOrUserError(() => readSettings(process.env, { nightlyKernels: kernels, nightlyCount: opts.count }));
      // on a terminal: readable log lines above a live progress line of the campaign
      const status = logFormat(process.stderr) === 'pretty' && process.stderr.isTTY ? new StatusLine(process.stderr) : undefined;
      const log = createLogger('bpfdiff', process.stderr, status?.above);
      const closers: Closer[] = [];
      let redis: EmbeddedRedis | undefined;
      let redisUrl = settings.redisUrl;
      if (!redisUrl) {
        try {
          redis = await startEmbeddedRedis({ dataDir: settings.redisDir ?? REDIS_DATA_DIR });
        } catch (err) {
          throw new UserError(`redis-server: could not start it (${(err as Error).message}); install it or set REDIS_URL`);
        }
        redisUrl = redis.url;
      }
      const apiToken = settings.api.apiToken ?? randomBytes(18).toString('base64url');
      const config = { ...apiConfig(settings, redisUrl), apiToken, kernels: settings.api.kernels ?? predictedKernels() };
      const poolSize = opts.pool ?? settings.poolSize;

      try {
        const engine = new Engine({ poolSize, soundnessRate: opts.soundness ? opts.soundnessRate : 0 });
        const { server, url } = await listen(config, (program, kernel) => engine.modelOutcome(program, kernel), opts.port, log);
        closers.push({ name: 'api', close: () => server.close() });
        const worker = await startWorkers(workerConfig(settings, redisUrl), engine, log);
        // a batch in hand gets 10 s to finish and be recorded; one that needs longer is run
        // again by the next worker (stalled-job recovery; recording is idempotent)
        closers.push({ name: 'worker', close: () => worker.close({ graceMs: 10_000 }) });
        if (redis) closers.push({ name: 'redis', close: () => redis.stop() });

        let jobLine = 'no campaign submitted (--no-campaign)';
        let campaignId: string | undefined;
        if (opts.campaign) {
          if (kernels.length === 0) throw new UserError('--kernel: no kernel images found; run `npm run provision` or name one');
          const job = await submitJob(worker.store, worker.queues, { kind: 'campaign', kernels, count: opts.count, seed: opts.seed });
          campaignId = job.id;
          jobLine = `campaign ${job.id}: ${opts.count} programs on ${kernels.join(', ')} (seed ${opts.seed}) → ${url}/jobs/${job.id}`;
        }
        const dashboard = existsSync(config.dashboardDir ?? DEFAULT_DASHBOARD_DIR) ? `${url}/` : '(not built yet)';
        process.stdout.write(
          [
            '',
            'bpfdiff is running',
            `  dashboard  ${dashboard}`,
            `  API        ${url}   (OpenAPI: ${url}/docs)`,
            `  token      ${apiToken}   (Authorization: Bearer <token> for POST/PATCH/DELETE)`,
            `  redis      ${redis ? `${redactRedisUrl(redisUrl)} (embedded, AOF in ${redis.dataDir})` : redactRedisUrl(redisUrl)}`,
            `  worker     ${poolSize} guest(s) per kernel`,
            `  ${jobLine}`,
            'Ctrl-C stops everything.',
            '',
          ].join('\n'),
        );
        if (status && campaignId) {
          const stop = watchCampaign(worker.store, campaignId, status);
          closers.unshift({ name: 'progress', close: async () => (stop(), status.clear(true)) });
        }
      } catch (err) {
        for (const closer of closers.reverse()) await closer.close().catch(() => undefined);
        if (redis && !closers.some((c) => c.name === 'redis')) await redis.stop();
        throw err;
      }
      await closeOnSignal(closers, log);
    });
}
