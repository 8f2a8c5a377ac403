// Scalar bounds as Linux 6.12 keeps them (kernel/bpf/verifier.c of 6.12: reg_bounds_sync with
// __update_reg_bounds, __reg32_deduce_bounds, __reg64_deduce_bounds, __reg_deduce_mixed_bounds,
// __reg_bound_offset; regs_refine_cond_op; reg_set_min_max with reg_bounds_sanity_check).
// 6.12 holds four min/max pairs (u64, s64, u32, s32) where 7.x holds two circular arcs, and lacks
// 7.x's refinements: __update_reg64_bounds's single tnum/u64 overlap point (tnum_step),
// cnum64_cnum32_intersect (64-bit bounds from where the low 32 bits may fall in each 2^32 block),
// and simulate_both_branches_taken (a branch whose refined bounds are empty is dead). The pairs
// are computed here from the register's arcs and written back as their intersection: one arc,
// where 6.12 could hold u64 and s64 ranges that meet in two places (a known gap).
import { C32, C64 } from './cnum.ts';
import { Tnum, tnumAnd, tnumIntersect, tnumIsConst, tnumOr, tnumRange, tnumSubreg, tnumSubregIsConst, tnumWithSubreg } from './tnum.ts';
import { wFromBig } from './u64.ts';
import type { Reg } from './reg.ts';
import { BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_X } from '../../isa/index.ts';

/** GE, GT, SGE, SGT as their mirror, for swapped operands */
const MIRROR: Record<number, number> = { [BPF_JGE]: BPF_JLE, [BPF_JGT]: BPF_JLT, [BPF_JSGE]: BPF_JSLE, [BPF_JSGT]: BPF_JSLT };

