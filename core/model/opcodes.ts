// Opcode byte layout (include/uapi/linux/bpf.h, bpf_common.h) and the kernel's opcode table.
import type { RawInsn } from '../isa/raw.ts';

export const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03, BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_JMP32 = 0x06, BPF_ALU64 = 0x07;
export const BPF_K = 0x00, BPF_X = 0x08;
export const BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10, BPF_DW = 0x18;
export const BPF_IMM = 0x00, BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MEM = 0x60, BPF_MEMSX = 0x80, BPF_ATOMIC = 0xc0;
export const BPF_JA = 0x00, BPF_CALL = 0x80, BPF_EXIT = 0x90, BPF_JCOND = 0xe0;
export const BPF_PSEUDO_CALL = 1, BPF_PSEUDO_KFUNC_CALL = 2, BPF_PSEUDO_FUNC = 4;

export const cls = (code: number): number => code & 0x07;
export const op = (code: number): number => code & 0xf0;
export const src = (code: number): number => code & 0x08;
export const mode = (code: number): number => code & 0xe0;
export const size = (code: number): number => code & 0x18;
export const sizeBytes = (code: number): number => ({ [BPF_W]: 4, [BPF_H]: 2, [BPF_B]: 1, [BPF_DW]: 8 })[size(code)]!;

export const isLdImm64 = (i: RawInsn): boolean => i.code === (BPF_LD | BPF_IMM | BPF_DW);
export const isPseudoCall = (i: RawInsn): boolean => i.code === (BPF_JMP | BPF_CALL) && i.src === BPF_PSEUDO_CALL;
export const isHelperCall = (i: RawInsn): boolean => i.code === (BPF_JMP | BPF_CALL) && i.src === 0;
export const isPseudoFunc = (i: RawInsn): boolean => isLdImm64(i) && i.src === BPF_PSEUDO_FUNC;
export const isExit = (i: RawInsn): boolean => i.code === (BPF_JMP | BPF_EXIT);
export const isGotoX = (i: RawInsn): boolean => (cls(i.code) === BPF_JMP || cls(i.code) === BPF_JMP32) && op(i.code) === BPF_JA && src(i.code) === BPF_X;

/** bpf_jmp_offset: JMP32|JA carries its offset in imm */
export const jmpOffset = (i: RawInsn): number => (i.code === (BPF_JMP32 | BPF_JA) ? i.imm : i.off);

/** is_stack_arg_ldx / _st / _stx (include/linux/filter.h), with the profile's r11 number */
export const isStackArgLdx = (i: RawInsn, r: number): boolean => i.code === (BPF_LDX | BPF_MEM | BPF_DW) && i.src === r && i.off > 0 && i.off % 8 === 0;
export const isStackArgSt = (i: RawInsn, r: number): boolean => i.code === (BPF_ST | BPF_MEM | BPF_DW) && i.dst === r && i.off < 0 && i.off % 8 === 0;
export const isStackArgStx = (i: RawInsn, r: number): boolean => i.code === (BPF_STX | BPF_MEM | BPF_DW) && i.dst === r && i.off < 0 && i.off % 8 === 0;

/** bpf_opcode_in_insntable (kernel/bpf/core.c BPF_INSN_MAP) */
const INSN_TABLE: Set<number> = (() => {
  const s = new Set<number>();
  const aluOps = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];
  for (const c of [BPF_ALU, BPF_ALU64]) {
    for (const o of aluOps) for (const sx of [BPF_X, BPF_K]) s.add(c | o | sx);
    s.add(c | 0x80 | BPF_K); // NEG
  }
  s.add(BPF_ALU | 0xd0 | 0x00); // END to_le
  s.add(BPF_ALU | 0xd0 | 0x08); // END to_be
  s.add(BPF_ALU64 | 0xd0 | 0x00); // bswap
  const jmpOps = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
  for (const c of [BPF_JMP, BPF_JMP32]) for (const o of jmpOps) for (const sx of [BPF_X, BPF_K]) s.add(c | o | sx);
  s.add(BPF_JMP | BPF_JA);
  s.add(BPF_JMP | BPF_JA | BPF_X);
  s.add(BPF_JMP32 | BPF_JA);
  s.add(BPF_JMP | BPF_CALL);
  s.add(BPF_JMP | BPF_EXIT);
  s.add(BPF_JMP | BPF_JCOND);
  for (const sz of [BPF_B, BPF_H, BPF_W, BPF_DW]) {
    s.add(BPF_STX | BPF_MEM | sz);
    s.add(BPF_ST | BPF_MEM | sz);
    s.add(BPF_LDX | BPF_MEM | sz);
  }
  for (const sz of [BPF_B, BPF_H, BPF_W]) s.add(BPF_LDX | BPF_MEMSX | sz);
  for (const sz of [BPF_B, BPF_H, BPF_W, BPF_DW]) s.add(BPF_STX | BPF_ATOMIC | sz);
  for (const sz of [BPF_B, BPF_H, BPF_W]) {
    s.add(BPF_LD | BPF_ABS | sz);
    s.add(BPF_LD | BPF_IND | sz);
  }
  s.add(BPF_LD | BPF_IMM | BPF_DW);
  return s;
})();

export const opcodeInTable = (code: number): boolean => INSN_TABLE.has(code);

export const ALU_NAMES: Record<number, string> = {
  0x00: '+=', 0x10: '-=', 0x20: '*=', 0x30: '/=', 0x40: '|=', 0x50: '&=', 0x60: '<<=', 0x70: '>>=', 0x80: 'neg', 0x90: '%=', 0xa0: '^=', 0xb0: '=', 0xc0: 's>>=', 0xd0: 'endian',
};
