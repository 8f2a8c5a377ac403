// `bpfdiff serve`: the REST API alone, against the Redis in REDIS_URL (workers run elsewhere).
import { InvalidArgumentError, type Command } from 'commander';
import { apiConfig, createLogger, readSettings, requireRedisUrl } from '../../config/index.ts';
import { startServer } from '../../services/api/index.ts';
import { Engine, predictedKernels } from '../../engine/index.ts';
import { redactRedisUrl } from '../../store/index.ts';
import { closeOnSignal } from '../../workers/index.ts';
import { settingsOrUserError } from '../settings.ts';

interface ServeOptions {
  host: string;
  port: number;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port: expected 0..65535, got "${value}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the REST API (and the dashboard) against the Redis in REDIS_URL')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', parsePort, 8377)
    .addHelpText('after', '\nEnvironment: REDIS_URL (required), BPFDIFF_API_TOKEN (bearer token for mutating routes),\nBPFDIFF_READS_OPEN (0 to require the token on reads too), LOG_LEVEL.\n')
    .action(async (opts: ServeOptions) => {
      const config = settingsOrUserError(() => {
        const settings = readSettings();
        const config = apiConfig(settings, requireRedisUrl(settings, 'for `bpfdiff serve` (use `bpfdiff start` for an embedded Redis)'));
        return { ...config, kernels: config.kernels ?? predictedKernels() };
      });
      const log = createLogger('bpfdiff-serve', process.stderr);
      // the model side of /programs/check runs here; the kernels' side on the workers
      const engine = new Engine();
      const { server, url } = await startServer(config, (program, kernel) => engine.modelOutcome(program, kernel), opts, log);
      log.info({ url, redis: redactRedisUrl(config.redisUrl), auth: config.apiToken ? 'bearer token' : 'open' }, 'API listening');
      await closeOnSignal([{ name: 'api', close: () => server.close() }], log);
    });
}