const U64_MAX = (1n << 64n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const U32_MAX = 0xffffffffn;
const S32_MIN = -0x80000000n;
const S32_MAX = 0x7fffffffn;
const HI = ~0xffffffffn;

const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** the bounds of struct bpf_reg_state in 6.12 (u values unsigned, s values signed BigInts) */
interface MinMax {
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
  u32min: bigint;
  u32max: bigint;
  s32min: bigint;
  s32max: bigint;
  t: Tnum;
}

function fromReg(r: Reg): MinMax {
  return {
    umin: C64.umin(r.r64), umax: C64.umax(r.r64), smin: C64.smin(r.r64), smax: C64.smax(r.r64),
    u32min: C32.umin(r.r32), u32max: C32.umax(r.r32), s32min: C32.smin(r.r32), s32max: C32.smax(r.r32), t: r.varOff,
  };
}

/** reg_bounds_sanity_check's range bounds violation */
const violated = (m: MinMax): boolean => m.umin > m.umax || m.smin > m.smax || m.u32min > m.u32max || m.s32min > m.s32max;

function toReg(m: MinMax, r: Reg): void {
  r.varOff = m.t;
  if (violated(m)) {
    r.r64 = C64.EMPTY;
    r.r32 = C32.EMPTY;
    return;
  }
  r.r64 = C64.intersect(C64.fromURange(m.umin, m.umax), C64.fromSRange(m.smin, m.smax));
  r.r32 = C32.intersect(C32.fromURange(m.u32min, m.u32max), C32.fromSRange(m.s32min, m.s32max));
}

/** __update_reg32_bounds, __update_reg64_bounds (6.12: no single-overlap step) */
function updateRegBounds(m: MinMax): void {
  const v32 = u32(m.t.value), k32 = u32(m.t.mask);
  m.s32min = max(m.s32min, s32(v32 | (k32 & 0x80000000n)));
  m.s32max = min(m.s32max, s32(v32 | (k32 & S32_MAX)));
  m.u32min = max(m.u32min, v32);
  m.u32max = min(m.u32max, v32 | k32);
  const v = m.t.value, k = m.t.mask;
  m.smin = max(m.smin, s64(v | (k & (1n << 63n))));
  m.smax = min(m.smax, s64(v | (k & S64_MAX)));
  m.umin = max(m.umin, v);
  m.umax = min(m.umax, v | k);
}

/** __reg32_deduce_bounds */
function reg32DeduceBounds(m: MinMax): void {
  if (m.umin >> 32n === m.umax >> 32n) {
    m.u32min = max(m.u32min, u32(m.umin));
    m.u32max = min(m.u32max, u32(m.umax));
    if (s32(m.umin) <= s32(m.umax)) {
      m.s32min = max(m.s32min, s32(m.umin));
      m.s32max = min(m.s32max, s32(m.umax));
    }
  }
  if (m.smin >> 32n === m.smax >> 32n) {
    if (u32(m.smin) <= u32(m.smax)) {
      m.u32min = max(m.u32min, u32(m.smin));
      m.u32max = min(m.u32max, u32(m.smax));
    }
    if (s32(m.smin) <= s32(m.smax)) {
      m.s32min = max(m.s32min, s32(m.smin));
      m.s32max = min(m.s32max, s32(m.smax));
    }
  }
  if (u32(u32(m.umin >> 32n) + 1n) === u32(m.umax >> 32n) && s32(m.umin) < 0n && s32(m.umax) >= 0n) {
    m.s32min = max(m.s32min, s32(m.umin));
    m.s32max = min(m.s32max, s32(m.umax));
  }
  if (u32(u32(m.smin >> 32n) + 1n) === u32(m.smax >> 32n) && s32(m.smin) < 0n && s32(m.smax) >= 0n) {
    m.s32min = max(m.s32min, s32(m.smin));
    m.s32max = min(m.s32max, s32(m.smax));
  }
  if (s32(m.u32min) <= s32(m.u32max)) {
    m.s32min = max(m.s32min, s32(m.u32min));
    m.s32max = min(m.s32max, s32(m.u32max));
  }
  if (u32(m.s32min) <= u32(m.s32max)) {
    m.u32min = max(m.u32min, u32(m.s32min));
    m.u32max = min(m.u32max, u32(m.s32max));
  } else if (m.u32max < u32(m.s32min)) {
    m.s32min = s32(m.u32min);
    m.u32max = min(m.u32max, u32(m.s32max));
  } else if (u32(m.s32max) < m.u32min) {
    m.s32max = s32(m.u32max);
    m.u32min = max(m.u32min, u32(m.s32min));
  }
}

/** __reg64_deduce_bounds */
function reg64DeduceBounds(m: MinMax): void {
  if (s64(m.umin) <= s64(m.umax)) {
    m.smin = max(m.smin, s64(m.umin));
    m.smax = min(m.smax, s64(m.umax));
  }
  if (u64(m.smin) <= u64(m.smax)) {
    m.umin = max(m.umin, u64(m.smin));
    m.umax = min(m.umax, u64(m.smax));
  } else if (m.umax < u64(m.smin)) {
    m.smin = s64(m.umin);
    m.umax = min(m.umax, u64(m.smax));
  } else if (u64(m.smax) < m.umin) {
    m.smax = s64(m.umax);
    m.umin = max(m.umin, u64(m.smin));
  }
}

/** __reg_deduce_mixed_bounds: 64-bit bounds from the 32-bit ones, by their low halves only */
function regDeduceMixedBounds(m: MinMax): void {
  m.umin = max(m.umin, (m.umin & HI) | m.u32min);
  m.umax = min(m.umax, u64((m.umax & HI) | m.u32max));
  m.smin = max(m.smin, s64((m.smin & HI) | m.u32min));
  m.smax = min(m.smax, s64((m.smax & HI) | m.u32max));
  if (u32(m.s32min) <= u32(m.s32max)) {
    m.umin = max(m.umin, u64((m.umin & HI) | u32(m.s32min)));
    m.umax = min(m.umax, u64((m.umax & HI) | u32(m.s32max)));
    m.smin = max(m.smin, s64((m.smin & HI) | u32(m.s32min)));
    m.smax = min(m.smax, s64((m.smax & HI) | u32(m.s32max)));
  }
  if (m.s32min >= 0n && m.smin >= S32_MIN && m.smax <= S32_MAX) {
    m.smin = m.umin = m.s32min;
    m.smax = m.umax = m.s32max;
    const a = wFromBig(m.smin), b = wFromBig(m.smax);
    m.t = tnumIntersect(m.t, tnumRange(a.h, a.l, b.h, b.l));
  }
}

/** __reg_bound_offset */
function regBoundOffset(m: MinMax): void {
  const a = wFromBig(m.umin), b = wFromBig(m.umax);
  const var64 = tnumIntersect(m.t, tnumRange(a.h, a.l, b.h, b.l));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(0, Number(m.u32min) | 0, 0, Number(m.u32max) | 0));
  m.t = tnumWithSubreg(var64, var32);
}

function sync(m: MinMax): void {
  updateRegBounds(m);
  for (let i = 0; i < 3; i++) {
    reg32DeduceBounds(m);
    reg64DeduceBounds(m);
    regDeduceMixedBounds(m);
  }
  regBoundOffset(m);
  updateRegBounds(m);
}

/** reg_bounds_sync as 6.12 does it */
export function regBoundsSync612(r: Reg): void {
  const m = fromReg(r);
  if (C64.isEmpty(r.r64) || C32.isEmpty(r.r32)) return;
  sync(m);
  toReg(m, r);
}

const isConst = (m: MinMax, jmp32: boolean): boolean => (jmp32 ? tnumSubregIsConst(m.t) : tnumIsConst(m.t));
const constValue = (m: MinMax, jmp32: boolean): bigint => (jmp32 ? u32(m.t.value) : m.t.value);

