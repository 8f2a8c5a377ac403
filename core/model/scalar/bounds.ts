// Register bounds bookkeeping: the 64/32-bit circular ranges next to the tnum, kept consistent
// the way kernel/bpf/verifier.c does (reg_bounds_sync, __update_reg_bounds, __reg_bound_offset, ...).
// The scalar core works on words (W64 for 64-bit values, plain numbers for 32-bit ones); the
// BigInt-valued functions at the top are for the rest of the model.
import {
  C32_UNBOUNDED,
  C64_UNBOUNDED,
  Cnum,
  c32FromSRange,
  c32FromURange,
  c32Intersect,
  c32IsEmpty,
  c32Smax,
  c32Smin,
  c32Umax,
  c32Umin,
  c64FromSRange,
  c64FromURange,
  c64Intersect,
  c64IsEmpty,
  c64Smax,
  c64Smin,
  c64Umax,
  c64Umin,
  cnum32FromCnum64,
  cnum64Cnum32Intersect,
  cnumIsConst,
} from './cnum.ts';
import {
  Tnum,
  tnumCast,
  tnumConstSubreg,
  tnumIntersect,
  tnumIsConst,
  tnumRange,
  tnumStep,
  tnumUnknown,
} from './tnum.ts';
import { W64, flsW, wBigS, wBigU, wFromBig, wFromS32, wIsNeg, wLtS, wLtU } from './u64.ts';
import type { Reg } from './reg.ts';
import { regBoundsSync612 } from './bounds-612.ts';

// --- BigInt-valued, for the rest of the model ---

export const umin = (r: Reg): bigint => wBigU(c64Umin(r.r64));
export const umax = (r: Reg): bigint => wBigU(c64Umax(r.r64));
export const smin = (r: Reg): bigint => wBigS(c64Smin(r.r64));
export const smax = (r: Reg): bigint => wBigS(c64Smax(r.r64));
export const u32min = (r: Reg): bigint => BigInt(c32Umin(r.r32));
export const u32max = (r: Reg): bigint => BigInt(c32Umax(r.r32));
export const s32min = (r: Reg): bigint => BigInt(c32Smin(r.r32));
export const s32max = (r: Reg): bigint => BigInt(c32Smax(r.r32));

export function setURange64(r: Reg, lo: bigint, hi: bigint): void {
  const a = wFromBig(lo), b = wFromBig(hi);
  r.r64 = c64FromURange(a.h, a.l, b.h, b.l);
}
export const setURange32 = (r: Reg, lo: bigint, hi: bigint): void => void (r.r32 = c32FromURange(Number(BigInt.asUintN(32, lo)), Number(BigInt.asUintN(32, hi))));

/** __mark_reg_known: also clears the link id and the map/packet-range union */
export const markKnown = (r: Reg, v: bigint): void => markKnownW(r, wFromBig(v));

// --- words ---

export const umin64 = (r: Reg): W64 => c64Umin(r.r64);
export const umax64 = (r: Reg): W64 => c64Umax(r.r64);
export const smin64 = (r: Reg): W64 => c64Smin(r.r64);
export const smax64 = (r: Reg): W64 => c64Smax(r.r64);
/** u32 */
export const umin32 = (r: Reg): number => c32Umin(r.r32);
export const umax32 = (r: Reg): number => c32Umax(r.r32);
/** s32 */
export const smin32 = (r: Reg): number => c32Smin(r.r32);
export const smax32 = (r: Reg): number => c32Smax(r.r32);

export const setURange64W = (r: Reg, lo: W64, hi: W64): void => void (r.r64 = c64FromURange(lo.h, lo.l, hi.h, hi.l));
export const setSRange64W = (r: Reg, lo: W64, hi: W64): void => void (r.r64 = c64FromSRange(lo.h, lo.l, hi.h, hi.l));
/** lo and hi are integers, taken mod 2^32 */
export const setURange32N = (r: Reg, lo: number, hi: number): void => void (r.r32 = c32FromURange(lo, hi));
export const setSRange32N = (r: Reg, lo: number, hi: number): void => void (r.r32 = c32FromSRange(lo, hi));

/** ___mark_reg_known (keeps id) */
export function setKnownW(r: Reg, v: W64): void {
  r.varOff = new Tnum(v.h, v.l, 0, 0);
  r.r64 = new Cnum(v.h, v.l, 0, 0);
  r.r32 = new Cnum(0, v.l, 0, 0);
}

export function markKnownW(r: Reg, v: W64): void {
  r.id = 0;
  r.delta = 0;
  r.linked32 = undefined;
  r.mapIdx = -1;
  r.range = 0;
  r.fixedOff = 0;
  r.varPart = undefined;
  r.btf = undefined;
  r.refObjId = undefined;
  setKnownW(r, v);
}

/** __mark_reg32_known; v is a u32 (any integer, taken mod 2^32) */
export function markKnown32(r: Reg, v: number): void {
  r.varOff = tnumConstSubreg(r.varOff, v);
  r.r32 = new Cnum(0, v | 0, 0, 0);
}

