// Conditional jumps on scalars: deciding a branch (is_branch_taken / is_scalar_branch_taken) and
// refining both edges (regs_refine_cond_op, simulate_both_branches_taken) as kernel/bpf/verifier.c does.
import { Cnum, c32FromSRange, c32FromURange, c32Intersect, c64FromSRange, c64FromURange, c64Intersect } from './cnum.ts';
import { Tnum, tnumAnd, tnumIntersect, tnumIsConst, tnumOr, tnumOverlap, tnumSubreg, tnumSubregIsConst, tnumWithSubreg } from './tnum.ts';
import { markUnbounded, rangeBoundsViolation, regBoundsSync, smax32, smax64, smin32, smin64, umax32, umax64, umin32, umin64 } from './bounds.ts';
import { W_SMAX, W_SMIN, W_ZERO, addHi, addLo, subHi, subLo, wFromS32, wFromU32, wLeS, wLeU, wLtS, wLtU } from './u64.ts';
import type { Reg } from './reg.ts';
import { refineEdge612 } from './bounds-612.ts';
import { BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_X } from '../../isa/index.ts';

const M32 = 0xffffffff;

const FLIP: Record<number, number> = {
  [BPF_JEQ]: BPF_JEQ, [BPF_JNE]: BPF_JNE, [BPF_JSET]: BPF_JSET, [BPF_JGE]: BPF_JLE, [BPF_JGT]: BPF_JLT,
  [BPF_JLE]: BPF_JGE, [BPF_JLT]: BPF_JGT, [BPF_JSGE]: BPF_JSLE, [BPF_JSGT]: BPF_JSLT, [BPF_JSLE]: BPF_JSGE, [BPF_JSLT]: BPF_JSGT,
};
export const flipOpcode = (op: number): number => FLIP[op] ?? 0;

function revOpcode(op: number): number {
  switch (op) {
    case BPF_JEQ: return BPF_JNE;
    case BPF_JNE: return BPF_JEQ;
    case BPF_JSET: return BPF_JSET | BPF_X;
    case BPF_JSET | BPF_X: return BPF_JSET;
    case BPF_JGE: return BPF_JLT;
    case BPF_JGT: return BPF_JLE;
    case BPF_JLE: return BPF_JGT;
    case BPF_JLT: return BPF_JGE;
    case BPF_JSGE: return BPF_JSLT;
    case BPF_JSGT: return BPF_JSLE;
    case BPF_JSLE: return BPF_JSGT;
    case BPF_JSLT: return BPF_JSGE;
    default: return 0;
  }
}

export function isRegConst(r: Reg, jmp32: boolean): boolean {
  return jmp32 ? tnumSubregIsConst(r.varOff) : tnumIsConst(r.varOff);
}
export function regConstValue(r: Reg, jmp32: boolean): bigint {
  return jmp32 ? BigInt(r.varOff.vl >>> 0) : r.varOff.value;
}

const S32_MIN = -0x80000000, S32_MAX = 0x7fffffff;

