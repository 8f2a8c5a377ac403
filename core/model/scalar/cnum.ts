// Circular number ranges (kernel/bpf/cnum.c, cnum_defs.h): an arc {base, size} on the 2^N circle,
// the bounds representation the 7.2 verifier keeps for the 64-bit (r64) and 32-bit (r32) views.
// Both are held as int32 words (u64.ts); a 32-bit arc has zero high words.
import { W64, W_SMAX, W_SMIN, addHi, addLo, bigU, ltU, subHi, subLo, wFromBig, wBigS, wBigU } from './u64.ts';

export class Cnum {
  constructor(
    /** base, high and low word */
    readonly bh: number,
    readonly bl: number,
    /** size (the arc holds size + 1 values), high and low word */
    readonly sh: number,
    readonly sl: number,
  ) {}

  get base(): bigint {
    return bigU(this.bh, this.bl);
  }

  get size(): bigint {
    return bigU(this.sh, this.sl);
  }
}

/** the cnum_defs.h operations of one width, on BigInt values (for code outside the scalar core) */
interface CnumOps {
  readonly bits: 32 | 64;
  readonly UMAX: bigint;
  readonly SMAX: bigint;
  readonly SMIN_U: bigint; // ST_MIN as unsigned
  readonly EMPTY: Cnum;
  readonly UNBOUNDED: Cnum;
  fromURange(min: bigint, max: bigint): Cnum;
  fromSRange(min: bigint, max: bigint): Cnum;
  umin(c: Cnum): bigint;
  umax(c: Cnum): bigint;
  smin(c: Cnum): bigint;
  smax(c: Cnum): bigint;
  intersect(a: Cnum, b: Cnum): Cnum;
  add(a: Cnum, b: Cnum): Cnum;
  negate(a: Cnum): Cnum;
  isEmpty(c: Cnum): boolean;
  contains(c: Cnum, v: bigint): boolean;
  isConst(c: Cnum): boolean;
  isSubset(bigger: Cnum, smaller: Cnum): boolean;
  urangeOverflow(c: Cnum): boolean;
}

export const cnumEquals = (a: Cnum, b: Cnum): boolean => a.bl === b.bl && a.sl === b.sl && a.bh === b.bh && a.sh === b.sh;
export const cnumIsConst = (c: Cnum): boolean => (c.sh | c.sl) === 0;

// ---------------------------------------------------------------------------------------------
// 32-bit arcs: u32 values fit a double exactly, so these compute on plain numbers (`>>> 0`).

const M32 = 0xffffffff;
const S32MAX = 0x7fffffff;
const S32MIN_U = 0x80000000;

const C32_EMPTY = new Cnum(0, -1, 0, -1);
export const C32_UNBOUNDED = new Cnum(0, 0, 0, -1);

/** an arc from u32 base and size (any integers, taken mod 2^32) */
const c32 = (base: number, size: number): Cnum => new Cnum(0, base | 0, 0, size | 0);

export const c32IsEmpty = (c: Cnum): boolean => (c.bl & c.sl) === -1;
const c32UrangeOverflow = (c: Cnum): boolean => c.sl >>> 0 > M32 - (c.bl >>> 0);

/** v is a u32 */
function c32Contains(c: Cnum, v: number): boolean {
  if (c32IsEmpty(c)) return false;
  const base = c.bl >>> 0;
  const end = (base + (c.sl >>> 0)) >>> 0;
  return c32UrangeOverflow(c) ? v >= base || v <= end : v >= base && v <= end;
}

const c32SrangeOverflow = (c: Cnum): boolean => c32Contains(c, S32MAX) && c32Contains(c, S32MIN_U);

function c32Normalized(base: number, size: number): Cnum {
  base >>>= 0;
  size >>>= 0;
  return size === M32 && base !== 0 && base !== S32MAX ? c32(0, size) : c32(base, size);
}

/** min and max are integers; the arc covers [min, max] mod 2^32 */
export const c32FromURange = (min: number, max: number): Cnum => c32(min, max - min);
export function c32FromSRange(min: number, max: number): Cnum {
  const size = ((max >>> 0) - (min >>> 0)) >>> 0;
  return c32(size === M32 ? 0 : min, size);
}

