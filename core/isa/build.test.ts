// The builders produce the same bytes as the assembler for the 7-argument call of docs/KERNEL-NOTES.md.
import { describe, expect, it } from 'vitest';
import { assemble, build as b, encode, IsaError, rawToHex } from './index.ts';

describe('builders', () => {
  it('encode f(1, 2, 3, 4, 5, 600, 700) like the assembler does', () => {
    const viaBuilders = encode([
      b.mov64(b.R1, 1), b.mov64(b.R2, 2), b.mov64(b.R3, 3), b.mov64(b.R4, 4), b.mov64(b.R5, 5),
      b.stMem('DW', b.R11, -8, 600), b.stMem('DW', b.R11, -16, 700),
      b.callSubprog(1), b.exit(),
      b.ldxMem('DW', b.R6, b.R11, 8), b.ldxMem('DW', b.R7, b.R11, 16), b.mov64(b.R0, b.reg(b.R1)),
      b.alu64('add', b.R0, b.reg(b.R6)), b.alu64('add', b.R0, b.reg(b.R7)), b.exit(),
    ]);
    const viaText = assemble(`
      r1 = 1
      r2 = 2
      r3 = 3
      r4 = 4
      r5 = 5
      *(u64 *)(r11 -8) = 600
      *(u64 *)(r11 -16) = 700
      call f
      exit
    .func f args=7
      r6 = *(u64 *)(r11 +8)
      r7 = *(u64 *)(r11 +16)
      r0 = r1
      r0 += r6
      r0 += r7
      exit`);
    expect(rawToHex(viaBuilders)).toBe(rawToHex(viaText.insns));
    expect(viaText.funcs).toEqual([
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'f', start: 9, args: 7, linkage: 'static' },
    ]);
  });

  it('encode refuses fields that do not fit, naming the slot', () => {
    expect(() => encode([b.exit(), b.ldImm64(b.R1, 1n), b.ja(40000)])).toThrow(
      new IsaError(3, 'offset 40000 does not fit a signed 16-bit off'),
    );
    expect(() => encode([b.mov64(12, 0)])).toThrow('insn 0: dst_reg r12 out of range (r0..r11)');
  });
});

describe('opcode parts', () => {
  it('split the opcode byte the way bpf_common.h packs it', async () => {
    const { opcodeParts } = await import('./index.ts');
    expect(opcodeParts(0x7a)).toMatchObject({ cls: 'ST', size: 'DW', mode: 0x60 });
    expect(opcodeParts(0xdb)).toMatchObject({ cls: 'STX', size: 'DW', mode: 0xc0 });
    expect(opcodeParts(0x3c)).toMatchObject({ cls: 'ALU', source: 'X', aluOp: 'DIV' });
    expect(opcodeParts(0xa6)).toMatchObject({ cls: 'JMP32', source: 'K', jmpOp: 'JLT' });
    expect(opcodeParts(0xf5).jmpOp).toBeUndefined();
  });
});