/** regs_refine_cond_op of 6.12: narrow m1 and m2 assuming `m1 op m2` holds */
function refineCondOp(m1: MinMax, m2: MinMax, op: number, jmp32: boolean): void {
  const mirror = MIRROR[op];
  if (mirror !== undefined) [m1, m2, op] = [m2, m1, mirror];
  switch (op) {
    case BPF_JEQ:
      if (jmp32) {
        m1.u32min = m2.u32min = max(m1.u32min, m2.u32min);
        m1.u32max = m2.u32max = min(m1.u32max, m2.u32max);
        m1.s32min = m2.s32min = max(m1.s32min, m2.s32min);
        m1.s32max = m2.s32max = min(m1.s32max, m2.s32max);
        const t = tnumIntersect(tnumSubreg(m1.t), tnumSubreg(m2.t));
        m1.t = tnumWithSubreg(m1.t, t);
        m2.t = tnumWithSubreg(m2.t, t);
      } else {
        m1.umin = m2.umin = max(m1.umin, m2.umin);
        m1.umax = m2.umax = min(m1.umax, m2.umax);
        m1.smin = m2.smin = max(m1.smin, m2.smin);
        m1.smax = m2.smax = min(m1.smax, m2.smax);
        m1.t = m2.t = tnumIntersect(m1.t, m2.t);
      }
      return;
    case BPF_JNE: {
      if (!isConst(m2, jmp32)) [m1, m2] = [m2, m1];
      if (!isConst(m2, jmp32)) return;
      // 6.12 trims the value at an edge of the ranges only
      const v = constValue(m2, jmp32);
      if (jmp32) {
        if (m1.u32min === v) m1.u32min++;
        if (m1.u32max === v) m1.u32max--;
        if (m1.s32min === s32(v)) m1.s32min++;
        if (m1.s32max === s32(v)) m1.s32max--;
      } else {
        if (m1.umin === v) m1.umin++;
        if (m1.umax === v) m1.umax--;
        if (m1.smin === s64(v)) m1.smin++;
        if (m1.smax === s64(v)) m1.smax--;
      }
      return;
    }
    case BPF_JSET:
    case BPF_JSET | BPF_X: {
      if (!isConst(m2, jmp32)) [m1, m2] = [m2, m1];
      if (!isConst(m2, jmp32)) return;
      const v = constValue(m2, jmp32), vt = new Tnum(Number(v >> 32n) | 0, Number(u32(v)) | 0, 0, 0);
      if (op === BPF_JSET) {
        if (v === 0n || (v & (v - 1n)) !== 0n) return;
        m1.t = jmp32 ? tnumWithSubreg(m1.t, tnumOr(tnumSubreg(m1.t), vt)) : tnumOr(m1.t, vt);
      } else {
        Object.assign(m1, { umin: 0n, umax: U64_MAX, smin: S64_MIN, smax: S64_MAX, u32min: 0n, u32max: U32_MAX, s32min: S32_MIN, s32max: S32_MAX });
        const notV = new Tnum(~vt.vh, ~vt.vl, 0, 0);
        m1.t = jmp32 ? tnumWithSubreg(m1.t, tnumAnd(tnumSubreg(m1.t), notV)) : tnumAnd(m1.t, notV);
      }
      return;
    }
    case BPF_JLE:
    case BPF_JLT: {
      const d = op === BPF_JLT ? 1n : 0n;
      if (jmp32) {
        m1.u32max = min(m1.u32max, u32(m2.u32max - d));
        m2.u32min = max(u32(m1.u32min + d), m2.u32min);
      } else {
        m1.umax = min(m1.umax, u64(m2.umax - d));
        m2.umin = max(u64(m1.umin + d), m2.umin);
      }
      return;
    }
    case BPF_JSLE:
    case BPF_JSLT: {
      const d = op === BPF_JSLT ? 1n : 0n;
      if (jmp32) {
        m1.s32max = min(m1.s32max, s32(m2.s32max - d));
        m2.s32min = max(s32(m1.s32min + d), m2.s32min);
      } else {
        m1.smax = min(m1.smax, s64(m2.smax - d));
        m2.smin = max(s64(m1.smin + d), m2.smin);
      }
      return;
    }
  }
}

/**
 * regs_refine_cond_op, reg_bounds_sync and reg_bounds_sanity_check of one edge, as 6.12's
 * reg_set_min_max does them: `reg1 op reg2` is assumed to hold (`sameReg`: both name one register,
 * refined through both); a register whose bounds break an invariant is reported
 * and left with unbounded ranges (its var_off kept), the walk goes on
 */
export function refineEdge612(reg1: Reg, reg2: Reg, op: number, jmp32: boolean, sameReg = false): number {
  const m1 = fromReg(reg1), m2 = sameReg ? m1 : fromReg(reg2);
  refineCondOp(m1, m2, op, jmp32);
  sync(m1);
  if (!sameReg) sync(m2);
  let violations = 0;
  for (const [m, r] of [[m1, reg1], [m2, reg2]] as const) {
    toReg(m, r);
    if (violated(m) || insaneConst(m)) {
      violations++;
      r.r64 = C64.UNBOUNDED;
      r.r32 = C32.UNBOUNDED;
    }
  }
  return violations;
}

/** reg_bounds_sanity_check's constant checks: a known tnum whose ranges are not that value */
function insaneConst(m: MinMax): boolean {
  if (tnumIsConst(m.t)) {
    const v = m.t.value;
    if (m.umin !== v || m.umax !== v || m.smin !== s64(v) || m.smax !== s64(v)) return true;
  }
  if (tnumSubregIsConst(m.t)) {
    const v = u32(m.t.value);
    if (m.u32min !== v || m.u32max !== v || m.s32min !== s32(v) || m.s32max !== s32(v)) return true;
  }
  return false;
}
