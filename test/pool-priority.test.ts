// A user's check on the real 7.2 while a campaign's batch waits for the same guest: the
// interactive request goes to the guest before every queued batch program (VmPool priority
// `interactive`), so it waits only for what the guest already has in its pipeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmPool, resolveKernel } from '../kernel/index.ts';
import { fanOutProgram, returnProgram } from './kernel-programs.ts';

let pool: VmPool;
beforeAll(async () => {
  pool = await VmPool.create({ kernel: resolveKernel('7.2'), size: 1, timeoutMs: 60_000, pipeline: 4 });
});
afterAll(async () => {
  await pool?.close();
});

describe('VmPool interactive priority', () => {
  it('an interactive program queued after 400 batch programs finishes within the first pipeline-full of them', async () => {
    const order: string[] = [];
    const batch = Array.from({ length: 400 }, () => fanOutProgram(3));
    const campaign = pool.run(batch, { onOutcome: (i) => order.push(`batch ${i}`) });
    await new Promise((r) => setTimeout(r, 50)); // the batch is in the queue and the guest's pipeline is full
    const check = pool.run([returnProgram(42)], { priority: 'interactive', onOutcome: () => order.push('check') });
    const [outcome] = await check;
    expect(outcome).toMatchObject({ verdict: 'accept', retval: 42 });
    // for a while after a check, batch programs go one at a time: the next check waits for one
    await new Promise((r) => setTimeout(r, 500));
    const submittedAt = order.length;
    const second = pool.run([returnProgram(43)], { priority: 'interactive', onOutcome: () => order.push('second check') });
    expect((await second)[0]).toMatchObject({ verdict: 'accept', retval: 43 });
    // the batch was still running (400 programs: on a quiet machine 40 were done within the 500 ms)
    expect(order.length).toBeLessThan(401);
    expect(order.indexOf('second check') - submittedAt).toBeLessThanOrEqual(1);
    const all = await campaign;
    expect(all.every((o) => o.verdict === 'accept')).toBe(true);
    // at most the 4 programs already in the guest's pipeline (plus one handed over meanwhile) before it
    expect(order.indexOf('check')).toBeLessThanOrEqual(5);
  });
});
