// Function entry and exit (prologue.ts) against the real 7.2.13 images of the rule programs.
import { describe, expect, it } from 'vitest';
import { codeOf, predict, prologueOf, rule } from './testdata/fixture.ts';

const ENTRY = 'f30f1efa' + '0f1f440000' + '0f1f00' + '55' + '4889e5' + 'f30f1efa'; // endbr64; nop5 (fentry); nop3; push rbp; mov rbp, rsp; endbr64

describe('prologue and epilogue (emit_prologue, push_callee_regs, emit_return)', () => {
  it('pushes only the callee-saved registers the function uses, and no stack when it has none', () => {
    const f = rule('shifts');
    const res = predict(f);
    for (const hex of [res.image, f.image]) expect(prologueOf(hex, f, res, 0)).toBe(ENTRY + '4155'); // r7 only: push r13
  });

  it('allocates the rounded stack with sub rsp, imm32 always', () => {
    const f = rule('memory');
    const res = predict(f);
    for (const hex of [res.image, f.image]) expect(prologueOf(hex, f, res, 0)).toBe(ENTRY + '4881ecd8000000' + '53415541564157');
  });

  it('reserves the outgoing stack-argument area below the callee-saved registers and frees it at the exit', () => {
    const f = rule('calls');
    const res = predict(f);
    for (const hex of [res.image, f.image]) {
      // stack 8; push rbx; push r13; sub rsp, 0x30 (arguments 7..12 of `twelve`)
      expect(prologueOf(hex, f, res, 0)).toBe(ENTRY + '4881ec08000000' + '534155' + '4883ec30');
      expect(codeOf(hex, res, 35, 10)).toBe('4883c430' + '415d5b' + 'c9c3cc'); // add rsp, 0x30; pop r13; pop rbx; leave; ret; int3
      expect(prologueOf(hex, f, res, 1)).toBe(ENTRY); // six: nothing saved
      expect(prologueOf(hex, f, res, 2)).toBe(ENTRY + '4881ec10000000' + '53' + '4155' + '4156');
    }
    expect(res.funcLens).toEqual(f.funcLens);
  });

  it('returns through a masked return-thunk jump on Haswell', () => {
    const f = rule('shifts', 'Haswell');
    const res = predict(f);
    expect(codeOf(res.image, res, 18, 9)).toBe('415dc9e9........');
    expect(codeOf(f.image, res, 18, 9)).toBe('415dc9e9........');
    expect(res.maskKinds).toEqual(['return-thunk']);
  });
});
