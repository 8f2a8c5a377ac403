// Global functions with pointer arguments: the model's verdict, errno, reason line and retval for
// each program of global-args.cases.ts equal what Debian's 7.2.13 did with it (test/global-ptr-args
// checks the same list on the real kernel), and the rules of each new check are hit.
import { describe, expect, it } from 'vitest';
import { PROFILES, check, verify } from './index.ts';
import { asm } from './test-programs.ts';
import { GLOBAL_ARG_CASES } from './global-args.cases.ts';
import { programFromAsm } from '../program/index.ts';

const outcome = (source: string, profile: keyof typeof PROFILES) => {
  const o = verify(programFromAsm(source), PROFILES[profile], { jit: false });
  return { verdict: o.verdict, errno: o.errno, message: o.message, ...(o.retval !== undefined ? { retval: o.retval } : {}) };
};

describe('global functions with pointer arguments', () => {
  for (const c of GLOBAL_ARG_CASES) {
    it(`7.2 and 7.3: ${c.name}`, () => {
      expect(outcome(c.source, 'linux-7.2')).toEqual(c.expect);
      expect(outcome(c.source, 'linux-7.3')).toEqual(c.on73 ? { ...c.expect, message: c.on73 } : c.expect);
    });
  }

  it('6.12 lets NULL through to an arg:nonnull argument (its kernel then oopses in the test run)', () => {
    const nullToNonnull = GLOBAL_ARG_CASES.find((c) => c.name === 'NULL for an arg:nonnull memory argument')!;
    expect(check(programFromAsm(nullToNonnull.source), PROFILES['linux-6.12']).result).toBeUndefined();
    expect(check(programFromAsm(nullToNonnull.source), PROFILES['linux-7.2']).result).toMatchObject({ errno: 22 });
    // every other case: 6.12 as 7.2 (measured on 6.12.117)
    for (const c of GLOBAL_ARG_CASES.filter((x) => x !== nullToNonnull)) expect(outcome(c.source, 'linux-6.12'), c.name).toEqual(c.expect);
  });

  it('starts a global function with the states its BTF gives, and records the rules', () => {
    const seen = new Set<string>();
    const p = asm(`.func main args=1\nr2 = r10\nr2 += -16\ncall g\nexit\n.func g args=3 global types=ctx,mem:16,mem:8:nonnull\nr0 = 0\nexit\n`);
    // the caller passes r3 = not initialised for a nonnull memory argument
    expect(verify(p, PROFILES['linux-7.2'], { coverage: seen }).message).toBe("Caller passes invalid args into func#1 ('g')");
    const ok = asm(`.func main args=1\nr2 = r10\nr2 += -16\nr3 = r10\nr3 += -24\ncall g\nexit\n.func g args=3 global types=ctx,mem:16,mem:8:nonnull\nr0 = *(u32 *)(r1 +0)\nif r2 == 0x0 goto pc+1\n*(u64 *)(r2 +8) = r0\n*(u64 *)(r3 +0) = r0\nr0 = 0\nexit\n`);
    const o = verify(ok, PROFILES['linux-7.2'], { coverage: seen });
    expect(o.verdict).toBe('accept');
    for (const id of [
      'do_check_common:ctx-arg', 'do_check_common:mem-or-null-arg', 'do_check_common:mem-arg', 'btf_check_func_arg_match:ctx',
      'btf_check_func_arg_match:mem-stack', 'mark_ptr_or_null_regs:mem', 'check_mem_access:mem-write',
    ]) expect(seen, id).toContain(id);
  });
});
