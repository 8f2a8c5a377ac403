// Register bounds bookkeeping: the 64/32-bit circular ranges next to the tnum, kept consistent
// the way kernel/bpf/verifier.c does (reg_bounds_sync, __update_reg_bounds, __reg_bound_offset, ...).
import { C32, C64, cnum32FromCnum64, cnum64Cnum32Intersect, type Cnum } from './cnum.ts';
import {
  U32,
  U64,
  fls64,
  tnumCast,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumRange,
  tnumStep,
  tnumSubreg,
  tnumUnknown,
  type Tnum,
} from './tnum.ts';
import type { Reg } from './reg.ts';

export const umin = (r: Reg): bigint => C64.umin(r.r64);
export const umax = (r: Reg): bigint => C64.umax(r.r64);
export const smin = (r: Reg): bigint => C64.smin(r.r64);
export const smax = (r: Reg): bigint => C64.smax(r.r64);
export const u32min = (r: Reg): bigint => C32.umin(r.r32);
export const u32max = (r: Reg): bigint => C32.umax(r.r32);
export const s32min = (r: Reg): bigint => C32.smin(r.r32);
export const s32max = (r: Reg): bigint => C32.smax(r.r32);

export const setURange64 = (r: Reg, lo: bigint, hi: bigint): void => void (r.r64 = C64.fromURange(lo, hi));
export const setSRange64 = (r: Reg, lo: bigint, hi: bigint): void => void (r.r64 = C64.fromSRange(lo, hi));
export const setURange32 = (r: Reg, lo: bigint, hi: bigint): void => void (r.r32 = C32.fromURange(lo, hi));
export const setSRange32 = (r: Reg, lo: bigint, hi: bigint): void => void (r.r32 = C32.fromSRange(lo, hi));

/** ___mark_reg_known (keeps id) */
export function setKnown(r: Reg, v: bigint): void {
  const u = v & U64;
  r.varOff = tnumConst(u);
  r.r64 = C64.fromURange(u, u);
  r.r32 = C32.fromURange(u & U32, u & U32);
}

/** __mark_reg_known: also clears the link id and the map/packet-range union */
export function markKnown(r: Reg, v: bigint): void {
  r.id = 0;
  r.delta = 0;
  r.linked32 = undefined;
  r.mapIdx = -1;
  r.range = 0;
  setKnown(r, v);
}

/** __mark_reg32_known */
export function markKnown32(r: Reg, v: bigint): void {
  r.varOff = tnumConstSubreg(r.varOff, v & U32);
  r.r32 = C32.fromURange(v & U32, v & U32);
}

/** __mark_reg_unknown (privileged: imprecise) */
export function markUnknown(r: Reg): void {
  r.type = 'scalar';
  r.varOff = tnumUnknown;
  r.r64 = C64.UNBOUNDED;
  r.r32 = C32.UNBOUNDED;
  r.frameno = 0;
  r.id = 0;
  r.delta = 0;
  r.linked32 = undefined;
  r.mapIdx = -1;
  r.range = 0;
}

export const markUnbounded32 = (r: Reg): void => void (r.r32 = C32.UNBOUNDED);
export const markUnbounded64 = (r: Reg): void => void (r.r64 = C64.UNBOUNDED);
export function markUnbounded(r: Reg): void {
  markUnbounded64(r);
  markUnbounded32(r);
}
export function resetReg64AndTnum(r: Reg): void {
  markUnbounded64(r);
  r.varOff = tnumUnknown;
}
export function resetReg32AndTnum(r: Reg): void {
  markUnbounded32(r);
  r.varOff = tnumUnknown;
}

export function cnum32FromTnum(t: Tnum): Cnum {
  t = tnumSubreg(t);
  const S = 1n << 31n;
  if ((t.mask & S) || (t.value & S)) return C32.fromSRange(BigInt.asIntN(32, t.value | (t.mask & S)), BigInt.asIntN(32, t.value | (t.mask & (S - 1n))));
  return C32.fromURange(t.value, t.value | t.mask);
}

export function cnum64FromTnum(t: Tnum): Cnum {
  const S = 1n << 63n;
  if ((t.mask & S) || (t.value & S)) return C64.fromSRange(BigInt.asIntN(64, t.value | (t.mask & S)), BigInt.asIntN(64, t.value | (t.mask & (S - 1n))));
  return C64.fromURange(t.value, t.value | t.mask);
}

export function updateReg32Bounds(r: Reg): void {
  r.r32 = C32.intersect(r.r32, cnum32FromTnum(r.varOff));
}

/** __update_reg64_bounds, including the single-overlap-point refinement */
export function updateReg64Bounds(r: Reg): void {
  r.r64 = C64.intersect(r.r64, cnum64FromTnum(r.varOff));
  const lo = umin(r), hi = umax(r);
  const next = tnumStep(r.varOff, lo);
  const uminInTnum = (lo & ~r.varOff.mask & U64) === r.varOff.value;
  const tmax = r.varOff.value | r.varOff.mask;
  if (uminInTnum && next > hi) setKnown(r, lo);
  else if (!uminInTnum && next === tmax) setKnown(r, tmax);
  else if (!uminInTnum && next <= hi && tnumStep(r.varOff, next) > hi) setKnown(r, next);
}