/** regs_refine_cond_op: narrow reg1/reg2 assuming `reg1 op reg2` holds */
export function refineCondOp(reg1: Reg, reg2: Reg, op: number, jmp32: boolean): void {
  switch (op) {
    case BPF_JGE: case BPF_JGT: case BPF_JSGE: case BPF_JSGT:
      op = flipOpcode(op);
      [reg1, reg2] = [reg2, reg1];
      break;
  }
  switch (op) {
    case BPF_JEQ:
      if (jmp32) {
        reg1.r32 = c32Intersect(reg1.r32, reg2.r32);
        reg2.r32 = reg1.r32;
        const t = tnumIntersect(tnumSubreg(reg1.varOff), tnumSubreg(reg2.varOff));
        reg1.varOff = tnumWithSubreg(reg1.varOff, t);
        reg2.varOff = tnumWithSubreg(reg2.varOff, t);
      } else {
        reg1.r64 = c64Intersect(reg1.r64, reg2.r64);
        reg2.r64 = reg1.r64;
        reg1.varOff = tnumIntersect(reg1.varOff, reg2.varOff);
        reg2.varOff = reg1.varOff;
      }
      break;
    case BPF_JNE: {
      if (!isRegConst(reg2, jmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, jmp32)) break;
      // every value but v: the arc from v + 1 of size UMAX - 1
      const v = reg2.varOff;
      if (jmp32) reg1.r32 = c32Intersect(reg1.r32, new Cnum(0, (v.vl + 1) | 0, 0, -2));
      else reg1.r64 = c64Intersect(reg1.r64, new Cnum(addHi(v.vh, v.vl, 0, 1), addLo(v.vl, 1), -1, -2));
      break;
    }
    case BPF_JSET: {
      if (!isRegConst(reg2, jmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, jmp32)) break;
      const vh = jmp32 ? 0 : reg2.varOff.vh, vl = reg2.varOff.vl;
      // a single bit only
      const oneBit = vh === 0 ? vl !== 0 && (vl & (vl - 1)) === 0 : vl === 0 && (vh & (vh - 1)) === 0;
      if (!oneBit) break;
      const bit = new Tnum(vh, vl, 0, 0);
      if (jmp32) reg1.varOff = tnumWithSubreg(reg1.varOff, tnumOr(tnumSubreg(reg1.varOff), bit));
      else reg1.varOff = tnumOr(reg1.varOff, bit);
      break;
    }
    case BPF_JSET | BPF_X: {
      if (!isRegConst(reg2, jmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, jmp32)) break;
      const vh = jmp32 ? 0 : reg2.varOff.vh, vl = reg2.varOff.vl;
      markUnbounded(reg1);
      const notV = new Tnum(~vh, ~vl, 0, 0);
      if (jmp32) reg1.varOff = tnumWithSubreg(reg1.varOff, tnumAnd(tnumSubreg(reg1.varOff), notV));
      else reg1.varOff = tnumAnd(reg1.varOff, notV);
      break;
    }
    case BPF_JLE:
      if (jmp32) {
        reg1.r32 = c32Intersect(reg1.r32, c32FromURange(0, umax32(reg2)));
        reg2.r32 = c32Intersect(reg2.r32, c32FromURange(umin32(reg1), M32));
      } else {
        const m = umax64(reg2);
        reg1.r64 = c64Intersect(reg1.r64, c64FromURange(0, 0, m.h, m.l));
        const n = umin64(reg1);
        reg2.r64 = c64Intersect(reg2.r64, c64FromURange(n.h, n.l, -1, -1));
      }
      break;
    case BPF_JLT:
      if (jmp32) {
        reg1.r32 = c32Intersect(reg1.r32, c32FromURange(0, umax32(reg2) - 1));
        reg2.r32 = c32Intersect(reg2.r32, c32FromURange(umin32(reg1) + 1, M32));
      } else {
        const m = umax64(reg2);
        reg1.r64 = c64Intersect(reg1.r64, c64FromURange(0, 0, subHi(m.h, m.l, 0, 1), subLo(m.l, 1)));
        const n = umin64(reg1);
        reg2.r64 = c64Intersect(reg2.r64, c64FromURange(addHi(n.h, n.l, 0, 1), addLo(n.l, 1), -1, -1));
      }
      break;
    case BPF_JSLE:
      if (jmp32) {
        reg1.r32 = c32Intersect(reg1.r32, c32FromSRange(S32_MIN, smax32(reg2)));
        reg2.r32 = c32Intersect(reg2.r32, c32FromSRange(smin32(reg1), S32_MAX));
      } else {
        const m = smax64(reg2);
        reg1.r64 = c64Intersect(reg1.r64, c64FromSRange(W_SMIN.h, W_SMIN.l, m.h, m.l));
        const n = smin64(reg1);
        reg2.r64 = c64Intersect(reg2.r64, c64FromSRange(n.h, n.l, W_SMAX.h, W_SMAX.l));
      }
      break;
    case BPF_JSLT:
      if (jmp32) {
        reg1.r32 = c32Intersect(reg1.r32, c32FromSRange(S32_MIN, smax32(reg2) - 1));
        reg2.r32 = c32Intersect(reg2.r32, c32FromSRange(smin32(reg1) + 1, S32_MAX));
      } else {
        const m = smax64(reg2);
        reg1.r64 = c64Intersect(reg1.r64, c64FromSRange(W_SMIN.h, W_SMIN.l, subHi(m.h, m.l, 0, 1), subLo(m.l, 1)));
        const n = smin64(reg1);
        reg2.r64 = c64Intersect(reg2.r64, c64FromSRange(addHi(n.h, n.l, 0, 1), addLo(n.l, 1), W_SMAX.h, W_SMAX.l));
      }
      break;
    default:
      break;
  }
}

export interface BranchRegs {
  true1: Reg;
  true2: Reg;
  false1: Reg;
  false2: Reg;
}

/** simulate_both_branches_taken: refine both edges, an edge whose ranges become empty is dead */
function simulateBoth(b: BranchRegs, op: number, jmp32: boolean): -1 | 0 | 1 {
  refineCondOp(b.false1, b.false2, revOpcode(op), jmp32);
  regBoundsSync(b.false1);
  regBoundsSync(b.false2);
  if (rangeBoundsViolation(b.false1) || rangeBoundsViolation(b.false2)) return 1;
  refineCondOp(b.true1, b.true2, op, jmp32);
  regBoundsSync(b.true1);
  regBoundsSync(b.true2);
  if (rangeBoundsViolation(b.true1) || rangeBoundsViolation(b.true2)) return 0;
  return -1;
}

/**
 * is_scalar_branch_taken: 1 = always, 0 = never, -1 = unknown (then b holds both refined edges).
 * `legacy612`: 6.12's, by the ranges only (no same-register case, no simulation of the edges:
 * the caller refines them with regSetMinMax612)
 */