/** unsigned bounds as u32, signed ones as s32 */
export const c32Umin = (c: Cnum): number => (c32UrangeOverflow(c) ? 0 : c.bl >>> 0);
export const c32Umax = (c: Cnum): number => (c32UrangeOverflow(c) ? M32 : (c.bl >>> 0) + (c.sl >>> 0));
export function c32Smin(c: Cnum): number {
  if (c32SrangeOverflow(c)) return -S32MIN_U;
  const a = c.bl | 0, b = (c.bl + c.sl) | 0;
  return a < b ? a : b;
}
export function c32Smax(c: Cnum): number {
  if (c32SrangeOverflow(c)) return S32MAX;
  const a = c.bl | 0, b = (c.bl + c.sl) | 0;
  return a > b ? a : b;
}

export function c32Intersect(a: Cnum, b: Cnum): Cnum {
  if (c32IsEmpty(a) || c32IsEmpty(b)) return C32_EMPTY;
  if (a.bl >>> 0 > b.bl >>> 0) [a, b] = [b, a];
  const asize = a.sl >>> 0, bsize = b.sl >>> 0;
  const dbase = ((b.bl >>> 0) - (a.bl >>> 0)) >>> 0;
  if (bsize > M32 - dbase) {
    if (dbase <= asize) return asize <= bsize ? a : b;
    const tail = (dbase + bsize) >>> 0;
    return c32(a.bl, asize < tail ? asize : tail);
  } else if (asize >= dbase) {
    const rest = asize - dbase;
    return c32(b.bl, rest < bsize ? rest : bsize);
  }
  return C32_EMPTY;
}

export function c32Add(a: Cnum, b: Cnum): Cnum {
  if (c32IsEmpty(a) || c32IsEmpty(b)) return C32_EMPTY;
  const asize = a.sl >>> 0, bsize = b.sl >>> 0;
  if (asize > M32 - bsize) return C32_UNBOUNDED;
  return c32Normalized((a.bl >>> 0) + (b.bl >>> 0), asize + bsize);
}

export const c32Negate = (a: Cnum): Cnum => (c32IsEmpty(a) ? C32_EMPTY : c32Normalized(-((a.bl >>> 0) + (a.sl >>> 0)), a.sl));

function c32IsSubset(bigger: Cnum, smaller: Cnum): boolean {
  if (c32IsEmpty(smaller)) return true;
  if (c32IsEmpty(bigger)) return false;
  const smBase = ((smaller.bl >>> 0) - (bigger.bl >>> 0)) >>> 0, smSize = smaller.sl >>> 0;
  if (smSize > M32 - smBase && bigger.sl >>> 0 < M32) return false;
  // the end wraps mod 2^32 as the kernel's u32 sum does (only when bigger is the whole circle)
  return (smBase + smSize) >>> 0 <= bigger.sl >>> 0;
}

// ---------------------------------------------------------------------------------------------
// 64-bit arcs, on word pairs.

const C64_EMPTY = new Cnum(-1, -1, -1, -1);
export const C64_UNBOUNDED = new Cnum(0, 0, -1, -1);

export const c64IsEmpty = (c: Cnum): boolean => (c.bh & c.bl & c.sh & c.sl) === -1;
/** size > UMAX - base, i.e. size > ~base */
const c64UrangeOverflow = (c: Cnum): boolean => ltU(~c.bh, ~c.bl, c.sh, c.sl);

function c64Contains(c: Cnum, v: W64): boolean {
  if (c64IsEmpty(c)) return false;
  const eh = addHi(c.bh, c.bl, c.sh, c.sl), el = addLo(c.bl, c.sl);
  const geBase = !ltU(v.h, v.l, c.bh, c.bl), leEnd = !ltU(eh, el, v.h, v.l);
  return c64UrangeOverflow(c) ? geBase || leEnd : geBase && leEnd;
}

const c64SrangeOverflow = (c: Cnum): boolean => c64Contains(c, W_SMAX) && c64Contains(c, W_SMIN);

function c64Normalized(bh: number, bl: number, sh: number, sl: number): Cnum {
  if ((sh & sl) === -1 && (bh | bl) !== 0 && !(bh === 0x7fffffff && bl === -1)) return new Cnum(0, 0, sh, sl);
  return new Cnum(bh, bl, sh, sl);
}

/** the arc over [min, max] (unsigned), min and max as words */
export const c64FromURange = (minh: number, minl: number, maxh: number, maxl: number): Cnum =>
  new Cnum(minh | 0, minl | 0, subHi(maxh, maxl, minh, minl), subLo(maxl, minl));
/** the arc over [min, max] (signed), min and max as words */
export function c64FromSRange(minh: number, minl: number, maxh: number, maxl: number): Cnum {
  const sh = subHi(maxh, maxl, minh, minl), sl = subLo(maxl, minl);
  return (sh & sl) === -1 ? new Cnum(0, 0, sh, sl) : new Cnum(minh | 0, minl | 0, sh, sl);
}

