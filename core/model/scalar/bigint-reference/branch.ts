// Conditional jumps on scalars: deciding a branch (is_branch_taken / is_scalar_branch_taken) and
// refining both edges (regs_refine_cond_op, simulate_both_branches_taken) as kernel/bpf/verifier.c does.
import { C32, C64 } from './cnum.ts';
import { U32, U64, tnumAnd, tnumConst, tnumIntersect, tnumIsConst, tnumOr, tnumOverlap, tnumSubreg, tnumWithSubreg } from './tnum.ts';
import { markUnbounded, rangeBoundsViolation, regBoundsSync, s32max, s32min, smax, smin, u32max, u32min, umax, umin } from './bounds.ts';
import type { Reg } from './reg.ts';

export const BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40, BPF_JNE = 0x50, BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70, BPF_JLT = 0xa0, BPF_JLE = 0xb0, BPF_JSLT = 0xc0, BPF_JSLE = 0xd0;
const BPF_X = 0x08;

const FLIP: Record<number, number> = {
  [BPF_JEQ]: BPF_JEQ, [BPF_JNE]: BPF_JNE, [BPF_JSET]: BPF_JSET, [BPF_JGE]: BPF_JLE, [BPF_JGT]: BPF_JLT,
  [BPF_JLE]: BPF_JGE, [BPF_JLT]: BPF_JGT, [BPF_JSGE]: BPF_JSLE, [BPF_JSGT]: BPF_JSLT, [BPF_JSLE]: BPF_JSGE, [BPF_JSLT]: BPF_JSGT,
};
export const flipOpcode = (op: number): number => FLIP[op] ?? 0;