/** __mark_reg_unknown (privileged: imprecise) */
export function markUnknown(r: Reg): void {
  r.type = 'scalar';
  r.varOff = tnumUnknown;
  r.r64 = C64_UNBOUNDED;
  r.r32 = C32_UNBOUNDED;
  r.frameno = 0;
  r.id = 0;
  r.refObjId = undefined;
  r.delta = 0;
  r.linked32 = undefined;
  r.mapIdx = -1;
  r.range = 0;
  r.fixedOff = 0;
  r.varPart = undefined;
  r.btf = undefined;
}

export const markUnbounded32 = (r: Reg): void => void (r.r32 = C32_UNBOUNDED);
export const markUnbounded64 = (r: Reg): void => void (r.r64 = C64_UNBOUNDED);
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

function cnum32FromTnum(t: Tnum): Cnum {
  const v = t.vl, m = t.ml;
  if (((v | m) & 0x80000000) !== 0) return c32FromSRange(v | (m & 0x80000000), v | (m & 0x7fffffff));
  return c32FromURange(v, v | m);
}

function cnum64FromTnum(t: Tnum): Cnum {
  const vh = t.vh, vl = t.vl, mh = t.mh, ml = t.ml;
  if (((vh | mh) & 0x80000000) !== 0) return c64FromSRange(vh | (mh & 0x80000000), vl, vh | (mh & 0x7fffffff), vl | ml);
  return c64FromURange(vh, vl, vh | mh, vl | ml);
}

export function updateReg32Bounds(r: Reg): void {
  r.r32 = c32Intersect(r.r32, cnum32FromTnum(r.varOff));
}

/** __update_reg64_bounds, including (7.x, `step`) the single-overlap-point refinement */
function updateReg64Bounds(r: Reg, step: boolean): void {
  r.r64 = c64Intersect(r.r64, cnum64FromTnum(r.varOff));
  if (!step) return;
  const t = r.varOff;
  const lo = umin64(r), hi = umax64(r);
  const next = tnumStep(t, lo);
  const uminInTnum = (lo.h & ~t.mh) === t.vh && (lo.l & ~t.ml) === t.vl;
  if (uminInTnum) {
    if (wLtU(hi, next)) setKnownW(r, lo);
  } else if (next.h === (t.vh | t.mh) && next.l === (t.vl | t.ml)) {
    setKnownW(r, next);
  } else if (!wLtU(hi, next) && wLtU(hi, tnumStep(t, next))) {
    setKnownW(r, next);
  }
}

/** __update_reg_bounds; `legacy612`: 6.12's, without the tnum_step refinement (Profile.features.boundsSync7x) */
export function updateRegBounds(r: Reg, legacy612 = false): void {
  updateReg32Bounds(r);
  updateReg64Bounds(r, !legacy612);
}

function deduceBounds(r: Reg): void {
  r.r32 = c32Intersect(r.r32, cnum32FromCnum64(r.r64));
  r.r64 = cnum64Cnum32Intersect(r.r64, r.r32);
}

function regBoundOffset(r: Reg): void {
  const lo = umin64(r), hi = umax64(r);
  const var64 = tnumIntersect(r.varOff, tnumRange(lo.h, lo.l, hi.h, hi.l));
  const r32 = tnumRange(0, umin32(r), 0, umax32(r));
  // tnum_or(tnum_clear_subreg(var64), tnum_intersect(tnum_subreg(var64), r32))
  const mul = var64.ml & r32.ml;
  const vl = (var64.vl | r32.vl) & ~mul;
  r.varOff = new Tnum(var64.vh, vl, var64.mh & ~var64.vh, mul & ~vl);
}

export const rangeBoundsViolation = (r: Reg): boolean => c32IsEmpty(r.r32) || c64IsEmpty(r.r64);

/** a known value whose ranges hold just that value: a fixed point of reg_bounds_sync (and the common case) */
function isSyncedConst(r: Reg): boolean {
  const t = r.varOff, a = r.r64, b = r.r32;
  return (t.mh | t.ml | a.sh | a.sl | b.bh | b.sh | b.sl) === 0 && a.bh === t.vh && a.bl === t.vl && b.bl === t.vl;
}

/** reg_bounds_sync; `legacy612`: 6.12's, on four min/max pairs (bounds-612.ts, Profile.features.boundsSync7x) */
export function regBoundsSync(r: Reg, legacy612 = false): void {
  if (isSyncedConst(r)) return;
  if (legacy612) return regBoundsSync612(r);
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
  const t = r.varOff;
  if (tnumIsConst(t) && (!cnumIsConst(r.r64) || r.r64.bh !== t.vh || r.r64.bl !== t.vl)) return true;
  if (t.ml === 0 && (!cnumIsConst(r.r32) || r.r32.bl !== t.vl)) return true;
  return false;
}

/** zext_32_to_64 */
export function zext32To64(r: Reg): void {
  const t = r.varOff;
  r.varOff = new Tnum(0, t.vl, 0, t.ml);
  r.r64 = c64FromURange(0, umin32(r), 0, umax32(r));
}