export const c64Umin = (c: Cnum): W64 => (c64UrangeOverflow(c) ? new W64(0, 0) : new W64(c.bh, c.bl));
export const c64Umax = (c: Cnum): W64 =>
  c64UrangeOverflow(c) ? new W64(-1, -1) : new W64(addHi(c.bh, c.bl, c.sh, c.sl), addLo(c.bl, c.sl));
export function c64Smin(c: Cnum): W64 {
  if (c64SrangeOverflow(c)) return W_SMIN;
  const eh = addHi(c.bh, c.bl, c.sh, c.sl), el = addLo(c.bl, c.sl);
  return c.bh !== eh ? (c.bh < eh ? new W64(c.bh, c.bl) : new W64(eh, el)) : c.bl >>> 0 <= el >>> 0 ? new W64(c.bh, c.bl) : new W64(eh, el);
}
export function c64Smax(c: Cnum): W64 {
  if (c64SrangeOverflow(c)) return W_SMAX;
  const eh = addHi(c.bh, c.bl, c.sh, c.sl), el = addLo(c.bl, c.sl);
  return c.bh !== eh ? (c.bh > eh ? new W64(c.bh, c.bl) : new W64(eh, el)) : c.bl >>> 0 >= el >>> 0 ? new W64(c.bh, c.bl) : new W64(eh, el);
}

export function c64Intersect(a: Cnum, b: Cnum): Cnum {
  if (c64IsEmpty(a) || c64IsEmpty(b)) return C64_EMPTY;
  if (ltU(b.bh, b.bl, a.bh, a.bl)) [a, b] = [b, a];
  const dh = subHi(b.bh, b.bl, a.bh, a.bl), dl = subLo(b.bl, a.bl);
  if (ltU(~dh, ~dl, b.sh, b.sl)) {
    // b, moved by -a.base, wraps past UMAX
    if (!ltU(a.sh, a.sl, dh, dl)) return !ltU(b.sh, b.sl, a.sh, a.sl) ? a : b;
    const th = addHi(dh, dl, b.sh, b.sl), tl = addLo(dl, b.sl);
    return ltU(a.sh, a.sl, th, tl) ? new Cnum(a.bh, a.bl, a.sh, a.sl) : new Cnum(a.bh, a.bl, th, tl);
  } else if (!ltU(a.sh, a.sl, dh, dl)) {
    const rh = subHi(a.sh, a.sl, dh, dl), rl = subLo(a.sl, dl);
    return ltU(rh, rl, b.sh, b.sl) ? new Cnum(b.bh, b.bl, rh, rl) : new Cnum(b.bh, b.bl, b.sh, b.sl);
  }
  return C64_EMPTY;
}

export function c64Add(a: Cnum, b: Cnum): Cnum {
  if (c64IsEmpty(a) || c64IsEmpty(b)) return C64_EMPTY;
  if (ltU(~b.sh, ~b.sl, a.sh, a.sl)) return new Cnum(0, 0, -1, -1);
  return c64Normalized(addHi(a.bh, a.bl, b.bh, b.bl), addLo(a.bl, b.bl), addHi(a.sh, a.sl, b.sh, b.sl), addLo(a.sl, b.sl));
}

export function c64Negate(a: Cnum): Cnum {
  if (c64IsEmpty(a)) return C64_EMPTY;
  const eh = addHi(a.bh, a.bl, a.sh, a.sl), el = addLo(a.bl, a.sl);
  return c64Normalized(subHi(0, 0, eh, el), subLo(0, el), a.sh, a.sl);
}

function c64IsSubset(bigger: Cnum, smaller: Cnum): boolean {
  if (c64IsEmpty(smaller)) return true;
  if (c64IsEmpty(bigger)) return false;
  const mh = subHi(smaller.bh, smaller.bl, bigger.bh, bigger.bl), ml = subLo(smaller.bl, bigger.bl);
  // smaller, moved by -bigger.base, must end within bigger.size without wrapping, unless bigger is
  // the whole circle (size UMAX), which holds any arc
  if (ltU(~mh, ~ml, smaller.sh, smaller.sl) && (bigger.sh & bigger.sl) !== -1) return false;
  return !ltU(bigger.sh, bigger.sl, addHi(mh, ml, smaller.sh, smaller.sl), addLo(ml, smaller.sl));
}

// ---------------------------------------------------------------------------------------------

