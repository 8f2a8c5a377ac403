// One table per instruction class: raw bytes -> decoded fields -> kernel text -> bytes.
// The hex was written from the struct bpf_insn layout (code, src<<4|dst, le16 off, le32 imm),
// the text from kernel/bpf/disasm.c's format strings.
import { describe, expect, it } from 'vitest';
import { assembleInsn, decode, disassemble, encode, rawFromHex, rawToHex, type Insn } from './index.ts';

type Case = [hex: string, decoded: Insn, text: string];
const table: Record<string, Case[]> = {
  ALU64: [
    ['07010000f8ffffff', { kind: 'alu', width: 64, op: 'add', dst: 1, src: { imm: -8 } }, '(07) r1 += -8'],
    ['bf10000000000000', { kind: 'alu', width: 64, op: 'mov', dst: 0, src: { reg: 1 } }, '(bf) r0 = r1'],
    ['b701000000000080', { kind: 'alu', width: 64, op: 'mov', dst: 1, src: { imm: -2147483648 } }, '(b7) r1 = -2147483648'],
    ['8702000000000000', { kind: 'neg', width: 64, dst: 2 }, '(87) r2 = -r2'],
    ['bf10080000000000', { kind: 'movsx', width: 64, bits: 8, dst: 0, src: 1 }, '(bf) r0 = (s8)r1'],
    ['bf93200000000000', { kind: 'movsx', width: 64, bits: 32, dst: 3, src: 9 }, '(bf) r3 = (s32)r9'],
    ['3f32010000000000', { kind: 'alu', width: 64, op: 'sdiv', dst: 2, src: { reg: 3 } }, '(3f) r2 s/= r3'],
    ['9702010007000000', { kind: 'alu', width: 64, op: 'smod', dst: 2, src: { imm: 7 } }, '(97) r2 s%= 7'],
    ['c706000020000000', { kind: 'alu', width: 64, op: 'arsh', dst: 6, src: { imm: 32 } }, '(c7) r6 s>>= 32'],
    ['6f21000000000000', { kind: 'alu', width: 64, op: 'lsh', dst: 1, src: { reg: 2 } }, '(6f) r1 <<= r2'],
    ['d702000010000000', { kind: 'endian', order: 'bswap', bits: 16, dst: 2 }, '(d7) r2 = bswap16 r2'],
    ['bf01010001000000', { kind: 'addr_space_cast', dst: 1, src: 0, dstAs: 0, srcAs: 1 }, '(bf) r1 = addr_space_cast(r0, 0, 1)'],
  ],
  ALU: [
    ['b401000005000000', { kind: 'alu', width: 32, op: 'mov', dst: 1, src: { imm: 5 } }, '(b4) w1 = 5'],
    ['0c33000000000000', { kind: 'alu', width: 32, op: 'add', dst: 3, src: { reg: 3 } }, '(0c) w3 += w3'],
    ['8400000000000000', { kind: 'neg', width: 32, dst: 0 }, '(84) w0 = -w0'],
    ['dc02000010000000', { kind: 'endian', order: 'be', bits: 16, dst: 2 }, '(dc) r2 = be16 r2'],
    ['d402000040000000', { kind: 'endian', order: 'le', bits: 64, dst: 2 }, '(d4) r2 = le64 r2'],
    ['bc10100000000000', { kind: 'movsx', width: 32, bits: 16, dst: 0, src: 1 }, '(bc) w0 = (s16)w1'],
    ['3c32010000000000', { kind: 'alu', width: 32, op: 'sdiv', dst: 2, src: { reg: 3 } }, '(3c) w2 s/= w3'],
    ['a4010000ffffffff', { kind: 'alu', width: 32, op: 'xor', dst: 1, src: { imm: -1 } }, '(a4) w1 ^= -1'],
    ['94010000ffffff7f', { kind: 'alu', width: 32, op: 'mod', dst: 1, src: { imm: 2147483647 } }, '(94) w1 %= 2147483647'],
  ],
  JMP: [
    ['0500008000000000', { kind: 'ja', off: -32768 }, '(05) goto pc-32768'],
    ['2501030005000000', { kind: 'jmp', width: 64, cond: 'jgt', dst: 1, src: { imm: 5 }, off: 3 }, '(25) if r1 > 0x5 goto pc+3'],
    ['55000200ffffffff', { kind: 'jmp', width: 64, cond: 'jne', dst: 0, src: { imm: -1 }, off: 2 }, '(55) if r0 != 0xffffffff goto pc+2'],
    ['c501ff7f00000080', { kind: 'jmp', width: 64, cond: 'jslt', dst: 1, src: { imm: -2147483648 }, off: 32767 }, '(c5) if r1 s< 0x80000000 goto pc+32767'],
    ['bda2030000000000', { kind: 'jmp', width: 64, cond: 'jle', dst: 2, src: { reg: 10 }, off: 3 }, '(bd) if r2 <= r10 goto pc+3'],
    ['8500000001000000', { kind: 'call', target: 'helper', imm: 1, off: 0 }, '(85) call bpf_map_lookup_elem#1'],
    ['8510000003000000', { kind: 'call', target: 'subprog', imm: 3, off: 0 }, '(85) call pc+3'],
    ['85200000d2040000', { kind: 'call', target: 'kfunc', imm: 1234, off: 0 }, '(85) call kernel-function#1234'],
    ['85000000e7030000', { kind: 'call', target: 'helper', imm: 999, off: 0 }, '(85) call unknown#999'],
    ['9500000000000000', { kind: 'exit' }, '(95) exit'],
    ['e500010000000000', { kind: 'may_goto', off: 1 }, '(e5) may_goto pc+1'],
    ['0d02000000000000', { kind: 'gotox', dst: 2 }, '(0d) gotox r2'],
  ],
  JMP32: [
    ['06000000f4ffffff', { kind: 'gotol', imm: -12 }, '(06) gotol pc-12'],
    ['a60000000a000000', { kind: 'jmp', width: 32, cond: 'jlt', dst: 0, src: { imm: 10 }, off: 0 }, '(a6) if w0 < 0xa goto pc+0'],
    ['1e43000000000000', { kind: 'jmp', width: 32, cond: 'jeq', dst: 3, src: { reg: 4 }, off: 0 }, '(1e) if w3 == w4 goto pc+0'],
    ['4601ffff07000000', { kind: 'jmp', width: 32, cond: 'jset', dst: 1, src: { imm: 7 }, off: -1 }, '(46) if w1 & 0x7 goto pc-1'],
    ['7e65090000000000', { kind: 'jmp', width: 32, cond: 'jsge', dst: 5, src: { reg: 6 }, off: 9 }, '(7e) if w5 s>= w6 goto pc+9'],
  ],
  LD: [
    ['18020000010203040000000005060708', { kind: 'ld_imm64', dst: 2, pseudo: 'none', imm64: 0x807060504030201n }, '(18) r2 = 0x807060504030201'],
    ['18010000ffffffff00000000ffffffff', { kind: 'ld_imm64', dst: 1, pseudo: 'none', imm64: 0xffffffffffffffffn }, '(18) r1 = 0xffffffffffffffff'],
    ['18110000000000000000000000000000', { kind: 'ld_imm64', dst: 1, pseudo: 'map_fd', imm64: 0n }, '(18) r1 = map[id:0]'],
    ['18220000010000000000000010000000', { kind: 'ld_imm64', dst: 2, pseudo: 'map_value', imm64: (16n << 32n) | 1n }, '(18) r2 = map[id:1][0]+16'],
    ['18310000050000000000000000000000', { kind: 'ld_imm64', dst: 1, pseudo: 'btf_id', imm64: 5n }, '(18) r1 = btf_id[5]'],
    ['18430000fcffffff0000000000000000', { kind: 'ld_imm64', dst: 3, pseudo: 'func', imm64: 0xfffffffcn }, '(18) r3 = func[pc-4]'],
    ['300000002a000000', { kind: 'ld_abs', size: 'B', imm: 42 }, '(30) r0 = *(u8 *)skb[42]'],
    ['5030000000000000', { kind: 'ld_ind', size: 'B', src: 3, imm: 0 }, '(50) r0 = *(u8 *)skb[r3 + 0]'],
    ['28000000fcffffff', { kind: 'ld_abs', size: 'H', imm: -4 }, '(28) r0 = *(u16 *)skb[-4]'],
  ],
  LDX: [
    ['79b1080000000000', { kind: 'ldx', size: 'DW', signed: false, dst: 1, src: 11, off: 8 }, '(79) r1 = *(u64 *)(r11 +8)'],
    ['61a0fcff00000000', { kind: 'ldx', size: 'W', signed: false, dst: 0, src: 10, off: -4 }, '(61) r0 = *(u32 *)(r10 -4)'],
    ['6910020000000000', { kind: 'ldx', size: 'H', signed: false, dst: 0, src: 1, off: 2 }, '(69) r0 = *(u16 *)(r1 +2)'],
    ['9110000000000000', { kind: 'ldx', size: 'B', signed: true, dst: 0, src: 1, off: 0 }, '(91) r0 = *(s8 *)(r1 +0)'],
    ['8110008000000000', { kind: 'ldx', size: 'W', signed: true, dst: 0, src: 1, off: -32768 }, '(81) r0 = *(s32 *)(r1 -32768)'],
  ],
  ST: [
    ['7a0bf8ff58020000', { kind: 'st', size: 'DW', dst: 11, off: -8, imm: 600 }, '(7a) *(u64 *)(r11 -8) = 600'],
    ['620af8ff00000000', { kind: 'st', size: 'W', dst: 10, off: -8, imm: 0 }, '(62) *(u32 *)(r10 -8) = 0'],
    ['6a0afcff00000080', { kind: 'st', size: 'H', dst: 10, off: -4, imm: -2147483648 }, '(6a) *(u16 *)(r10 -4) = -2147483648'],
    ['720aff7f01000000', { kind: 'st', size: 'B', dst: 10, off: 32767, imm: 1 }, '(72) *(u8 *)(r10 +32767) = 1'],
  ],
  STX: [
    ['7b1bf0ff00000000', { kind: 'stx', size: 'DW', dst: 11, src: 1, off: -16 }, '(7b) *(u64 *)(r11 -16) = r1'],
    ['630af0ff00000000', { kind: 'stx', size: 'W', dst: 10, src: 0, off: -16 }, '(63) *(u32 *)(r10 -16) = r0'],
    ['7321000000000000', { kind: 'stx', size: 'B', dst: 1, src: 2, off: 0 }, '(73) *(u8 *)(r1 +0) = r2'],
    ['c310000000000000', { kind: 'atomic', size: 'W', op: 'add', dst: 0, src: 1, off: 0 }, '(c3) lock *(u32 *)(r0 +0) += r1'],
    ['db21080040000000', { kind: 'atomic', size: 'DW', op: 'or', dst: 1, src: 2, off: 8 }, '(db) lock *(u64 *)(r1 +8) |= r2'],
    ['db10000001000000', { kind: 'atomic', size: 'DW', op: 'fetch_add', dst: 0, src: 1, off: 0 }, '(db) r1 = atomic64_fetch_add((u64 *)(r0 +0), r1)'],
    ['c310fcffa1000000', { kind: 'atomic', size: 'W', op: 'fetch_xor', dst: 0, src: 1, off: -4 }, '(c3) r1 = atomic_fetch_xor((u32 *)(r0 -4), r1)'],
    ['db2af8ffe1000000', { kind: 'atomic', size: 'DW', op: 'xchg', dst: 10, src: 2, off: -8 }, '(db) r2 = atomic64_xchg((u64 *)(r10 -8), r2)'],
    ['db120000f1000000', { kind: 'atomic', size: 'DW', op: 'cmpxchg', dst: 2, src: 1, off: 0 }, '(db) r0 = atomic64_cmpxchg((u64 *)(r2 +0), r0, r1)'],
    ['db34f8ff00010000', { kind: 'atomic', size: 'DW', op: 'load_acquire', dst: 4, src: 3, off: -8 }, '(db) r4 = load_acquire((u64 *)(r3 -8))'],
    ['d334000000010000', { kind: 'atomic', size: 'B', op: 'load_acquire', dst: 4, src: 3, off: 0 }, '(d3) r4 = load_acquire((u8 *)(r3 +0))'],
    ['cb12f8ff10010000', { kind: 'atomic', size: 'H', op: 'store_release', dst: 2, src: 1, off: -8 }, '(cb) store_release((u16 *)(r2 -8), r1)'],
  ],
};

describe.each(Object.entries(table))('class %s', (_cls, cases) => {
  it.each(cases)('%s', (hex, decoded, text) => {
    const raw = rawFromHex(hex);
    const insns = decode(raw);
    expect(insns).toEqual([decoded]);
    expect(rawToHex(encode(insns))).toBe(hex);
    expect(disassemble(raw)).toEqual([{ index: 0, text }]);
    expect(rawToHex(assembleInsn(text))).toBe(hex);
  });
});
