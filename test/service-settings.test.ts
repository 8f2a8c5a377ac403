// Every command reads the same settings: `bpfdiff start` schedules the nightly run with the
// BPFDIFF_NIGHTLY_* values `bpfdiff worker` reads (it once ignored BPFDIFF_NIGHTLY_COUNT and ran
// its campaign's 1,000 programs a night). Real processes against a real Redis; no guest boots,
// since pools start only when a job needs a kernel.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../store/index.ts';
import { NIGHTLY_SCHEDULER_ID, queueName, type NightlyJobData } from '../workers/index.ts';
import { startTestRedis } from './test-redis.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'bpfdiff.js');
let redisServer: Awaited<ReturnType<typeof startTestRedis>>;

beforeAll(async () => {
  redisServer = await startTestRedis();
});
afterAll(async () => {
  await redisServer?.cleanup();
});

/** Starts `bpfdiff ARGS` with ENV, waits for READY on stdout or stderr, and returns the process. */
async function startCommand(args: string[], env: Record<string, string>, ready: RegExp) {
  const child = execa('node', [bin, ...args], { env: { ...process.env, ...env }, reject: false, all: true });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    child.all!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (ready.test(seen)) resolve();
    });
    void child.then((r) => reject(new Error(`bpfdiff ${args[0]} exited (${r.exitCode}) before it was ready:\n${seen}`)));
  });
  return { child };
}

async function nightlySchedule(namespace: string): Promise<NightlyJobData | undefined> {
  const queue = new Queue<NightlyJobData>(queueName({ prefix: 'bull', namespace }, 'nightly'), { connection: connectRedis(redisServer.url, 'producer'), prefix: 'bull' });
  try {
    return (await queue.getJobScheduler(NIGHTLY_SCHEDULER_ID))?.template?.data;
  } finally {
    await queue.close();
  }
}

describe.each([
  ['start', ['start', '--no-campaign', '--port', '0', '--kernel', '7.2'], /bpfdiff is running/],
  ['worker', ['worker', '--queues', 'nightly'], /worker started/],
])('bpfdiff %s', (name, args, ready) => {
  it('schedules the nightly run with BPFDIFF_NIGHTLY_COUNT, _KERNELS and _CRON', async () => {
    const namespace = `settings-${name}-${randomUUID().slice(0, 8)}-`;
    const env = {
      REDIS_URL: redisServer.url,
      BPFDIFF_BULL_PREFIX: 'bull',
      BPFDIFF_QUEUE_NAMESPACE: namespace,
      BPFDIFF_STORE_PREFIX: `${namespace}bpfdiff:`,
      BPFDIFF_NIGHTLY_KERNELS: '7.2,7.3',
      BPFDIFF_NIGHTLY_COUNT: '60',
      BPFDIFF_NIGHTLY_CRON: '30 3 * * *',
      LOG_LEVEL: 'info',
    };
    const { child } = await startCommand(args, env, ready);
    try {
      const data = await nightlySchedule(namespace);
      expect(data).toMatchObject({ kernels: ['7.2', '7.3'], count: 60, cron: '30 3 * * *' });
    } finally {
      child.kill('SIGINT');
      await child;
    }
  });
});

describe('a bad setting', () => {
  it('stops `bpfdiff start` with one line naming the variable', async () => {
    const r = await execa('node', [bin, 'start', '--no-campaign', '--port', '0'], { env: { ...process.env, REDIS_URL: redisServer.url, BPFDIFF_NIGHTLY_COUNT: 'sixty' }, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('bpfdiff: BPFDIFF_NIGHTLY_COUNT: expected a positive integer, got "sixty"');
  });
});
