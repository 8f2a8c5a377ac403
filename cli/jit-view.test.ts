// The side-by-side JIT listing of `bpfdiff disasm --jit` on real 7.2.13 images.
import { describe, expect, it } from 'vitest';
import { rawFromHex } from '../core/isa/raw.ts';
import { predict, rule } from '../core/jit/testdata/fixture.ts';
import { disassembleX86, jitSideBySide } from './jit-view.ts';

describe('jit side-by-side listing', () => {
  it('disassembles with iced-x86 and shows masked bytes as a run-time address', () => {
    const f = rule('calls');
    const res = predict(f);
    const native = disassembleX86(res.image, res.funcLens, res.masked);
    expect(native[0]).toMatchObject({ offset: 0, bytes: 'f30f1efa', asm: 'endbr64' });
    const call = native.find((n) => n.bytes === 'e8........');
    expect(call).toMatchObject({ asm: 'call <run-time address>', masked: true });
    expect(native.some((n) => n.asm === 'mov r9,rax')).toBe(true); // argument 6
  });

  it('puts each native instruction under its BPF instruction and reports agreement', () => {
    const f = rule('shifts', 'Haswell');
    const lines = jitSideBySide(predict(f), f.image, f.funcLens, rawFromHex(f.xlated), 'kernel 7.2');
    expect(lines[1]).toBe('; equal outside the 1 masked ranges');
    const at = lines.findIndex((l) => l.includes('; 10: (6f) r0 <<= r3'));
    expect(lines[at + 1]).toMatch(/^ {4}41 {2}c4e2e9f7c0 +shlx rax,rax,rdx +\| +41 {2}c4e2e9f7c0 +shlx rax,rax,rdx$/);
    expect(lines.some((l) => l.startsWith('>>'))).toBe(false);
  });

  it('marks the first native instruction that differs and names its BPF instruction', () => {
    const f = rule('shifts');
    // the kernel's `shl rax, 1` (48d1e0) for insn 6 replaced by `shr rax, 1` (48d1e8)
    const bad = f.image.replace('48d1e0', '48d1e8');
    const lines = jitSideBySide(predict(f), bad, f.funcLens, rawFromHex(f.xlated), 'kernel 7.2');
    expect(lines[1]).toBe('; first difference at byte 0x35 (func 0, insn 6: (67) r0 <<= 1)');
    const marked = lines.filter((l) => l.startsWith('>>'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(/shl rax,1 +\| +33 {2}48d1e8 +shr rax,1$/);
  });
});