export function scalarBranchTaken(reg1: Reg, reg2: Reg, sameReg: boolean, op: number, jmp32: boolean, b: BranchRegs, legacy612 = false): -1 | 0 | 1 {
  let t1 = jmp32 ? tnumSubreg(reg1.varOff) : reg1.varOff;
  let t2 = jmp32 ? tnumSubreg(reg2.varOff) : reg2.varOff;
  // the 32-bit bounds widened to u64 / s64, so that one set of comparisons serves both widths
  const umin1 = jmp32 ? wFromU32(umin32(reg1)) : umin64(reg1), umax1 = jmp32 ? wFromU32(umax32(reg1)) : umax64(reg1);
  const smin1 = jmp32 ? wFromS32(smin32(reg1)) : smin64(reg1), smax1 = jmp32 ? wFromS32(smax32(reg1)) : smax64(reg1);
  const umin2 = jmp32 ? wFromU32(umin32(reg2)) : umin64(reg2), umax2 = jmp32 ? wFromU32(umax32(reg2)) : umax64(reg2);
  const smin2 = jmp32 ? wFromS32(smin32(reg2)) : smin64(reg2), smax2 = jmp32 ? wFromS32(smax32(reg2)) : smax64(reg2);
  if (sameReg && !legacy612) {
    switch (op) {
      case BPF_JGE: case BPF_JLE: case BPF_JSGE: case BPF_JSLE: case BPF_JEQ: return 1;
      case BPF_JGT: case BPF_JLT: case BPF_JSGT: case BPF_JSLT: case BPF_JNE: return 0;
      case BPF_JSET:
        if (tnumIsConst(t1)) return (t1.vh | t1.vl) !== 0 ? 1 : 0;
        return !wLtS(W_ZERO, smin1) && !wLtS(smax1, W_ZERO) ? -1 : 1;
      default: return -1;
    }
  }
  switch (op) {
    case BPF_JEQ:
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.vh === t2.vh && t1.vl === t2.vl ? 1 : 0;
      if (!tnumOverlap(t1, t2)) return 0;
      if (wLtU(umax2, umin1) || wLtU(umax1, umin2)) return 0;
      if (wLtS(smax2, smin1) || wLtS(smax1, smin2)) return 0;
      if (!jmp32 && cross32(reg1, reg2)) return 0;
      break;
    case BPF_JNE:
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.vh !== t2.vh || t1.vl !== t2.vl ? 1 : 0;
      if (!tnumOverlap(t1, t2)) return 1;
      if (wLtU(umax2, umin1) || wLtU(umax1, umin2)) return 1;
      if (wLtS(smax2, smin1) || wLtS(smax1, smin2)) return 1;
      if (!jmp32 && cross32(reg1, reg2)) return 1;
      break;
    case BPF_JSET: {
      let r2 = reg2;
      if (!isRegConst(r2, jmp32)) {
        r2 = reg1;
        [t1, t2] = [t2, t1];
      }
      if (!isRegConst(r2, jmp32)) return -1;
      if (((~t1.mh & t1.vh & t2.vh) | (~t1.ml & t1.vl & t2.vl)) !== 0) return 1;
      if ((((t1.mh | t1.vh) & t2.vh) | ((t1.ml | t1.vl) & t2.vl)) === 0) return 0;
      break;
    }
    case BPF_JGT: if (wLtU(umax2, umin1)) return 1; if (wLeU(umax1, umin2)) return 0; break;
    case BPF_JSGT: if (wLtS(smax2, smin1)) return 1; if (wLeS(smax1, smin2)) return 0; break;
    case BPF_JLT: if (wLtU(umax1, umin2)) return 1; if (wLeU(umax2, umin1)) return 0; break;
    case BPF_JSLT: if (wLtS(smax1, smin2)) return 1; if (wLeS(smax2, smin1)) return 0; break;
    case BPF_JGE: if (wLeU(umax2, umin1)) return 1; if (wLtU(umax1, umin2)) return 0; break;
    case BPF_JSGE: if (wLeS(smax2, smin1)) return 1; if (wLtS(smax1, smin2)) return 0; break;
    case BPF_JLE: if (wLeU(umax1, umin2)) return 1; if (wLtU(umax2, umin1)) return 0; break;
    case BPF_JSLE: if (wLeS(smax1, smin2)) return 1; if (wLtS(smax2, smin1)) return 0; break;
  }
  return legacy612 ? -1 : simulateBoth(b, op, jmp32);
}

/**
 * reg_set_min_max of 6.12: both edges refined and synced on min/max pairs; a register whose bounds
 * break an invariant is left unbounded (bounds-612.ts). `sameReg`: reg1 and reg2 are one register
 * (the kernel refines it through both pointers). Returns how many registers broke an invariant.
 */
export function regSetMinMax612(b: BranchRegs, op: number, jmp32: boolean, sameReg: boolean): number {
  return refineEdge612(b.false1, b.false2, revOpcode(op), jmp32, sameReg) + refineEdge612(b.true1, b.true2, op, jmp32, sameReg);
}

/** the 32-bit ranges of reg1 and reg2 do not meet */
function cross32(reg1: Reg, reg2: Reg): boolean {
  return umin32(reg1) > umax32(reg2) || umax32(reg1) < umin32(reg2) || smin32(reg1) > smax32(reg2) || smax32(reg1) < smin32(reg2);
}
