// Calls (calls.ts): helper and subprogram calls in the real 7.2.13 image of
// testdata/rules/calls.s, masked or predicted from the functions' addresses.
import { describe, expect, it } from 'vitest';
import { jitProgram } from './compile.ts';
import { codeOf, predict, rule, underMask } from './testdata/fixture.ts';

describe('calls (emit_call)', () => {
  it('masks the rel32 of helper and subprogram calls', () => {
    const f = rule('calls');
    const res = predict(f);
    expect(codeOf(res.image, res, 2)).toBe('e8........');
    expect(codeOf(res.image, res, 9)).toBe('e8........');
    expect(res.maskKinds).toEqual(['helper-call', 'subprog-call', 'subprog-call', 'subprog-call']);
    expect(underMask(f.image, res)).toBe(underMask(res.image, res));
  });

  it('predicts a subprogram call rel32 from jited_ksyms', () => {
    const f = rule('calls');
    const k = 0xffffffffc0001000n;
    // where the kernel put six, eight and twelve relative to main (from its image's rel32s)
    const ksyms = [k, k + 304n, k + 384n, k + 520n];
    const res = jitProgram(Buffer.from(f.xlated, 'hex'), f.funcs, undefined, undefined, { ksyms });
    expect(res.maskKinds).toEqual(['helper-call']);
    expect(codeOf(res.image, res, 9)).toBe('e8de000000');
    expect(codeOf(res.image, res, 19)).toBe('e8f6000000');
    expect(codeOf(res.image, res, 33)).toBe('e82a010000');
    expect(underMask(res.image, res)).toBe(underMask(f.image, res));
  });
});
