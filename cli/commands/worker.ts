// `bpfdiff worker`: a worker process for scale-out. It joins the shared Redis (REDIS_URL),
// serves the queues it is told to with a VM pool per kernel sized to this machine, and
// stops cleanly on SIGINT/SIGTERM, finishing the batch in hand.
import type { Command } from 'commander';
import { redactRedisUrl } from '../../store/index.ts';
import { closeOnSignal, createLogger, parseQueueList, startWorkers, workerSettingsFromEnv, WorkerConfigError, type QueueKind } from '../../workers/index.ts';
import { createKernelPipeline } from '../../workers/real-pipeline.ts';
import { UserError } from '../user-error.ts';
import { positiveInt } from '../options.ts';

interface WorkerOptions {
  queues?: string;
  concurrency?: number;
  pool?: number;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('run a worker against the shared Redis in REDIS_URL (scale-out: one per machine)')
    .option('--queues <list>', 'comma-separated queues to serve (campaign,batch,reduce,replay,check,nightly); default all')
    .option('--concurrency <n>', 'batch jobs at once in this process', positiveInt('--concurrency'))
    .option('--pool <n>', 'guests per kernel (default: the number of cores)', positiveInt('--pool'))
    .addHelpText('after', '\nEnvironment: REDIS_URL (required), BPFDIFF_POOL_SIZE, BPFDIFF_QUEUES, BPFDIFF_NIGHTLY_KERNELS,\nBPFDIFF_NIGHTLY_CRON (default "0 2 * * *"), BPFDIFF_NIGHTLY_COUNT, LOG_LEVEL. See README "Scale-out".\n')
    .action(async (opts: WorkerOptions) => {
      let settings;
      let queues: QueueKind[] | undefined;
      try {
        settings = workerSettingsFromEnv();
        queues = opts.queues ? parseQueueList(opts.queues, '--queues') : settings.worker.queues;
      } catch (err) {
        if (err instanceof WorkerConfigError) throw new UserError(err.message);
        throw err;
      }
      const log = createLogger('bpfdiff-worker', process.stderr);
      const pipeline = createKernelPipeline({ poolSize: opts.pool ?? settings.poolSize });
      const concurrency = { ...settings.worker.concurrency, ...(opts.concurrency ? { batch: opts.concurrency } : {}) };
      const handle = await startWorkers({ ...settings.worker, queues, concurrency }, pipeline, log);
      log.info({ redis: redactRedisUrl(settings.worker.redisUrl), queues: queues ?? 'all', pool: opts.pool ?? settings.poolSize }, 'worker started');
      await closeOnSignal([{ name: 'worker', close: () => handle.close({ graceMs: 10_000 }) }], log);
    });
}
