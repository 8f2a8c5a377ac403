// Round trip: a program exported as a kernel selftest and read back by the selftest importer
// is the same program (instructions, functions, type, maps) with the same expected result.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { disassemble } from '../isa/index.ts';
import { programFromAsm, programToJson, type Program } from '../program/index.ts';
import { RAW_ONLY_MUTATIONS, generatePrograms, type MutationKind } from '../gen/index.ts';
import { convertTest, expressionsOf, type Expected } from './convert.ts';
import { exportSelftest, type SelftestExpectation } from './export.ts';
import { readSelftestFile } from './extract.ts';

const fromAsm = (text: string): Program => programFromAsm(text);

/** The importer on an exported file, numeric literals standing in for gcc's evaluation. */
function importBack(text: string): Program {
  const file = readSelftestFile(text);
  const values = new Map(expressionsOf(file).filter((e) => /^\d+$/.test(e)).map((e) => [e, BigInt(e)] as const));
  const test = file.functions.find((f) => f.ann.sec !== undefined && f.ann.sec !== 'license');
  expect(test, 'a SEC() test function').toBeDefined();
  const r = convertTest(file, 'verifier_bpfdiff.c', test!, values);
  if (!r || !('program' in r)) throw new Error(`importer left it out: ${JSON.stringify(r)}`);
  return r.program;
}

/**
 * Each function by name (main first): its argument count, linkage and instructions, calls
 * written as the callee's name. libbpf (and so the importer) lays subprograms out in the order
 * they are first called, which need not be the original's order; the program is the same.
 */
function byFunction(p: Program, prefix = '') {
  const listing = disassemble(p.insns);
  const nameAt = new Map(p.funcs.map((f, i) => [f.start, i === 0 ? 'main' : f.name.replace(prefix, '')]));
  return Object.fromEntries(
    p.funcs.map((f, i) => {
      const end = p.funcs[i + 1]?.start ?? p.insns.length;
      const body = listing.filter((l) => l.index >= f.start && l.index < end).map((l) => l.text.replace(/call pc([+-]\d+)$/, (_m, off: string) => `call ${nameAt.get(l.index + 1 + Number(off))}`));
      return [i === 0 ? 'main' : f.name.replace(prefix, ''), { args: f.args, linkage: f.linkage, body }];
    }),
  );
}

function expectSame(back: Program, original: Program, name: string) {
  expect(byFunction(back, `${name}_`)).toEqual(byFunction(original));
  expect(back.funcs.map((f) => f.name.replace(`${name}_`, '')).slice(1).sort()).toEqual(original.funcs.map((f) => f.name).slice(1).sort());
  expect(back.progType).toBe(original.progType);
  expect(back.maps).toEqual(original.maps);
}

const OOPS = fromAsm(readFileSync(new URL('../../corpus/regressions/stack_arg_unreliable_btf_second_caller.s', import.meta.url), 'utf8'));

describe('exportSelftest', () => {
  it('writes the 7.2.13 oops reproducer in verifier_stack_arg.c style', () => {
    const text = exportSelftest(OOPS, {
      name: 'stack_arg_unreliable_btf_second_caller',
      description: 'stack_arg: callee with unreliable BTF called again without arg 6',
      expected: { verdict: 'reject', msg: 'callee expects 6 args, stack arg1 is not initialized' },
      comment: ['Linux 7.2.13 crashes: BUG: kernel NULL pointer dereference in check_load_mem'],
    });
    expect(text).toContain('__noinline __used __naked\nstatic long stack_arg_unreliable_btf_second_caller_f1(long a1, long a2, long a3, long a4, long a5, long a6)');
    expect(text).toContain('\t\t"r0 = *(u64 *)(r11 + 8);"');
    expect(text).toContain('\t\t"*(u64 *)(r11 - 8) = 256;"');
    expect(text).toContain('\t\t"call stack_arg_unreliable_btf_second_caller_f1;"');
    expect(text).toMatch(/SEC\("tc"\)\n__description\("stack_arg: callee with unreliable BTF called again without arg 6"\)\n__failure\n__msg\("callee expects 6 args, stack arg1 is not initialized"\)\n__naked void stack_arg_unreliable_btf_second_caller\(void\)/);
    expect(text).toContain('defined(__BPF_FEATURE_STACK_ARGUMENT)');
    expect(text).toContain(' * Linux 7.2.13 crashes: BUG: kernel NULL pointer dereference in check_load_mem');
  });

  const cases: Array<[string, () => Program, SelftestExpectation]> = [
    ['the oops reproducer (stack arguments, three functions)', () => OOPS, { verdict: 'reject', msg: 'callee expects 6 args, stack arg1 is not initialized' }],
    ['a program with jumps, a helper call and a map', () => fromAsm(`
.map hash 8 8 1
.func main args=1
        r1 = 0
        *(u64 *)(r10 -8) = r1
        r2 = r10
        r2 += -8
        r1 = map[id:0] ll
        call bpf_map_lookup_elem#1
        if r0 == 0x0 goto out
        r0 = *(u64 *)(r0 +0)
out:
        r0 = 7
        exit`), { verdict: 'accept', retval: 7 }],
    ['a return value above INT_MAX', () => fromAsm('r0 = -2\nexit'), { verdict: 'accept', retval: 0xfffffffe }],
  ];
  for (const [what, make, expected] of cases) {
    it(`round-trips ${what} through the selftest importer`, () => {
      const program = make();
      const back = importBack(exportSelftest(program, { name: 'bpfdiff_test', description: 'bpfdiff: round trip', expected }));
      expectSame(back, program, 'bpfdiff_test');
      // where the callers come in the original's order, the layout is the original's too
      if (program === OOPS) expect(programToJson(back).insns).toBe(programToJson(program).insns);
      const e = back.meta?.expected as Expected;
      expect(e.verdict).toBe(expected.verdict);
      if (expected.msg) expect(e.msgs).toEqual([expected.msg]);
      if (expected.retval !== undefined) expect(e.retval).toBe(expected.retval);
    });
  }

  it("round-trips generated call graphs (seed 1, the first 100 programs) through the importer", () => {
    let checked = 0;
    for (const program of generatePrograms(1, 100, {}, 0)) {
      if (program.maps.length > 0) continue;
      // reserved fields have no text form in the kernel's syntax, so no selftest can carry them
      if (RAW_ONLY_MUTATIONS.has(program.meta?.mutation as MutationKind)) continue;
      const back = importBack(exportSelftest(program, { name: 'gen', description: 'generated', expected: { verdict: 'accept', retval: 0 } }));
      expectSame(back, program, 'gen');
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });
});
