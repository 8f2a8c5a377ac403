// The 7.2.13 verifier oops on a real 7.2 guest: its outcome is titled by what faulted and keeps
// the verifier log up to the crash (the agent's log buffer lives in the shared file), whose last
// instruction line is the load that faulted. And the oops text arrives whole while the host is
// too busy to read it promptly, as a campaign's host is (kernel/console-file.ts).
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
    pool = await VmPool.create({ kernel: resolveKernel('7.2'), size: 2, timeoutMs: 20_000 });
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

  // campaign g6: an oops' first line read in with the answer of the request before the crasher
  // (pipelined on the same guest) was charged to that request as a kernel-warning, and the guest's
  // restart cut the crasher's own report short of the line that names the function
  it('charges each oops to the program that crashed, whole, never to the one answered before it', async () => {
    const crasher = programFromAsm(readFileSync(SOURCE, 'utf8'));
    const quick = programFromAsm('.type xdp\n.func main args=1\n  r0 = 2\n  exit\n');
    const programs = Array.from({ length: 6 }, () => [quick, quick, crasher]).flat();
    const outcomes = await pool.run(programs);
    expect(outcomes.map((o) => o.verdict)).toEqual(programs.map((p) => (p === crasher ? 'crash' : 'accept')));
    expect(outcomes.filter((o) => o.verdict === 'accept' && o.console).map((o) => o.console)).toEqual([]);
    for (const o of outcomes.filter((x) => x.verdict === 'crash')) expect(consoleTitle(o.console)?.title).toBe('BUG: kernel NULL pointer dereference in check_load_mem');
  });

  it("keeps every character of 6 oops reports while the host's event loop is blocked 300 ms in every 350", async () => {
    const program = programFromAsm(readFileSync(SOURCE, 'utf8'));
    const busy = setInterval(() => {
      const t = Date.now();
      while (Date.now() - t < 300);
    }, 350);
    let outcomes;
    try {
      outcomes = await pool.run(Array.from({ length: 6 }, () => program));
    } finally {
      clearInterval(busy);
    }
    // the oops prints the faulting registers twice (at the fault, and again after the end-trace
    // line): both copies must be identical, 11 lines from RIP to CR4, naming check_load_mem
    const registerBlocks = (text: string): string[] => {
      const lines = text.split('\n').map((l) => l.replace(/^\[[ \d.]+\] /, ''));
      return lines.flatMap((l, i) => (l.startsWith('RIP: 0010:') ? [lines.slice(i, i + 11).join('\n')] : []));
    };
    for (const o of outcomes) {
      expect(o.verdict).toBe('crash');
      const [first, second, ...more] = registerBlocks(o.console ?? '');
      expect(more).toEqual([]);
      expect(first).toMatch(/^RIP: 0010:check_load_mem\+0x[0-9a-f]+\/0x[0-9a-f]+\n[^]*\nCR2: [0-9a-f]{16} CR3: [0-9a-f]{16} CR4: [0-9a-f]{16}$/);
      expect(second).toBe(first);
    }
  }, 300_000);
});