export function revOpcode(op: number): number {
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
  return jmp32 ? (r.varOff.mask & U32) === 0n : tnumIsConst(r.varOff);
}
export function regConstValue(r: Reg, jmp32: boolean): bigint {
  return jmp32 ? r.varOff.value & U32 : r.varOff.value;
}

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
        reg1.r32 = C32.intersect(reg1.r32, reg2.r32);
        reg2.r32 = reg1.r32;
        const t = tnumIntersect(tnumSubreg(reg1.varOff), tnumSubreg(reg2.varOff));
        reg1.varOff = tnumWithSubreg(reg1.varOff, t);
        reg2.varOff = tnumWithSubreg(reg2.varOff, t);
      } else {
        reg1.r64 = C64.intersect(reg1.r64, reg2.r64);
        reg2.r64 = reg1.r64;
        reg1.varOff = tnumIntersect(reg1.varOff, reg2.varOff);
        reg2.varOff = reg1.varOff;
      }
      break;
    case BPF_JNE: {
      if (!isRegConst(reg2, jmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, jmp32)) break;
      const v = regConstValue(reg2, jmp32);
      if (jmp32) reg1.r32 = C32.intersect(reg1.r32, { base: (v + 1n) & U32, size: U32 - 1n });
      else reg1.r64 = C64.intersect(reg1.r64, { base: (v + 1n) & U64, size: U64 - 1n });
      break;
    }
    case BPF_JSET: {
      if (!isRegConst(reg2, jmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, jmp32)) break;
      const v = regConstValue(reg2, jmp32);
      if (v === 0n || (v & (v - 1n)) !== 0n) break;
      if (jmp32) reg1.varOff = tnumWithSubreg(reg1.varOff, tnumOr(tnumSubreg(reg1.varOff), tnumConst(v)));
      else reg1.varOff = tnumOr(reg1.varOff, tnumConst(v));
      break;
    }
    case BPF_JSET | BPF_X: {
      if (!isRegConst(reg2, jmp32)) [reg1, reg2] = [reg2, reg1];
      if (!isRegConst(reg2, jmp32)) break;
      const v = regConstValue(reg2, jmp32);
      markUnbounded(reg1);
      if (jmp32) reg1.varOff = tnumWithSubreg(reg1.varOff, tnumAnd(tnumSubreg(reg1.varOff), tnumConst(~v & U64)));
      else reg1.varOff = tnumAnd(reg1.varOff, tnumConst(~v & U64));
      break;
    }
    case BPF_JLE:
      if (jmp32) {
        reg1.r32 = C32.intersect(reg1.r32, C32.fromURange(0n, u32max(reg2)));
        reg2.r32 = C32.intersect(reg2.r32, C32.fromURange(u32min(reg1), U32));
      } else {
        reg1.r64 = C64.intersect(reg1.r64, C64.fromURange(0n, umax(reg2)));
        reg2.r64 = C64.intersect(reg2.r64, C64.fromURange(umin(reg1), U64));
      }
      break;
    case BPF_JLT:
      if (jmp32) {
        reg1.r32 = C32.intersect(reg1.r32, C32.fromURange(0n, (u32max(reg2) - 1n) & U32));
        reg2.r32 = C32.intersect(reg2.r32, C32.fromURange((u32min(reg1) + 1n) & U32, U32));
      } else {
        reg1.r64 = C64.intersect(reg1.r64, C64.fromURange(0n, (umax(reg2) - 1n) & U64));
        reg2.r64 = C64.intersect(reg2.r64, C64.fromURange((umin(reg1) + 1n) & U64, U64));
      }
      break;
    case BPF_JSLE:
      if (jmp32) {
        reg1.r32 = C32.intersect(reg1.r32, C32.fromSRange(-(1n << 31n), s32max(reg2)));
        reg2.r32 = C32.intersect(reg2.r32, C32.fromSRange(s32min(reg1), (1n << 31n) - 1n));
      } else {
        reg1.r64 = C64.intersect(reg1.r64, C64.fromSRange(-(1n << 63n), smax(reg2)));
        reg2.r64 = C64.intersect(reg2.r64, C64.fromSRange(smin(reg1), (1n << 63n) - 1n));
      }
      break;
    case BPF_JSLT:
      if (jmp32) {
        reg1.r32 = C32.intersect(reg1.r32, C32.fromSRange(-(1n << 31n), BigInt.asIntN(32, s32max(reg2) - 1n)));
        reg2.r32 = C32.intersect(reg2.r32, C32.fromSRange(BigInt.asIntN(32, s32min(reg1) + 1n), (1n << 31n) - 1n));
      } else {
        reg1.r64 = C64.intersect(reg1.r64, C64.fromSRange(-(1n << 63n), BigInt.asIntN(64, smax(reg2) - 1n)));
        reg2.r64 = C64.intersect(reg2.r64, C64.fromSRange(BigInt.asIntN(64, smin(reg1) + 1n), (1n << 63n) - 1n));
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

/** is_scalar_branch_taken: 1 = always, 0 = never, -1 = unknown (then b holds both refined edges) */
export function scalarBranchTaken(reg1: Reg, reg2: Reg, sameReg: boolean, op: number, jmp32: boolean, b: BranchRegs): -1 | 0 | 1 {
  let t1 = jmp32 ? tnumSubreg(reg1.varOff) : reg1.varOff;
  let t2 = jmp32 ? tnumSubreg(reg2.varOff) : reg2.varOff;
  const umin1 = jmp32 ? u32min(reg1) : umin(reg1), umax1 = jmp32 ? u32max(reg1) : umax(reg1);
  const smin1 = jmp32 ? s32min(reg1) : smin(reg1), smax1 = jmp32 ? s32max(reg1) : smax(reg1);
  const umin2 = jmp32 ? u32min(reg2) : umin(reg2), umax2 = jmp32 ? u32max(reg2) : umax(reg2);
  const smin2 = jmp32 ? s32min(reg2) : smin(reg2), smax2 = jmp32 ? s32max(reg2) : smax(reg2);
  if (sameReg) {
    switch (op) {
      case BPF_JGE: case BPF_JLE: case BPF_JSGE: case BPF_JSLE: case BPF_JEQ: return 1;
      case BPF_JGT: case BPF_JLT: case BPF_JSGT: case BPF_JSLT: case BPF_JNE: return 0;
      case BPF_JSET:
        if (tnumIsConst(t1)) return t1.value !== 0n ? 1 : 0;
        return smin1 <= 0n && smax1 >= 0n ? -1 : 1;
      default: return -1;
    }
  }
  const cross32 = (): boolean =>
    u32min(reg1) > u32max(reg2) || u32max(reg1) < u32min(reg2) || s32min(reg1) > s32max(reg2) || s32max(reg1) < s32min(reg2);
  switch (op) {
    case BPF_JEQ:
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.value === t2.value ? 1 : 0;
      if (!tnumOverlap(t1, t2)) return 0;
      if (umin1 > umax2 || umax1 < umin2) return 0;
      if (smin1 > smax2 || smax1 < smin2) return 0;
      if (!jmp32 && cross32()) return 0;
      break;
    case BPF_JNE:
      if (tnumIsConst(t1) && tnumIsConst(t2)) return t1.value !== t2.value ? 1 : 0;
      if (!tnumOverlap(t1, t2)) return 1;
      if (umin1 > umax2 || umax1 < umin2) return 1;
      if (smin1 > smax2 || smax1 < smin2) return 1;
      if (!jmp32 && cross32()) return 1;
      break;
    case BPF_JSET: {
      let r2 = reg2;
      if (!isRegConst(r2, jmp32)) {
        r2 = reg1;
        [t1, t2] = [t2, t1];
      }
      if (!isRegConst(r2, jmp32)) return -1;
      if (~t1.mask & t1.value & t2.value) return 1;
      if (!((t1.mask | t1.value) & t2.value)) return 0;
      break;
    }
    case BPF_JGT: if (umin1 > umax2) return 1; if (umax1 <= umin2) return 0; break;
    case BPF_JSGT: if (smin1 > smax2) return 1; if (smax1 <= smin2) return 0; break;
    case BPF_JLT: if (umax1 < umin2) return 1; if (umin1 >= umax2) return 0; break;
    case BPF_JSLT: if (smax1 < smin2) return 1; if (smin1 >= smax2) return 0; break;
    case BPF_JGE: if (umin1 >= umax2) return 1; if (umax1 < umin2) return 0; break;
    case BPF_JSGE: if (smin1 >= smax2) return 1; if (smax1 < smin2) return 0; break;
    case BPF_JLE: if (umax1 <= umin2) return 1; if (umin1 > umax2) return 0; break;
    case BPF_JSLE: if (smax1 <= smin2) return 1; if (smin1 > smax2) return 0; break;
  }
  return simulateBoth(b, op, jmp32);
}
