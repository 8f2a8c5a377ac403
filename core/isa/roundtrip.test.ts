// Property: any valid instruction survives encode -> decode and disassemble -> assemble unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, decode, disassemble, encode, rawToHex, type Insn } from './index.ts';

const reg = fc.integer({ min: 0, max: 11 });
const off = fc.oneof(fc.constantFrom(-0x8000, 0x7fff, 0, -1), fc.integer({ min: -0x8000, max: 0x7fff }));
const imm = fc.oneof(fc.constantFrom(-0x8000_0000, 0x7fff_ffff, 0, -1), fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }));
const width = fc.constantFrom(32 as const, 64 as const);
const size = fc.constantFrom('B' as const, 'H' as const, 'W' as const, 'DW' as const);
const subword = fc.constantFrom('B' as const, 'H' as const, 'W' as const);
const operand = fc.oneof(reg.map((r) => ({ reg: r })), imm.map((i) => ({ imm: i })));
const aluOp = fc.constantFrom('add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'mod', 'smod', 'xor', 'mov', 'arsh' as const);
const cond = fc.constantFrom('jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle' as const);
const atomicOp = fc.constantFrom(
  'add', 'or', 'and', 'xor', 'fetch_add', 'fetch_or', 'fetch_and', 'fetch_xor', 'xchg', 'cmpxchg', 'load_acquire', 'store_release' as const,
);
const u64 = fc.oneof(fc.constantFrom(0n, 1n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffffn), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const u32 = fc.bigInt({ min: 0n, max: 0xffff_ffffn });

export const validInsn: fc.Arbitrary<Insn> = fc.oneof(
  fc.record({ kind: fc.constant('alu' as const), width, op: aluOp, dst: reg, src: operand }),
  fc.record({ kind: fc.constant('neg' as const), width, dst: reg }),
  fc.record({ kind: fc.constant('movsx' as const), width: fc.constant(64 as const), bits: fc.constantFrom(8 as const, 16 as const, 32 as const), dst: reg, src: reg }),
  fc.record({ kind: fc.constant('movsx' as const), width: fc.constant(32 as const), bits: fc.constantFrom(8 as const, 16 as const), dst: reg, src: reg }),
  fc.record({ kind: fc.constant('endian' as const), order: fc.constantFrom('le' as const, 'be' as const, 'bswap' as const), bits: fc.constantFrom(16 as const, 32 as const, 64 as const), dst: reg }),
  fc.record({ kind: fc.constant('addr_space_cast' as const), dst: reg, src: reg, dstAs: fc.constant(0), srcAs: fc.constant(1) }),
  fc.record({ kind: fc.constant('addr_space_cast' as const), dst: reg, src: reg, dstAs: fc.constant(1), srcAs: fc.constant(0) }),
  fc.record({ kind: fc.constant('ldx' as const), size, signed: fc.constant(false), dst: reg, src: reg, off }),
  fc.record({ kind: fc.constant('ldx' as const), size: subword, signed: fc.constant(true), dst: reg, src: reg, off }),
  fc.record({ kind: fc.constant('stx' as const), size, dst: reg, src: reg, off }),
  fc.record({ kind: fc.constant('st' as const), size, dst: reg, off, imm }),
  fc.record({ kind: fc.constant('atomic' as const), size, op: atomicOp, dst: reg, src: reg, off }),
  fc.record({ kind: fc.constant('ld_abs' as const), size: subword, imm }),
  fc.record({ kind: fc.constant('ld_ind' as const), size: subword, src: reg, imm }),
  fc.record({ kind: fc.constant('ld_imm64' as const), dst: reg, pseudo: fc.constantFrom('none' as const, 'map_value' as const, 'map_idx_value' as const, 'btf_id' as const, 'func' as const), imm64: u64 }),
  fc.record({ kind: fc.constant('ld_imm64' as const), dst: reg, pseudo: fc.constantFrom('map_fd' as const, 'map_idx' as const), imm64: u32 }),
  fc.record({ kind: fc.constant('jmp' as const), width, cond, dst: reg, src: operand, off }),
  fc.record({ kind: fc.constant('ja' as const), off }),
  fc.record({ kind: fc.constant('gotol' as const), imm }),
  fc.record({ kind: fc.constant('gotox' as const), dst: reg }),
  fc.record({ kind: fc.constant('may_goto' as const), off }),
  fc.record({ kind: fc.constant('call' as const), target: fc.constantFrom('helper' as const, 'subprog' as const), imm, off: fc.constant(0) }),
  fc.record({ kind: fc.constant('call' as const), target: fc.constant('kfunc' as const), imm, off }),
  fc.constant({ kind: 'exit' as const }),
);

describe('round trips of random valid instructions', () => {
  it('encode -> decode gives the instruction back', () => {
    fc.assert(
      fc.property(fc.array(validInsn, { minLength: 1, maxLength: 8 }), (insns) => {
        expect(decode(encode(insns))).toEqual(insns);
      }),
      { numRuns: 3000 },
    );
  });

  it('disassemble -> assemble gives the same bytes, and the same text again', () => {
    fc.assert(
      fc.property(fc.array(validInsn, { minLength: 1, maxLength: 8 }), (insns) => {
        const raw = encode(insns);
        const lines = disassemble(raw);
        const source = lines.map((l) => `${l.index}: ${l.text}`).join('\n');
        const back = assemble(source).insns;
        expect(rawToHex(back)).toBe(rawToHex(raw));
        expect(disassemble(back)).toEqual(lines);
      }),
      { numRuns: 3000 },
    );
  });
});
