// Two kernels that accept a program and return different values are a cross-kernel finding,
// unless the model says the run is not reproducible (a clock, a random number, never-written
// stack reaching the result): then the values differ by chance. The 10,000-program campaign
// of 2026-12-04 reported 8 such programs (a clock read reaching the retval) as 7.2~7.3 findings.
import { describe, expect, it } from 'vitest';
import type { Outcome, Program } from '../program/index.ts';
import { programFromAsm } from '../program/index.ts';
import { runBatch } from './run-batch.ts';

const program: Program = programFromAsm('r0 = 0\nexit');
const targets = [{ id: '7.2', profile: '7.2' }, { id: '7.3', profile: '7.3' }];
const runner = { run: async (ps: Program[], k: string) => ps.map((): Outcome => ({ verdict: 'accept', errno: 0, message: '', kernel: k, retval: k === '7.2' ? 1 : 2 })) };

describe('cross-kernel findings', () => {
  it('two kernels returning different values for a reproducible run: one finding', async () => {
    const verify = (): Outcome => ({ verdict: 'accept', errno: 0, message: '', kernel: 'model', retval: 1 });
    const r = await runBatch([program], targets, { runner, verify });
    expect(r.byClass['cross-kernel']).toBe(1);
  });

  it('the same when the model calls the run unpredictable: no finding', async () => {
    const verify = (): Outcome => ({ verdict: 'accept', errno: 0, message: '', kernel: 'model', retval: 1, unpredictable: 'reads a clock' });
    const r = await runBatch([program], targets, { runner, verify });
    expect(r.byClass['cross-kernel'] ?? 0).toBe(0);
  });
});
