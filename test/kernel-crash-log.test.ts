// The 7.2.13 verifier oops on a real 7.2 guest: its outcome is titled by what faulted and keeps
// the verifier log up to the crash (the agent's log buffer lives in the shared file), whose last
// instruction line is the load that faulted.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes, consoleTitle } from '../core/diff/index.ts';
import { modelVerify } from '../core/diff/index.ts';
import { programFromAsm } from '../core/program/index.ts';
import { VmPool, resolveKernel } from '../kernel/index.ts';

const SOURCE = new URL('../corpus/regressions/stack_arg_unreliable_btf_second_caller.s', import.meta.url);

describe('a real 7.2.13 oops keeps its verifier log', () => {
  let pool: VmPool;
  beforeAll(async () => {
    pool = await VmPool.create({ kernel: resolveKernel('7.2'), size: 1, timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('crashes in check_load_mem, and the log ends at the r11 +8 load of the second call of f1', async () => {
    const program = programFromAsm(readFileSync(SOURCE, 'utf8'));
    const [outcome] = await pool.run([program]);
    expect(outcome.verdict).toBe('crash');
    expect(consoleTitle(outcome.console)?.title).toBe('BUG: kernel NULL pointer dereference in check_load_mem');
    const lines = (outcome.log ?? '').trimEnd().split('\n');
    // f3 (insn 7) calls f1 again: frame 2 is where the load faults
    expect(lines).toContain('7: (85) call pc-4');
    expect(lines.at(-1)).toMatch(/^4: \(79\) r0 = \*\(u64 \*\)\(r11 \+8\)$/);
    const [d] = compareOutcomes(modelVerify()(program, '7.2'), outcome);
    expect(d.class).toBe('kernel-crash');
    expect(d.reason).toBe('BUG: kernel NULL pointer dereference in check_load_mem');
  });
});
