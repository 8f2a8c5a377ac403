// `bpfdiff export --selftest` on a real 7.2 kernel: the exported test, read back through the
// selftest importer, is loaded by the real kernel with the result its annotation states.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelVerify } from '../core/diff/index.ts';
import { programFromAsm, programToJson, type Program } from '../core/program/index.ts';
import { convertTest, expressionsOf, type Expected } from '../core/selftests/convert.ts';
import { readSelftestFile } from '../core/selftests/extract.ts';
import { selftestFor } from '../core/selftests/finding.ts';
import { checkAnnotation } from '../core/selftests/score.ts';
import { VmPool, resolveKernel } from '../kernel/index.ts';

const fromAsm = (path: string): Program => programFromAsm(readFileSync(new URL(path, import.meta.url), 'utf8'));

function importBack(text: string): Program {
  const file = readSelftestFile(text);
  const values = new Map(expressionsOf(file).filter((e) => /^\d+$/.test(e)).map((e) => [e, BigInt(e)] as const));
  const r = convertTest(file, 'verifier_bpfdiff.c', file.functions.find((f) => f.ann.sec === 'tc')!, values);
  if (!r || !('program' in r)) throw new Error(`left out: ${JSON.stringify(r)}`);
  return r.program;
}

describe('exported selftests on a real 7.2 kernel', () => {
  let pool: VmPool;
  beforeAll(async () => {
    pool = await VmPool.create({ kernel: resolveKernel('7.2'), size: 1, timeoutMs: 20_000, keepLog: true });
  });
  afterAll(async () => {
    await pool?.close();
  });

  const cases: Array<[string, string, Partial<Expected>]> = [
    ['an accepted 7-argument call', '../examples/seven-args.s', { verdict: 'accept', retval: 1315 }],
    ['a rejected 13th argument', '../examples/thirteen-args.s', { verdict: 'reject', msgs: ['stack arg write offset -64 exceeds max 7 stack args'] }],
  ];
  for (const [what, path, want] of cases) {
    it(`${what}: the kernel loads the exported test with the annotated result`, async () => {
      const program = fromAsm(path);
      const [actual] = await pool.run([program]);
      const exported = selftestFor({ program, actual, model: modelVerify()(program, '7.2'), kernelId: '7.2', name: 'bpfdiff_export' });
      expect(exported.basis).toBe('kernel');
      const back = importBack(exported.selftest);
      const expected = back.meta!.expected as Expected;
      expect(expected).toMatchObject(want);
      const [again] = await pool.run([back]);
      expect(checkAnnotation(expected, again)).toEqual({ matches: true });
    });
  }

  it('the 7.2.13 oops: annotated with the model\'s fixed-kernel outcome and a comment naming the crash; 7.2.13 still crashes on it', async () => {
    const program = fromAsm('../corpus/regressions/stack_arg_unreliable_btf_second_caller.s');
    const [actual] = await pool.run([program]);
    expect(actual.verdict).toBe('crash');
    const exported = selftestFor({ program, actual, model: modelVerify()(program, '7.2'), kernelId: '7.2', name: 'stack_arg_unreliable_btf' });
    expect(exported.basis).toBe('model');
    expect(exported.selftest).toContain('crashes: BUG: kernel NULL pointer dereference in check_load_mem.');
    const back = importBack(exported.selftest);
    expect(programToJson(back).insns).toBe(programToJson(program).insns);
    const [again] = await pool.run([back]);
    expect(again.verdict).toBe('crash'); // the test fails on the buggy kernel, as a regression test should
  });
});