export function updateRegBounds(r: Reg): void {
  updateReg32Bounds(r);
  updateReg64Bounds(r);
}

function deduceBounds(r: Reg): void {
  r.r32 = C32.intersect(r.r32, cnum32FromCnum64(r.r64));
  r.r64 = cnum64Cnum32Intersect(r.r64, r.r32);
}

function regBoundOffset(r: Reg): void {
  const var64 = tnumIntersect(r.varOff, tnumRange(umin(r), umax(r)));
  const var32 = tnumIntersect(tnumSubreg(var64), tnumRange(u32min(r), u32max(r)));
  r.varOff = tnumOr(tnumClearSubreg(var64), var32);
}

export const rangeBoundsViolation = (r: Reg): boolean => C32.isEmpty(r.r32) || C64.isEmpty(r.r64);

/** reg_bounds_sync */
export function regBoundsSync(r: Reg): void {
  if (rangeBoundsViolation(r)) return;
  updateRegBounds(r);
  deduceBounds(r);
  deduceBounds(r);
  regBoundOffset(r);
  updateRegBounds(r);
}

/** reg_bounds_sanity_check's conditions (kernel reports a verifier bug on them) */
export function boundsInsane(r: Reg): boolean {
  if (rangeBoundsViolation(r)) return true;
  if (tnumIsConst(r.varOff) && (!C64.isConst(r.r64) || r.r64.base !== r.varOff.value)) return true;
  const sub = tnumSubreg(r.varOff);
  if (sub.mask === 0n && (!C32.isConst(r.r32) || r.r32.base !== sub.value)) return true;
  return false;
}

/** zext_32_to_64 */
export function zext32To64(r: Reg): void {
  r.varOff = tnumSubreg(r.varOff);
  setURange64(r, u32min(r), u32max(r));
}

/** coerce_reg_to_size */
export function coerceRegToSize(r: Reg, size: number): void {
  r.varOff = tnumCast(r.varOff, size);
  const mask = (1n << BigInt(size * 8)) - 1n;
  const lo = umin(r), hi = umax(r);
  if ((lo & ~mask & U64) === (hi & ~mask & U64)) setURange64(r, lo & mask, hi & mask);
  else setURange64(r, 0n, mask);
  if (size < 4) markUnbounded32(r);
  regBoundsSync(r);
}

const sx = (v: bigint, size: number): bigint => BigInt.asIntN(size * 8, v);

/** coerce_reg_to_size_sx */
export function coerceRegToSizeSx(r: Reg, size: number): void {
  const bits = BigInt(size * 8);
  if (tnumIsConst(r.varOff)) {
    const v = sx(r.varOff.value, size) & U64;
    r.varOff = tnumConst(v);
    r.r64 = C64.fromURange(v, v);
    r.r32 = C32.fromURange(v & U32, v & U32);
    return;
  }
  const topMax = ((smax(r) & U64) >> bits) << bits;
  const topMin = ((smin(r) & U64) >> bits) << bits;
  if (topMax === topMin) {
    const a = sx(smax(r), size), b = sx(smin(r), size);
    const hi = a > b ? a : b, lo = a < b ? a : b;
    if ((hi >= 0n) === (lo >= 0n)) {
      setSRange64(r, lo, hi);
      setSRange32(r, lo, hi);
      r.varOff = tnumRange(lo & U64, hi & U64);
      return;
    }
  }
  const lim = 1n << (bits - 1n);
  setSRange64(r, -lim, lim - 1n);
  setSRange32(r, -lim, lim - 1n);
  r.varOff = tnumUnknown;
}

/** coerce_subreg_to_size_sx */
export function coerceSubregToSizeSx(r: Reg, size: number): void {
  const bits = BigInt(size * 8);
  if (tnumIsConst(r.varOff)) {
    // the kernel takes the u32 value, sign-extends it to 64 bits as a tnum, keeps s32 range
    const v = sx(r.varOff.value & U32, size) & U64;
    r.varOff = tnumConst(v);
    setSRange32(r, BigInt.asIntN(32, v), BigInt.asIntN(32, v));
    return;
  }
  const topMax = ((s32max(r) & U32) >> bits) << bits;
  const topMin = ((s32min(r) & U32) >> bits) << bits;
  if (topMax === topMin) {
    const a = sx(s32max(r), size), b = sx(s32min(r), size);
    const hi = a > b ? a : b, lo = a < b ? a : b;
    if ((lo >= 0n) === (hi >= 0n)) {
      setSRange32(r, lo, hi);
      r.varOff = tnumSubreg(tnumRange(lo & U64, hi & U64));
      return;
    }
  }
  const lim = 1n << (bits - 1n);
  setSRange32(r, -lim, lim - 1n);
  r.varOff = tnumSubreg(tnumUnknown);
}

/** get_reg_width: bits needed for the register's unsigned maximum */
export function regWidth(r: Reg): number {
  return fls64(umax(r));
}

export const isConst64 = (r: Reg): boolean => tnumIsConst(r.varOff);
export { tnumIsConst };
