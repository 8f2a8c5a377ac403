// `bpfdiff serve`: the REST API alone, against the Redis in REDIS_URL (workers run elsewhere).
import { InvalidArgumentError, type Command } from 'commander';
import { apiConfigFromEnv, modelOutcome, startServer } from '../../services/api/index.ts';
import { redactRedisUrl } from '../../store/index.ts';
import { closeOnSignal, createLogger } from '../../workers/index.ts';
import { UserError } from '../user-error.ts';
import { apiKernels } from '../api-kernels.ts';

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
      if (!process.env.REDIS_URL) throw new UserError('REDIS_URL: required for `bpfdiff serve` (use `bpfdiff start` for an embedded Redis)');
      const fromEnv = apiConfigFromEnv();
      const config = { ...fromEnv, kernels: apiKernels(fromEnv.kernels) };
      const log = createLogger('bpfdiff-serve', process.stderr);
      const { server, url } = await startServer(config, modelOutcome, opts, log);
      log.info({ url, redis: redactRedisUrl(config.redisUrl), auth: config.apiToken ? 'bearer token' : 'open' }, 'API listening');
      await closeOnSignal([{ name: 'api', close: () => server.close() }], log);
    });
}
