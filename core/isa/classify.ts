// Questions the verifier model, the generator and the reducer ask of one raw record: is it an
// LD_IMM64, a bpf-to-bpf call, a stack-argument access through r11, where does it jump.
import type { RawInsn } from './raw.ts';
import {
  BPF_ABS, BPF_CALL, BPF_DW, BPF_EXIT, BPF_IMM, BPF_IND, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_MEM, BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC, BPF_ST, BPF_STX, BPF_X, opClass, opMode, opOp, opSource,
} from './opcode.ts';

export const isLdImm64 = (i: RawInsn): boolean => i.code === (BPF_LD | BPF_IMM | BPF_DW);
/** LD_ABS / LD_IND, the cBPF carry-over packet loads */
export const isLdAbsInd = (i: RawInsn): boolean => opClass(i.code) === BPF_LD && (opMode(i.code) === BPF_ABS || opMode(i.code) === BPF_IND);
export const isPseudoCall = (i: RawInsn): boolean => i.code === (BPF_JMP | BPF_CALL) && i.src === BPF_PSEUDO_CALL;
export const isPseudoFunc = (i: RawInsn): boolean => isLdImm64(i) && i.src === BPF_PSEUDO_FUNC;
export const isExit = (i: RawInsn): boolean => i.code === (BPF_JMP | BPF_EXIT);
export const isGotoX = (i: RawInsn): boolean => (opClass(i.code) === BPF_JMP || opClass(i.code) === BPF_JMP32) && opOp(i.code) === BPF_JA && opSource(i.code) === BPF_X;

/** bpf_jmp_offset: JMP32|JA (gotol) carries its offset in imm */
export const jmpOffset = (i: RawInsn): number => (i.code === (BPF_JMP32 | BPF_JA) ? i.imm : i.off);

/** is_stack_arg_ldx / _st / _stx (include/linux/filter.h), with the profile's r11 number */
export const isStackArgLdx = (i: RawInsn, r: number): boolean => i.code === (BPF_LDX | BPF_MEM | BPF_DW) && i.src === r && i.off > 0 && i.off % 8 === 0;
export const isStackArgSt = (i: RawInsn, r: number): boolean => i.code === (BPF_ST | BPF_MEM | BPF_DW) && i.dst === r && i.off < 0 && i.off % 8 === 0;
export const isStackArgStx = (i: RawInsn, r: number): boolean => i.code === (BPF_STX | BPF_MEM | BPF_DW) && i.dst === r && i.off < 0 && i.off % 8 === 0;
