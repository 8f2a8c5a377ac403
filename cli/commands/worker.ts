// `bpfdiff worker`: a worker process for scale-out. It joins the shared Redis (REDIS_URL),
// serves the queues it is told to with a VM pool per kernel sized to this machine, and
// stops cleanly on SIGINT/SIGTERM, finishing the batch in hand.
import type { Command } from 'commander';
import { redactRedisUrl } from '../../store/index.ts';
import { createLogger, parseQueueList, readSettings, requireRedisUrl, workerConfig } from '../../config/index.ts';
import { closeOnSignal, startWorkers } from '../../workers/index.ts';
import { Engine, DEFAULT_SOUNDNESS_RATE } from '../../engine/index.ts';
import { positiveInt, rateOption } from '../options.ts';
import { settingsOrUserError } from '../settings.ts';

interface WorkerOptions {
  queues?: string;
  concurrency?: number;
  pool?: number;
  soundness: boolean;
  soundnessRate: number;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run a worker against the shared Redis in REDIS_URL (scale-out: one per machine)')
    .option('--queues <list>', 'comma-separated queues to serve (campaign,batch,reduce,replay,check,nightly); default all')
    .option('--concurrency <n>', 'batch jobs at once in this process', positiveInt('--concurrency'))
    .option('--pool <n>', 'guests per kernel (default: the number of cores)', positiveInt('--pool'))
    .option('--soundness-rate <r>', 'share of the programs model and kernel accept alike that the soundness oracle loads again at log level 2 and checks', rateOption('--soundness-rate'), DEFAULT_SOUNDNESS_RATE)
    .option('--no-soundness', 'no soundness oracle (same as --soundness-rate 0)')
    .addHelpText('after', '\nEnvironment: REDIS_URL (required), BPFDIFF_POOL_SIZE, BPFDIFF_QUEUES, BPFDIFF_NIGHTLY_KERNELS,\nBPFDIFF_NIGHTLY_CRON (default "0 2 * * *"), BPFDIFF_NIGHTLY_COUNT, LOG_LEVEL. See README "Scale-out".\n')
    .action(async (opts: WorkerOptions) => {
      const { settings, config } = settingsOrUserError(() => {
        const s = readSettings();
        const c = workerConfig(s, requireRedisUrl(s, 'for a worker (redis://host:port of the shared Redis)'));
        if (opts.queues) c.queues = parseQueueList(opts.queues, '--queues');
        if (opts.concurrency) c.concurrency = { ...c.concurrency, batch: opts.concurrency };
        return { settings: s, config: c };
      });
      const log = createLogger('bpfdiff-worker', process.stderr);
      const poolSize = opts.pool ?? settings.poolSize;
      const handle = await startWorkers(config, new Engine({ poolSize, soundnessRate: opts.soundness ? opts.soundnessRate : 0 }), log);
      log.info({ redis: redactRedisUrl(config.redisUrl), queues: config.queues ?? 'all', pool: poolSize }, 'worker started');
      await closeOnSignal([{ name: 'worker', close: () => handle.close({ graceMs: 10_000 }) }], log);
    });
}
