// Shared by the service tests: waiting for a job, and worker processes that can be killed.
import { execFileSync } from 'node:child_process';
import { execa, type ResultPromise } from 'execa';
import type { JobRecord } from '../store/index.ts';

const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Polls until the job is terminal; the deadline turns a stuck job into a failure with its state. */
export async function pollJob(probe: () => Promise<JobRecord>, timeoutMs: number, until: (j: JobRecord) => boolean = (j) => TERMINAL.includes(j.state)): Promise<JobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await probe();
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${job.id} still ${job.state} (${job.counts.batchesDone}/${job.counts.batchesTotal} batches) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every process below `pid` (QEMU guests of a worker), found before the worker is killed. */
function descendants(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/** `bpfdiff worker` as its own process, as on another machine. */
export function spawnWorker(env: Record<string, string>): ResultPromise {
  return execa('node', ['bin/bpfdiff.js', 'worker'], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, ...env },
    reject: false,
    stdout: 'ignore',
    stderr: process.env.BPFDIFF_TEST_WORKER_LOGS ? 'inherit' : 'ignore',
  });
}

/** SIGKILL a worker and the guests it started: a machine that died, leaving nothing behind. */
export async function killWorker(worker: ResultPromise): Promise<void> {
  if (worker.pid === undefined) return;
  const guests = descendants(worker.pid);
  worker.kill('SIGKILL');
  await worker;
  for (const pid of guests) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
