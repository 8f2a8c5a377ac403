// A private redis-server on loopback for the embedded default (`bpfdiff start` without
// REDIS_URL) and for tests: a free port, its data under a directory of our choosing, AOF on
// with fsync on every write (bpfdiff writes a batch a second at most, so the cost is nil) and
// noeviction, the settings Redis needs to be a system of record.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { Redis } from 'ioredis';
import { onExit } from 'signal-exit';

/** util-linux setpriv, which execs its command with a parent-death signal set (Linux) */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface EmbeddedRedis {
  url: string;
  port: number;
  dataDir: string;
  /** SIGKILL and start again on the same port and data: what a crash and restart look like */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The settings we document for production, as redis-server arguments. */
const SYSTEM_OF_RECORD_SETTINGS = [
  '--appendonly', 'yes',
  '--appendfsync', 'always',
  '--maxmemory-policy', 'noeviction',
  '--save', '',
] as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string, child: ResultPromise, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.catch(() => undefined).finally(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error('redis-server exited during start-up');
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      // while loading the AOF Redis answers LOADING; wait until it serves commands
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer on ${url} within ${timeoutMs} ms`);
}

export async function startEmbeddedRedis(opts: { dataDir: string; port?: number; binary?: string }): Promise<EmbeddedRedis> {
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  const binary = opts.binary ?? 'redis-server';
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dataDir, '--daemonize', 'no',
    ...SYSTEM_OF_RECORD_SETTINGS, '--logfile', 'redis.log'];

  let child: ResultPromise;
  const launch = async () => {
    // its own process group: a Ctrl-C in the terminal reaches bpfdiff, which stops Redis last,
    // after the workers have recorded what they hold (execa's cleanup skips detached children,
    // so signal-exit stops it when this process exits or dies; SIGTERM makes Redis write its AOF)
    // and setpriv (util-linux) gives it a parent-death signal, so it stops even when bpfdiff is
    // killed in a way no exit hook sees (kill -9, the OOM killer)
    child = SETPRIV
      ? execa(SETPRIV, ['--pdeathsig', 'TERM', '--', binary, ...args], { reject: false, stdio: 'ignore', detached: true })
      : execa(binary, args, { reject: false, stdio: 'ignore', detached: true });
    const proc = child;
    const removeExitHook = onExit(() => {
      proc.kill('SIGTERM');
    });
    void proc.finally(removeExitHook);
    await waitForPing(url, child, 15_000);
  };
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.killed) {
      await child;
      return;
    }
    child.kill(signal);
    await child;
  };
  await launch();
  return {
    url,
    port,
    dataDir: opts.dataDir,
    async restart() {
      await kill('SIGKILL');
      await launch();
    },
    async stop() {
      // SIGTERM: Redis flushes the AOF and exits cleanly
      await kill('SIGTERM');
    },
  };
}