/** the low `bits` bits set, as words */
const lowMaskHi = (bits: number): number => (bits >= 64 ? -1 : bits > 32 ? ((1 << (bits - 32)) - 1) | 0 : 0);
const lowMaskLo = (bits: number): number => (bits >= 32 ? -1 : ((1 << bits) - 1) | 0);

/** coerce_reg_to_size */
export function coerceRegToSize(r: Reg, size: number, legacy612 = false): void {
  r.varOff = tnumCast(r.varOff, size);
  const mh = lowMaskHi(size * 8), ml = lowMaskLo(size * 8);
  const lo = umin64(r), hi = umax64(r);
  if ((lo.h & ~mh) === (hi.h & ~mh) && (lo.l & ~ml) === (hi.l & ~ml)) r.r64 = c64FromURange(lo.h & mh, lo.l & ml, hi.h & mh, hi.l & ml);
  else r.r64 = c64FromURange(0, 0, mh, ml);
  if (size < 4) markUnbounded32(r);
  regBoundsSync(r, legacy612);
}

/** the low `bits` bits of v, sign-extended (BigInt.asIntN) */
function sxW(v: W64, bits: number): W64 {
  if (bits >= 64) return v;
  if (bits > 32) return new W64((v.h << (64 - bits)) >> (64 - bits), v.l);
  const l = bits === 32 ? v.l : (v.l << (32 - bits)) >> (32 - bits);
  return new W64(l >> 31, l);
}

/** v with its low `bits` bits cleared ((v >> bits) << bits) */
function clearLowW(v: W64, bits: number): W64 {
  return new W64(v.h & ~lowMaskHi(bits), v.l & ~lowMaskLo(bits));
}

/** the s64 limits of a `bits`-bit signed value: -(1 << (bits - 1)) and (1 << (bits - 1)) - 1 */
const sLimitLo = (bits: number): W64 => (bits <= 32 ? wFromS32(-(2 ** (bits - 1))) : wFromBig(-(1n << BigInt(bits - 1))));
const sLimitHi = (bits: number): W64 => (bits <= 32 ? wFromS32(2 ** (bits - 1) - 1) : wFromBig((1n << BigInt(bits - 1)) - 1n));

/** coerce_reg_to_size_sx */
export function coerceRegToSizeSx(r: Reg, size: number): void {
  const bits = size * 8;
  const t = r.varOff;
  if (tnumIsConst(t)) {
    setKnownW(r, sxW(new W64(t.vh, t.vl), bits));
    return;
  }
  const sminv = smin64(r), smaxv = smax64(r);
  const topMax = clearLowW(smaxv, bits), topMin = clearLowW(sminv, bits);
  if (topMax.h === topMin.h && topMax.l === topMin.l) {
    const a = sxW(smaxv, bits), b = sxW(sminv, bits);
    const hi = wLtS(b, a) ? a : b, lo = wLtS(a, b) ? a : b;
    if (wIsNeg(hi) === wIsNeg(lo)) {
      setSRange64W(r, lo, hi);
      setSRange32N(r, lo.l, hi.l);
      r.varOff = tnumRange(lo.h, lo.l, hi.h, hi.l);
      return;
    }
  }
  const lo = sLimitLo(bits), hi = sLimitHi(bits);
  setSRange64W(r, lo, hi);
  setSRange32N(r, lo.l, hi.l);
  r.varOff = tnumUnknown;
}

/** coerce_subreg_to_size_sx */
export function coerceSubregToSizeSx(r: Reg, size: number): void {
  const bits = size * 8;
  const t = r.varOff;
  if (tnumIsConst(t)) {
    // the kernel takes the u32 value, sign-extends it to 64 bits as a tnum, keeps s32 range
    const v = sxW(new W64(0, t.vl), bits);
    r.varOff = new Tnum(v.h, v.l, 0, 0);
    r.r32 = c32FromSRange(v.l, v.l);
    return;
  }
  const smaxv = wFromS32(smax32(r)), sminv = wFromS32(smin32(r));
  // on the u32 view of the s32 bounds
  const topMax = clearLowW(new W64(0, smaxv.l), bits), topMin = clearLowW(new W64(0, sminv.l), bits);
  if (topMax.l === topMin.l) {
    const a = sxW(smaxv, bits), b = sxW(sminv, bits);
    const hi = wLtS(b, a) ? a : b, lo = wLtS(a, b) ? a : b;
    if (wIsNeg(lo) === wIsNeg(hi)) {
      setSRange32N(r, lo.l, hi.l);
      const range = tnumRange(lo.h, lo.l, hi.h, hi.l);
      r.varOff = new Tnum(0, range.vl, 0, range.ml);
      return;
    }
  }
  const lo = sLimitLo(bits), hi = sLimitHi(bits);
  setSRange32N(r, lo.l, hi.l);
  r.varOff = new Tnum(0, 0, 0, -1);
}

/** get_reg_width: bits needed for the register's unsigned maximum */
export function regWidth(r: Reg): number {
  const m = umax64(r);
  return flsW(m.h, m.l);
}

export { tnumIsConst };
