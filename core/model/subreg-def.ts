// Which 32-bit BPF_CMPXCHG results are later read as 64 bits (kernel/bpf/verifier.c: a register's
// subreg_def, set by __check_reg_arg for a 32-bit definition; mark_insn_zext, which a 64-bit read
// per bpf_is_reg64 calls, sets insn_aux_data[def].zext_dst). x86-64's JIT does not ask for zero
// extension (bpf_jit_needs_zext is false), so bpf_opt_subreg_zext_lo32_rnd_hi32 inserts it after a
// cmpxchg only (fixups/zext.ts): the walk records those cmpxchg insns. Other 32-bit definitions
// need nothing on x86-64, so only a cmpxchg's R0 carries a definition here; any other write of a
// register drops it (the kernel would point subreg_def at that insn, whose zext_dst is unused).
import type { RawInsn } from '../isa/raw.ts';
import {
  BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_CMPXCHG, BPF_DW, BPF_END, BPF_EXIT, BPF_FETCH, BPF_JA, BPF_IND, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX,
  BPF_MOV, BPF_PSEUDO_CALL, BPF_ST, BPF_STX, BPF_W, BPF_X, opClass, opMode, opOp, opSize, opSource,
} from '../isa/index.ts';
import { helperProto } from './helpers.ts';
import { cover } from './coverage.ts';
import { curFrame, type VState } from './state.ts';

const isCmpxchg32 = (insn: RawInsn): boolean =>
  opClass(insn.code) === BPF_STX && opMode(insn.code) === BPF_ATOMIC && opSize(insn.code) === BPF_W && insn.imm === BPF_CMPXCHG;

/** the registers `insn` reads as 64 bits (bpf_is_reg64 with SRC_OP, for the operands check_reg_arg reads) */
function reads64(insn: RawInsn): number[] {
  const c = opClass(insn.code), o = opOp(insn.code);
  const x = opSource(insn.code) === BPF_X;
  switch (c) {
    case BPF_ALU64:
      if (o === BPF_END) return insn.imm === 64 ? [insn.dst] : [];
      if (o === BPF_MOV) return x ? [insn.src] : [];
      return x ? [insn.dst, insn.src] : [insn.dst];
    case BPF_ALU:
      // BPF_END with imm 64 (to_le/to_be 64) is a 64-bit read of dst
      return o === BPF_END && insn.imm === 64 ? [insn.dst] : [];
    case BPF_JMP:
      if (o === BPF_EXIT) return [0];
      if (o === BPF_CALL) {
        if (insn.src === BPF_PSEUDO_CALL) return [];
        const n = helperProto(insn.imm)?.args.length ?? 0;
        return [1, 2, 3, 4, 5].slice(0, n);
      }
      if (o === BPF_JA) return [];
      return x ? [insn.dst, insn.src] : [insn.dst];
    case BPF_STX: {
      // a scalar operand of a store or atomic counts as 64 bits only for BPF_DW; R0 is cmpxchg's third
      if (opSize(insn.code) !== BPF_DW) return [];
      return opMode(insn.code) === BPF_ATOMIC && insn.imm === BPF_CMPXCHG ? [insn.src, 0] : [insn.src];
    }
    case BPF_LD:
      // LD_IND's explicit source register, any width (LD_ABS/LD_IND read the implicit R6 ctx as well)
      return opMode(insn.code) === BPF_IND ? [insn.src] : [];
    default:
      return [];
  }
}

/** the register `insn` writes (insn_def_regno), -1 for none */
function defReg(insn: RawInsn): number {
  const c = opClass(insn.code);
  if (c === BPF_JMP || c === BPF_JMP32 || c === BPF_ST) return -1;
  if (c === BPF_STX) {
    if (opMode(insn.code) !== BPF_ATOMIC) return -1;
    if (insn.imm === BPF_CMPXCHG) return 0;
    return insn.imm & BPF_FETCH ? insn.src : -1;
  }
  return c === BPF_LD || c === BPF_LDX || c === BPF_ALU || c === BPF_ALU64 ? insn.dst : -1;
}

/** before `insn` is checked: mark_insn_zext for each 64-bit read of a cmpxchg's 32-bit R0 */
export function markZextReads(st: VState, insn: RawInsn, zextDst: Set<number>): void {
  const regs = curFrame(st).regs;
  for (const r of reads64(insn)) {
    const reg = regs[r];
    if (reg?.subregDef === undefined) continue;
    cover('mark_insn_zext:cmpxchg32');
    zextDst.add(reg.subregDef);
    regs[r] = { ...reg, subregDef: undefined };
  }
}

/** after `insn` (at `idx`) was checked on a path that goes on: the register it wrote */
export function recordDef(st: VState, insn: RawInsn, idx: number): void {
  const r = defReg(insn);
  if (r < 0) return;
  const regs = curFrame(st).regs;
  const reg = regs[r];
  if (!reg) return;
  if (isCmpxchg32(insn)) regs[r] = { ...reg, subregDef: idx };
  else if (reg.subregDef !== undefined) regs[r] = { ...reg, subregDef: undefined };
}

