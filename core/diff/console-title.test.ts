import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../program/index.ts';
import { compareOutcomes, divergenceSignature } from './compare.ts';
import { consoleTitle } from './console-title.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
// consoles of the real Debian 7.2.13 kernel verifying corpus/regressions/stack_arg_unreliable_btf_second_caller
// and programs of the seed-1 campaign: the same bug with fault address 0 and 0x1b8
const OOPS = readdirSync(new URL('./fixtures/', import.meta.url)).filter((f) => f.startsWith('oops-7.2.13-'));

const model: Outcome = { verdict: 'reject', errno: 14, message: 'callee expects 6 args, stack arg1 is not initialized', kernel: 'model:linux-7.2' };
const crash = (console: string): Outcome => ({ verdict: 'crash', errno: 0, message: console.split('\n')[0], kernel: '7.2.13+deb14-amd64', console });

describe('console titles (syzbot form)', () => {
  it('titles the 7.2.13 oops by what faulted and where, whatever the fault address', () => {
    expect(OOPS.length).toBeGreaterThanOrEqual(2);
    const addresses = new Set<string>();
    for (const name of OOPS) {
      const text = fixture(name);
      addresses.add(/NULL pointer dereference, address: (\w+)/.exec(text)![1]);
      expect(consoleTitle(text)).toEqual({ title: 'BUG: kernel NULL pointer dereference in check_load_mem', kind: 'BUG: kernel NULL pointer dereference', func: 'check_load_mem' });
    }
    expect(addresses.size).toBeGreaterThanOrEqual(2); // two address variants really are in the fixtures
  });

  it('names a fault in a JITed program bpf_prog, whatever its tag and function name', () => {
    // 6.12.118 running a global function that dereferences NULL it was let through (corpus/regressions/global_nonnull_arg_null.s)
    const jited = (sym: string) => `BUG: kernel NULL pointer dereference, address: 0000000000000000\n#PF: supervisor read access in kernel mode\nRIP: 0010:${sym}+0x14/0x1c\nCall Trace:\n <TASK>\n bpf_test_run+0x10d/0x2b0\n`;
    for (const sym of ['bpf_prog_432fb91ae9bdd7e2_g3', 'bpf_prog_acff37ecd44c257a_g2']) {
      expect(consoleTitle(jited(sym))).toEqual({ title: 'BUG: kernel NULL pointer dereference in bpf_prog', kind: 'BUG: kernel NULL pointer dereference', func: 'bpf_prog' });
    }
  });

  it('keeps the title when the serial console dropped characters of one of the two RIP lines', () => {
    // seen on a quiet machine in bench/crash.bench.ts: "in coad_mem" for 1 of 17 crashes
    for (const name of OOPS) {
      const text = fixture(name);
      const first = text.indexOf('RIP: 0010:check_load_mem');
      const second = text.indexOf('RIP: 0010:check_load_mem', first + 1);
      expect(second).toBeGreaterThan(first);
      for (const at of [first, second]) {
        const garbled = text.slice(0, at) + text.slice(at).replace('check_load_mem', 'coad_mem');
        expect(consoleTitle(garbled)?.title).toBe('BUG: kernel NULL pointer dereference in check_load_mem');
      }
    }
  });

  it('gives both address variants one signature, with no address, offset or mutation in it', () => {
    const sigs = new Set(
      OOPS.map((name) => {
        const [d] = compareOutcomes(model, crash(fixture(name)));
        expect(d.class).toBe('kernel-crash');
        return divergenceSignature(d.class, d.reason, name.includes('null-0') ? 'missing-store-after-unreliable' : undefined);
      }),
    );
    expect([...sigs]).toEqual(['kernel-crash|BUG: kernel NULL pointer dereference in check_load_mem']);
  });

  it('takes the function of a WARN from its report line, 7.2 form and the older form', () => {
    const v72 = [
      '[   12.000001] ------------[ cut here ]------------',
      '[   12.000002] WARNING: kernel/bpf/verifier.c:21043 at check_stack_arg_write+0x1a3/0x260, CPU#0: bd-7/91',
      '[   12.000003] Modules linked in:',
      '[   12.000004] RIP: 0010:check_stack_arg_write+0x1a3/0x260',
      '[   12.000005] Call Trace:',
      '[   12.000006]  <TASK>',
      '[   12.000007]  do_check_common+0x1248/0x3a20',
    ].join('\n');
    expect(consoleTitle(v72)?.title).toBe('WARNING in check_stack_arg_write');
    expect(consoleTitle('WARNING: CPU: 0 PID: 77 at kernel/bpf/verifier.c:123 do_check+0x1/0x2\n')?.title).toBe('WARNING in do_check');
  });

  it('titles a WARN raised through a generic helper by the first frame that is not one', () => {
    const text = [
      'WARNING: at __warn_printk+0x10/0x20, CPU#0: bd-1/90',
      'Call Trace:',
      ' <TASK>',
      ' ? __warn+0x80/0x120',
      ' report_bug+0x20/0x40',
      ' bpf_patch_insn_data+0x44/0x90',
      ' bpf_check+0x11/0x20',
    ].join('\n');
    expect(consoleTitle(text)?.title).toBe('WARNING in bpf_patch_insn_data');
  });

  it('titles hangs by their stack', () => {
    const lockup = [
      '[  40.1] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [bd-3:95]',
      '[  40.2] RIP: 0010:do_check_common+0x4b0/0x3a20',
    ].join('\n');
    expect(consoleTitle(lockup)?.title).toBe('BUG: soft lockup in do_check_common');
    const hung = ['INFO: task bd-4:96 blocked for more than 122 seconds.', 'Call Trace:', ' <TASK>', ' __schedule+0x1/0x2', ' schedule+0x1/0x2', ' bpf_prog_load+0x64d/0xfa0'].join('\n');
    expect(consoleTitle(hung)?.title).toBe('INFO: task hung in bpf_prog_load');
  });

  it('gives a hang that printed nothing one signature whatever its timeout', () => {
    const hang = (ms: number): Outcome => ({ verdict: 'hang', errno: 0, message: `no answer within ${ms} ms`, kernel: '7.2.13+deb14-amd64' });
    const a = compareOutcomes(model, hang(10_000))[0];
    const b = compareOutcomes(model, hang(60_000))[0];
    expect(divergenceSignature(a.class, a.reason, 'x')).toBe(divergenceSignature(b.class, b.reason, 'y'));
  });

  it('leaves verdict and reason signatures as they were', () => {
    expect(divergenceSignature('reason', 'stack arg write offset -64 exceeds max 7 stack args', 'store-past-max')).toBe('reason|stack arg write offset -N exceeds max N stack args|store-past-max');
  });
});
