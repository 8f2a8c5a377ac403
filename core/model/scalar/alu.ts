// Scalar ALU transfer functions: how one ALU instruction moves a scalar's tnum and ranges
// (adjust_scalar_min_max_vals and the scalar*_min_max_* helpers in kernel/bpf/verifier.c).
import {
  C64_UNBOUNDED,
  c32Add,
  c32FromSRange,
  c32FromURange,
  c32Intersect,
  c32Negate,
  c64Add,
  c64FromSRange,
  c64FromURange,
  c64Intersect,
  c64Negate,
  cnumIsConst,
  type Cnum,
  // bounds of the source operand's arcs, as they were before the instruction
  c32Smax as smax32Of,
  c32Smin as smin32Of,
  c32Umax as umax32Of,
  c32Umin as umin32Of,
  c64Smax as c64SmaxOf,
  c64Smin as c64SminOf,
  c64Umax as c64UmaxOf,
  c64Umin as c64UminOf,
} from './cnum.ts';
import {
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap,
  tnumIsConst,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumRshift,
  tnumSub,
  tnumSubreg,
  tnumSubregIsConst,
  tnumXor,
  type Tnum,
} from './tnum.ts';
import {
  coerceRegToSize,
  markKnown32,
  markKnownW,
  markUnbounded,
  markUnbounded32,
  markUnbounded64,
  markUnknown,
  regBoundsSync,
  resetReg32AndTnum,
  resetReg64AndTnum,
  setKnownW,
  setSRange32N,
  setSRange64W,
  setURange32N,
  setURange64W,
  smax32,
  smax64,
  smin32,
  smin64,
  umax32,
  umax64,
  umin32,
  umin64,
  updateReg32Bounds,
  updateRegBounds,
  zext32To64,
} from './bounds.ts';
import {
  W64,
  W_SMAX,
  W_SMIN,
  W_UMAX,
  W_ZERO,
  bigS,
  wDivU,
  wFromBig,
  wLtU,
  wMaxS,
  wMinS,
  wMinU,
  wMaxU,
  wMulS,
  wMulU,
  wSar,
  wShl,
  wShr,
} from './u64.ts';
import { cloneReg, type Reg } from './reg.ts';
import { BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_END, BPF_LSH, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../../isa/index.ts';


interface AluInsn {
  /** BPF_OP bits */
  op: number;
  /** scalars as 6.12 tracks them: a multiplication bounded for non-negative factors only
   *  (scalar_min_max_mul), division and modulo not tracked (safeToCompute) */
  legacy612?: boolean;
  /** reg_bounds_sync as 6.12 does it (Profile.features.boundsSync7x false) */
  sync612?: boolean;
  alu32: boolean;
  /** insn->off: 1 = signed div/mod */
  off: number;
  /** BPF_END: imm (16/32/64) and whether the swap is unconditional or to-BE */
  imm: number;
  /** BPF_END: BPF_SRC bit set (to_be for ALU, bswap for ALU64) */
  srcBit: boolean;
}

/** the source operand as it was before the instruction (dst may be the same register) */
interface Operand {
  varOff: Tnum;
  r64: Cnum;
  r32: Cnum;
}

const M32 = 0xffffffff;
const S32MAX = 0x7fffffff;
const S32MIN = -0x80000000;

/** u32 a * b, or -1 when it exceeds U32_MAX (a double product above 2^32 - 1 cannot round below it) */
function mulOverflowU32(a: number, b: number): number {
  const p = a * b;
  return p > M32 ? -1 : p;
}

/** s32 a * b, or undefined when it leaves the s32 range (|a * b| <= 2^62: the checks are exact) */
function mulOverflowS32(a: number, b: number): number | undefined {
  const p = a * b;
  return p > S32MAX || p < S32MIN ? undefined : p;
}

function mul32(dst: Reg, src: Cnum): void {
  const dsmin = smin32(dst), dsmax = smax32(dst), dumin = umin32(dst), dumax = umax32(dst);
  const ssmin = smin32Of(src), ssmax = smax32Of(src), sumin = umin32Of(src), sumax = umax32Of(src);
  const a = mulOverflowU32(dumax, sumax), b = mulOverflowU32(dumin, sumin);
  const ur = a < 0 || b < 0 ? c32FromURange(0, M32) : c32FromURange(b, a);
  const p1 = mulOverflowS32(dsmin, ssmin), p2 = mulOverflowS32(dsmin, ssmax), p3 = mulOverflowS32(dsmax, ssmin), p4 = mulOverflowS32(dsmax, ssmax);
  let sr: Cnum;
  if (p1 === undefined || p2 === undefined || p3 === undefined || p4 === undefined) sr = c32FromSRange(S32MIN, S32MAX);
  else sr = c32FromSRange(Math.min(p1, p2, p3, p4), Math.max(p1, p2, p3, p4));
  dst.r32 = c32Intersect(ur, sr);
}

function mul64(dst: Reg, src: Cnum): void {
  const dsmin = smin64(dst), dsmax = smax64(dst), dumin = umin64(dst), dumax = umax64(dst);
  const ssmin = c64SminOf(src), ssmax = c64SmaxOf(src), sumin = c64UminOf(src), sumax = c64UmaxOf(src);
  const a = wMulU(dumax, sumax), b = wMulU(dumin, sumin);
  const ur = a && b ? c64FromURange(b.h, b.l, a.h, a.l) : C64_FULL_U;
  const p1 = wMulS(dsmin, ssmin), p2 = wMulS(dsmin, ssmax), p3 = wMulS(dsmax, ssmin), p4 = wMulS(dsmax, ssmax);
  let sr: Cnum;
  if (!p1 || !p2 || !p3 || !p4) sr = C64_FULL_S;
  else {
    const lo = wMinS(wMinS(p1, p2), wMinS(p3, p4)), hi = wMaxS(wMaxS(p1, p2), wMaxS(p3, p4));
    sr = c64FromSRange(lo.h, lo.l, hi.h, hi.l);
  }
  dst.r64 = c64Intersect(ur, sr);
}

const C64_FULL_U = c64FromURange(0, 0, -1, -1);

/**
 * 6.12's scalar32_min_max_mul: a factor whose s32 minimum may be negative, or whose u32 maximum
 * passes U16_MAX, leaves the 32-bit ranges unbounded; otherwise the u32 range is the product of
 * the two, and the s32 range the same unless it passes S32_MAX. (7.x multiplies signed ranges.)
 */
function mul32Legacy(dst: Reg, src: Cnum): void {
  const dumax = umax32(dst), sumax = umax32Of(src);
  if (smin32(dst) < 0 || smin32Of(src) < 0 || dumax > 0xffff || sumax > 0xffff) dst.r32 = c32FromURange(0, M32);
  else dst.r32 = c32FromURange(umin32(dst) * umin32Of(src), dumax * sumax);
}

/** 6.12's scalar_min_max_mul: the same with s64, and U32_MAX as the largest factor */
function mul64Legacy(dst: Reg, src: Cnum): void {
  const dumax = umax64(dst), sumax = c64UmaxOf(src);
  if (smin64(dst).h < 0 || c64SminOf(src).h < 0 || dumax.h !== 0 || sumax.h !== 0) {
    dst.r64 = C64_FULL_U;
    return;
  }
  const lo = wMulU(umin64(dst), c64UminOf(src))!, hi = wMulU(dumax, sumax)!;
  dst.r64 = c64FromURange(lo.h, lo.l, hi.h, hi.l);
}
const C64_FULL_S = c64FromSRange(W_SMIN.h, W_SMIN.l, W_SMAX.h, W_SMAX.l);

function sdiv(dst: Reg, src: Operand, bits: 32 | 64): void {
  if (bits === 32) {
    let lo = smin32(dst), hi = smax32(dst);
    const v = smin32Of(src.r32);
    if (lo === S32MIN && v === -1) {
      if (hi !== S32MIN) [lo, hi] = [S32MIN, S32MAX];
    } else {
      // the double quotient of two s32 never rounds across an integer: truncation is exact
      const r1 = Math.trunc(lo / v), r2 = Math.trunc(hi / v);
      [lo, hi] = r1 < r2 ? [r1, r2] : [r2, r1];
    }
    setSRange32N(dst, lo, hi);
    resetReg64AndTnum(dst);
    return;
  }
  const MIN = -(1n << 63n);
  let lo = bigOfS(smin64(dst)), hi = bigOfS(smax64(dst));
  const v = bigOfS(c64SminOf(src.r64));
  if (lo === MIN && v === -1n) {
    if (hi !== MIN) [lo, hi] = [MIN, (1n << 63n) - 1n];
  } else {
    const r1 = lo / v, r2 = hi / v; // BigInt division truncates toward zero like C
    [lo, hi] = r1 < r2 ? [r1, r2] : [r2, r1];
  }
  setSRange64W(dst, wFromBig(lo), wFromBig(hi));
  resetReg32AndTnum(dst);
}

const bigOfS = (w: W64): bigint => bigS(w.h, w.l);

function smod(dst: Reg, src: Operand, bits: 32 | 64): void {
  if (bits === 32) {
    const v = smin32Of(src.r32);
    const resMax = (v > 0 ? v : -v) - 1;
    const lo = smin32(dst), hi = smax32(dst);
    if (lo >= -resMax && hi <= resMax) return;
    let nlo: number, nhi: number;
    if (lo >= 0) [nlo, nhi] = [0, hi < resMax ? hi : resMax];
    else if (hi <= 0) [nlo, nhi] = [lo > -resMax ? lo : -resMax, 0];
    else [nlo, nhi] = [-resMax, resMax];
    setSRange32N(dst, nlo, nhi);
    resetReg64AndTnum(dst);
    return;
  }
  const v = bigOfS(c64SminOf(src.r64));
  const resMax = (v > 0n ? v : -v) - 1n;
  const lo = bigOfS(smin64(dst)), hi = bigOfS(smax64(dst));
  if (lo >= -resMax && hi <= resMax) return;
  let nlo: bigint, nhi: bigint;
  if (lo >= 0n) [nlo, nhi] = [0n, hi < resMax ? hi : resMax];
  else if (hi <= 0n) [nlo, nhi] = [lo > -resMax ? lo : -resMax, 0n];
  else [nlo, nhi] = [-resMax, resMax];
  setSRange64W(dst, wFromBig(nlo), wFromBig(nhi));
  resetReg32AndTnum(dst);
}

/** is_safe_to_compute_dst_reg_range */
function safeToCompute(insn: AluInsn, src: Operand): boolean {
  // a non-empty arc has equal signed and unsigned bounds exactly when its size is 0
  const srcConst = insn.alu32 ? tnumSubregIsConst(src.varOff) && cnumIsConst(src.r32) : tnumIsConst(src.varOff) && cnumIsConst(src.r64);
  switch (insn.op) {
    case BPF_ADD: case BPF_SUB: case BPF_NEG: case BPF_AND: case BPF_XOR: case BPF_OR: case BPF_MUL: case BPF_END:
      return true;
    case BPF_DIV: case BPF_MOD:
      // 6.12 does not track division: the result is an unknown 64-bit scalar, not zero-extended
      return srcConst && !insn.legacy612;
    case BPF_LSH: case BPF_RSH: case BPF_ARSH: {
      if (!srcConst) return false;
      const m = c64UmaxOf(src.r64);
      return m.h === 0 && m.l >>> 0 < (insn.alu32 ? 32 : 64);
    }
    default:
      return false;
  }
}

/** u32 x >> n as BigInt does it (n may be 32 or more) */
const shr32 = (x: number, n: number): number => (n >= 32 ? 0 : x >>> n);
/** s32 x >> n as BigInt does it */
const sar32 = (x: number, n: number): number => x >> (n >= 32 ? 31 : n);

/**
 * adjust_scalar_min_max_vals. Mutates dst. Returns a register for a forked branch when the kernel's
 * maybe_fork_scalars splits a {-1, 0} operand of AND/OR (the fork re-runs the instruction).
 */
export function adjustScalar(insn: AluInsn, dst: Reg, srcIn: Reg): Reg | undefined {
  // Tnum and Cnum values are immutable: holding them keeps src as it was even when src is dst
  const src: Operand = { varOff: srcIn.varOff, r64: srcIn.r64, r32: srcIn.r32 };
  let fork: Reg | undefined;
  if (!safeToCompute(insn, src)) {
    markUnknown(dst);
    return undefined;
  }
  const { alu32, op } = insn;
  switch (op) {
    case BPF_ADD:
      dst.r32 = c32Add(dst.r32, src.r32);
      dst.r64 = c64Add(dst.r64, src.r64);
      dst.varOff = tnumAdd(dst.varOff, src.varOff);
      break;
    case BPF_SUB:
      dst.r32 = c32Add(dst.r32, c32Negate(src.r32));
      dst.r64 = c64Add(dst.r64, c64Negate(src.r64));
      dst.varOff = tnumSub(dst.varOff, src.varOff);
      break;
    case BPF_NEG: {
      const old32 = dst.r32, old64 = dst.r64, oldVarOff = dst.varOff;
      markKnownW(dst, W_ZERO);
      dst.r32 = c32Add(dst.r32, c32Negate(old32));
      dst.r64 = c64Add(dst.r64, c64Negate(old64));
      dst.varOff = tnumNeg(oldVarOff);
      break;
    }
    case BPF_MUL:
      dst.varOff = tnumMul(dst.varOff, src.varOff);
      if (insn.legacy612) {
        mul32Legacy(dst, src.r32);
        mul64Legacy(dst, src.r64);
      } else {
        mul32(dst, src.r32);
        mul64(dst, src.r64);
      }
      break;
    case BPF_DIV:
    case BPF_MOD:
      scalarDivMod(insn, dst, src);
      break;
    case BPF_AND:
    case BPF_OR: {
      if (tnumIsConst(src.varOff)) fork = maybeFork(dst);
      const isAnd = op === BPF_AND;
      dst.varOff = isAnd ? tnumAnd(dst.varOff, src.varOff) : tnumOr(dst.varOff, src.varOff);
      // 32-bit half
      const t = dst.varOff;
      if (tnumSubregIsConst(src.varOff) && tnumSubregIsConst(t)) markKnown32(dst, t.vl);
      else if (isAnd) setURange32N(dst, t.vl >>> 0, Math.min(umax32(dst), umax32Of(src.r32)));
      else setURange32N(dst, Math.max(umin32(dst), umin32Of(src.r32)), (t.vl | t.ml) >>> 0);
      // 64-bit half
      if (tnumIsConst(src.varOff) && tnumIsConst(dst.varOff)) markKnownW(dst, new W64(dst.varOff.vh, dst.varOff.vl));
      else {
        const t64 = dst.varOff;
        if (isAnd) setURange64W(dst, new W64(t64.vh, t64.vl), wMinU(umax64(dst), c64UmaxOf(src.r64)));
        else setURange64W(dst, wMaxU(umin64(dst), c64UminOf(src.r64)), new W64(t64.vh | t64.mh, t64.vl | t64.ml));
        updateRegBounds(dst, insn.sync612);
      }
      break;
    }
    case BPF_XOR: {
      const t = tnumXor(dst.varOff, src.varOff);
      dst.varOff = t;
      if (tnumSubregIsConst(src.varOff) && tnumSubregIsConst(t)) markKnown32(dst, t.vl);
      else setURange32N(dst, t.vl >>> 0, (t.vl | t.ml) >>> 0);
      if (tnumIsConst(src.varOff) && tnumIsConst(dst.varOff)) markKnownW(dst, new W64(dst.varOff.vh, dst.varOff.vl));
      else {
        const t64 = dst.varOff;
        setURange64W(dst, new W64(t64.vh, t64.vl), new W64(t64.vh | t64.mh, t64.vl | t64.ml));
      }
      break;
    }
    case BPF_LSH:
    case BPF_RSH:
    case BPF_ARSH:
      scalarShift(op, alu32, dst, src, insn.sync612);
      break;
    case BPF_END: {
      // scalar_byte_swap on a little-endian machine
      const needSwap = !alu32 || insn.srcBit;
      if (needSwap || insn.imm === 16 || insn.imm === 32) {
        dst.id = 0;
        dst.delta = 0;
      }
      if (needSwap) {
        dst.varOff = tnumBswap(dst.varOff, insn.imm as 16 | 32 | 64);
        markUnbounded(dst);
      }
      if (insn.imm === 16 || insn.imm === 32) coerceRegToSize(dst, insn.imm / 8, insn.sync612);
      break;
    }
    default:
      break;
  }
  if (alu32 && op !== BPF_END) zext32To64(dst);
  regBoundsSync(dst, insn.sync612);
  return fork;
}

const isZero = (w: W64): boolean => (w.h | w.l) === 0;

function lsh32(dst: Reg, lo: number, hi: number): void {
  const dmax = umax32(dst);
  if (hi > 31 || dmax > 2 ** (31 - hi)) setURange32N(dst, 0, M32);
  else setURange32N(dst, umin32(dst) << lo, dmax << hi);
}

function lsh64(dst: Reg, lo: number, hi: number): void {
  let s = C64_UNBOUNDED;
  if (lo === 32 && hi === 32) s = c64FromSRange(smin32(dst), 0, smax32(dst), 0);
  let u = C64_UNBOUNDED;
  // umax <= 1 << (63 - hi)
  if (!wLtU(wShl(new W64(0, 1), 63 - hi), umax64(dst))) {
    const a = wShl(umin64(dst), lo), b = wShl(umax64(dst), hi);
    u = c64FromURange(a.h, a.l, b.h, b.l);
  }
  dst.r64 = c64Intersect(u, s);
}

/** maybe_fork_scalars: the pushed branch sees dst = 0, this path continues with dst = -1 */
function maybeFork(dst: Reg): Reg | undefined {
  let alu32: boolean;
  const smin = smin64(dst), smax = smax64(dst);
  if ((smin.h & smin.l) === -1 && (smax.h | smax.l) === 0) alu32 = false;
  else if (smin32(dst) === -1 && smax32(dst) === 0) alu32 = true;
  else return undefined;
  const other = cloneReg(dst);
  if (alu32) {
    markKnown32(other, 0);
    markKnown32(dst, M32);
  } else {
    markKnownW(other, W_ZERO);
    markKnownW(dst, W_UMAX);
  }
  return other;
}

/** scalar_min_max_udiv/sdiv/umod/smod: a divisor that may be zero leaves 0 (div) or dst (mod), as the runtime does */
function scalarDivMod(insn: AluInsn, dst: Reg, src: Operand): void {
  const { alu32, op } = insn;
  if (op === BPF_DIV) {
    if ((alu32 && umin32Of(src.r32) === 0) || (!alu32 && isZero(c64UminOf(src.r64)))) {
      setKnownW(dst, W_ZERO);
      return;
    }
    if (alu32) {
      if (insn.off === 1) sdiv(dst, src, 32);
      else {
        const v = umin32Of(src.r32);
        setURange32N(dst, Math.floor(umin32(dst) / v), Math.floor(umax32(dst) / v));
        resetReg64AndTnum(dst);
      }
    } else if (insn.off === 1) sdiv(dst, src, 64);
    else {
      const v = c64UminOf(src.r64);
      setURange64W(dst, wDivU(umin64(dst), v), wDivU(umax64(dst), v));
      resetReg32AndTnum(dst);
    }
    return;
  }
  if (op === BPF_MOD) {
    if ((alu32 && umin32Of(src.r32) === 0) || (!alu32 && isZero(c64UminOf(src.r64)))) return;
    if (alu32) {
      if (insn.off === 1) smod(dst, src, 32);
      else {
        const resMax = umin32Of(src.r32) - 1;
        const dmax = umax32(dst);
        if (dmax > resMax) {
          setURange32N(dst, 0, dmax < resMax ? dmax : resMax);
          resetReg64AndTnum(dst);
        }
      }
    } else if (insn.off === 1) smod(dst, src, 64);
    else {
      const m = c64UminOf(src.r64);
      const resMax = new W64((m.h - (m.l === 0 ? 1 : 0)) | 0, (m.l - 1) | 0);
      const dmax = umax64(dst);
      if (wLtU(resMax, dmax)) {
        setURange64W(dst, W_ZERO, wMinU(dmax, resMax));
        resetReg32AndTnum(dst);
      }
    }
    return;
  }
}

/** scalar_min_max_lsh/rsh/arsh: shift amounts are below the width (safeToCompute) */
function scalarShift(op: number, alu32: boolean, dst: Reg, src: Operand, sync612 = false): void {
  if (op === BPF_LSH) {
    if (alu32) {
      const lo = umin32Of(src.r32), hi = umax32Of(src.r32);
      const sub = tnumSubreg(dst.varOff);
      lsh32(dst, lo, hi);
      dst.varOff = tnumSubreg(tnumLshift(sub, lo));
      markUnbounded64(dst);
      updateReg32Bounds(dst);
    } else {
      // safeToCompute: src < 64
      const lo = c64UminOf(src.r64).l, hi = c64UmaxOf(src.r64).l;
      lsh64(dst, lo, hi);
      lsh32(dst, lo, hi);
      dst.varOff = tnumLshift(dst.varOff, lo);
      updateRegBounds(dst, sync612);
    }
    return;
  }
  if (op === BPF_RSH) {
    if (alu32) {
      const lo = umin32Of(src.r32), hi = umax32Of(src.r32);
      dst.varOff = tnumRshift(tnumSubreg(dst.varOff), lo);
      setURange32N(dst, shr32(umin32(dst), hi), shr32(umax32(dst), lo));
      markUnbounded64(dst);
      updateReg32Bounds(dst);
    } else {
      const lo = c64UminOf(src.r64).l, hi = c64UmaxOf(src.r64).l;
      dst.varOff = tnumRshift(dst.varOff, lo);
      setURange64W(dst, wShr(umin64(dst), hi), wShr(umax64(dst), lo));
      markUnbounded32(dst);
      updateRegBounds(dst, sync612);
    }
    return;
  }
  if (op === BPF_ARSH) {
    if (alu32) {
      const s = umin32Of(src.r32);
      setSRange32N(dst, sar32(smin32(dst), s), sar32(smax32(dst), s));
      dst.varOff = tnumArshift(tnumSubreg(dst.varOff), s, 32);
      markUnbounded64(dst);
      updateReg32Bounds(dst);
    } else {
      const s = c64UminOf(src.r64).l;
      setSRange64W(dst, wSar(smin64(dst), s), wSar(smax64(dst), s));
      dst.varOff = tnumArshift(dst.varOff, s, 64);
      markUnbounded32(dst);
      updateRegBounds(dst, sync612);
    }
    return;
  }
}