/** cnum32_from_cnum64 */
export function cnum32FromCnum64(c: Cnum): Cnum {
  if (c64IsEmpty(c)) return C32_EMPTY;
  if (c.sh !== 0 || c.sl === -1) return new Cnum(0, 0, 0, -1);
  return new Cnum(0, c.bl, 0, c.sl);
}

/** cnum64_cnum32_intersect: narrow a 64-bit arc by what its low 32 bits must be */
export function cnum64Cnum32Intersect(a: Cnum, b: Cnum): Cnum {
  if (c64IsEmpty(a) || c32IsEmpty(b)) return C64_EMPTY;
  const b1base = ((b.bl >>> 0) - (a.bl >>> 0)) >>> 0, b1size = b.sl >>> 0;
  let tbh = a.bh, tbl = a.bl, tsh = a.sh, tsl = a.sl;
  const aSize32 = a.sl >>> 0;
  if (b1size > M32 - b1base) {
    const b1max = (b1base + b1size) >>> 0;
    if (aSize32 > b1max && aSize32 < b1base) {
      const k = aSize32 - b1max;
      tsh = subHi(tsh, tsl, 0, k);
      tsl = subLo(tsl, k);
    }
  } else {
    if (tsh === 0 && tsl >>> 0 < b1base) return C64_EMPTY;
    tbh = addHi(tbh, tbl, 0, b1base);
    tbl = addLo(tbl, b1base);
    tsh = subHi(tsh, tsl, 0, b1base);
    tsl = subLo(tsl, b1base);
    const b1max = b1base + b1size;
    // d < 2^33: as words (dh, dl)
    let d = 0;
    if (aSize32 < b1base) d = aSize32 + (0x100000000 - b1max);
    else if (aSize32 >= b1max) d = aSize32 - b1max;
    const dh = d >= 0x100000000 ? 1 : 0, dl = d | 0;
    if (ltU(tsh, tsl, dh, dl)) return C64_EMPTY;
    const nh = subHi(tsh, tsl, dh, dl);
    tsl = subLo(tsl, dl);
    tsh = nh;
  }
  return new Cnum(tbh, tbl, tsh, tsl);
}

// ---------------------------------------------------------------------------------------------
// The same operations on BigInt values, for the rest of the model and the tests.

export const C32: CnumOps = {
  bits: 32,
  UMAX: 0xffffffffn,
  SMAX: 0x7fffffffn,
  SMIN_U: 0x80000000n,
  EMPTY: C32_EMPTY,
  UNBOUNDED: C32_UNBOUNDED,
  fromURange: (min, max) => c32FromURange(Number(BigInt.asUintN(32, min)), Number(BigInt.asUintN(32, max))),
  fromSRange: (min, max) => c32FromSRange(Number(BigInt.asUintN(32, min)), Number(BigInt.asUintN(32, max))),
  umin: (c) => BigInt(c32Umin(c)),
  umax: (c) => BigInt(c32Umax(c)),
  smin: (c) => BigInt(c32Smin(c)),
  smax: (c) => BigInt(c32Smax(c)),
  intersect: c32Intersect,
  add: c32Add,
  negate: c32Negate,
  isEmpty: c32IsEmpty,
  contains: (c, v) => c32Contains(c, Number(BigInt.asUintN(32, v))),
  isConst: cnumIsConst,
  isSubset: c32IsSubset,
  urangeOverflow: c32UrangeOverflow,
};

export const C64: CnumOps = {
  bits: 64,
  UMAX: (1n << 64n) - 1n,
  SMAX: (1n << 63n) - 1n,
  SMIN_U: 1n << 63n,
  EMPTY: C64_EMPTY,
  UNBOUNDED: C64_UNBOUNDED,
  fromURange: (min, max) => {
    const a = wFromBig(min), b = wFromBig(max);
    return c64FromURange(a.h, a.l, b.h, b.l);
  },
  fromSRange: (min, max) => {
    const a = wFromBig(min), b = wFromBig(max);
    return c64FromSRange(a.h, a.l, b.h, b.l);
  },
  umin: (c) => wBigU(c64Umin(c)),
  umax: (c) => wBigU(c64Umax(c)),
  smin: (c) => wBigS(c64Smin(c)),
  smax: (c) => wBigS(c64Smax(c)),
  intersect: c64Intersect,
  add: c64Add,
  negate: c64Negate,
  isEmpty: c64IsEmpty,
  contains: (c, v) => c64Contains(c, wFromBig(v)),
  isConst: cnumIsConst,
  isSubset: c64IsSubset,
  urangeOverflow: c64UrangeOverflow,
};
