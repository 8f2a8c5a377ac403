// The VM pool on a real 7.2 kernel with 2 guests: order of outcomes, a crashed guest, a hung
// guest, a QEMU killed from outside, and no QEMU left behind after close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmPool, resolveKernel, type PoolJob } from '../kernel/index.ts';
import { fanOutProgram, numberedPrograms, processesMentioning, returnProgram } from './kernel-programs.ts';

const TIMEOUT_MS = 4000;
const SLOW_TIMEOUT_MS = 6000;

describe('VmPool with 2 guests of 7.2', () => {
  let pool: VmPool;
  let runDir: string;

  beforeAll(async () => {
    pool = await VmPool.create({ kernel: resolveKernel('7.2'), size: 2, timeoutMs: TIMEOUT_MS, slowTimeoutMs: SLOW_TIMEOUT_MS });
    runDir = pool.runDir;
  });

  afterAll(async () => {
    await pool?.close();
  });

  it('runs 200 programs and returns 200 outcomes in input order', async () => {
    const { programs, expected } = numberedPrograms(200);
    const before = pool.metrics().programsRun;
    const outcomes = await pool.run(programs);
    expect(outcomes).toHaveLength(200);
    expect(outcomes.map((o) => o.verdict)).toEqual(expected.map(() => 'accept'));
    expect(outcomes.map((o) => o.retval)).toEqual(expected);
    expect(pool.metrics().programsRun - before).toBe(200);
    // both guests did work: each pid still alive and the pool did not restart anything
    expect(pool.guests()).toHaveLength(2);
    expect(pool.metrics().restarts).toBe(0);
  });

  it('serves normal requests before background ones queued earlier (a reducer yields to batches)', async () => {
    const finished: string[] = [];
    const background = numberedPrograms(60).programs;
    const normal = numberedPrograms(20).programs;
    const bg = pool.run(background, { priority: 'background' }).then((o) => (finished.push('background'), o));
    const fg = pool.run(normal).then((o) => (finished.push('normal'), o));
    const [bgOut, fgOut] = await Promise.all([bg, fg]);
    // 60 background programs were queued first, yet the 20 normal ones came back first
    expect(finished).toEqual(['normal', 'background']);
    expect(bgOut.map((o) => o.retval)).toEqual(numberedPrograms(60).expected);
    expect(fgOut.map((o) => o.retval)).toEqual(numberedPrograms(20).expected);
  });

  it('gives a requested crash the outcome "crash" with the oops text, replaces the guest, and completes the batch', async () => {
    const pidsBefore = pool.guests().map((g) => g.pid);
    const jobs: PoolJob[] = Array.from({ length: 30 }, (_, i) => ({ program: returnProgram(500 + i) }));
    jobs.splice(15, 0, { trigger: 'crash' });
    const outcomes = await pool.runJobs(jobs);
    expect(outcomes).toHaveLength(31);
    const crash = outcomes[15];
    expect(crash.verdict).toBe('crash');
    expect(crash.console).toMatch(/Kernel panic - not syncing: sysrq triggered crash/);
    expect(crash.kernel).toMatch(/^7\.2\./);
    const rest = outcomes.filter((_, i) => i !== 15);
    expect(rest.map((o) => o.retval)).toEqual(Array.from({ length: 30 }, (_, i) => 500 + i));
    expect(pool.metrics().crashes).toBe(1);
    expect(pool.metrics().restarts).toBe(1);
    await waitFor(() => pool.guests().length === 2);
    const pidsAfter = pool.guests().map((g) => g.pid);
    expect(pidsAfter.filter((p) => !pidsBefore.includes(p))).toHaveLength(1);
  });

  // The agent holds finished answers while more requests wait in its buffer, and writes them
  // together. A crash then loses answers of requests that had finished: the position page
  // tells the pool which request was running, so those run again and only the culprit crashes.
  it('charges a crash to the request that caused it, not to finished requests whose answers were held', async () => {
    const retriedBefore = pool.metrics().retried;
    const crashesBefore = pool.metrics().crashes;
    // the first guest gets jobs 0-3 in one write (pipeline 4): job 0's answer is held when job 1 crashes
    const jobs: PoolJob[] = [{ program: returnProgram(700) }, { trigger: 'crash' }, ...Array.from({ length: 10 }, (_, i) => ({ program: returnProgram(701 + i) }))];
    const outcomes = await pool.runJobs(jobs);
    expect(outcomes[0]).toMatchObject({ verdict: 'accept', retval: 700 });
    expect(outcomes[1].verdict).toBe('crash');
    expect(outcomes.slice(2).map((o) => o.retval)).toEqual(Array.from({ length: 10 }, (_, i) => 701 + i));
    expect(pool.metrics().crashes - crashesBefore).toBe(1);
    // jobs 2 and 3 never started; job 0 had finished, but its answer was held and lost:
    // all three went round again instead of being charged
    expect(pool.metrics().retried - retriedBefore).toBe(3);
    await waitFor(() => pool.guests().length === 2);
  });

  it('gives a requested hang the outcome "hang" after a second, longer try and replaces the guest', async () => {
    const restarts = pool.metrics().restarts;
    const started = Date.now();
    const outcomes = await pool.runJobs([{ program: returnProgram(1) }, { trigger: 'hang' }, { program: returnProgram(2) }]);
    expect(outcomes.map((o) => o.verdict)).toEqual(['accept', 'hang', 'accept']);
    // slow or hung: the first timeout sends it to a fresh guest with the longer timeout
    expect(outcomes[1].message).toBe(`no answer within ${SLOW_TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS + SLOW_TIMEOUT_MS);
    expect(pool.metrics()).toMatchObject({ hangs: 1, slowRetries: 1, slowAnswered: 0 });
    expect(pool.metrics().restarts).toBe(restarts + 2);
    await waitFor(() => pool.guests().length === 2);
  });

  it('tells a slow verification from a hang: the second, longer try answers', async () => {
    // about 32,000 insns processed: 2-5 s under TCG, beyond a 1 s timeout, well within 60 s
    const slowPool = await VmPool.create({ kernel: resolveKernel('7.2'), size: 1, timeoutMs: 1000, slowTimeoutMs: 60_000 });
    try {
      const [outcome, next] = await slowPool.run([fanOutProgram(13), returnProgram(3)]);
      expect(outcome).toMatchObject({ verdict: 'accept', retval: 0 });
      expect(outcome.verifiedInsns).toBeGreaterThan(30_000);
      expect(next).toMatchObject({ verdict: 'accept', retval: 3 });
      expect(slowPool.metrics()).toMatchObject({ hangs: 0, slowRetries: 1, slowAnswered: 1 });
    } finally {
      await slowPool.close();
    }
  });

  it('notices a QEMU process killed from outside and recovers', async () => {
    const restarts = pool.metrics().restarts;
    const victim = pool.guests()[0];
    const { programs, expected } = numberedPrograms(60);
    const batch = pool.run(programs);
    // kill one guest while the batch is on its way
    await new Promise((r) => setTimeout(r, 50));
    process.kill(victim.pid!, 'SIGKILL');
    const outcomes = await batch;
    expect(outcomes.map((o) => o.retval)).toEqual(expected);
    await waitFor(() => pool.guests().length === 2 && !pool.guests().some((g) => g.pid === victim.pid));
    expect(pool.metrics().restarts).toBe(restarts + 1);
    // an idle guest killed from outside is replaced too
    const idle = pool.guests()[1];
    process.kill(idle.pid!, 'SIGKILL');
    await waitFor(() => pool.guests().length === 2 && !pool.guests().some((g) => g.pid === idle.pid));
    const [after] = await pool.run([returnProgram(77)]);
    expect(after.retval).toBe(77);
  });

  it('leaves no QEMU process behind after close', async () => {
    expect((await processesMentioning(runDir)).length).toBe(2);
    await pool.close();
    expect(await processesMentioning(runDir)).toEqual([]);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
