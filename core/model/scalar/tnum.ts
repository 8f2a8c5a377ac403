// Tristate numbers: the kernel's known-bits abstraction (kernel/bpf/tnum.c), over u64 held as
// int32 word pairs (u64.ts). A bit is known when its mask bit is 0; then its value bit holds it.
import {
  W64,
  addHi,
  addLo,
  bigU,
  bswap32,
  flsW,
  ltU,
  shlHi,
  shlLo,
  shrHi,
  shrLo,
  sarHi,
  sarLo,
  subHi,
  subLo,
  wFromBig,
} from './u64.ts';

export const U32 = (1n << 32n) - 1n;

export class Tnum {
  constructor(
    /** value bits, high and low word */
    readonly vh: number,
    readonly vl: number,
    /** mask bits (unknown), high and low word */
    readonly mh: number,
    readonly ml: number,
  ) {}

  get value(): bigint {
    return bigU(this.vh, this.vl);
  }

  get mask(): bigint {
    return bigU(this.mh, this.ml);
  }
}

export const tnumUnknown = new Tnum(0, 0, -1, -1);
const TNUM_ZERO = new Tnum(0, 0, 0, 0);

export function tnumConst(value: bigint): Tnum {
  const w = wFromBig(value);
  return new Tnum(w.h, w.l, 0, 0);
}
/** a known u32, zero-extended */
const tnumConst32 = (v: number): Tnum => new Tnum(0, v | 0, 0, 0);

/** tnum_range, min and max as words */
export function tnumRange(minh: number, minl: number, maxh: number, maxl: number): Tnum {
  const bits = flsW(minh ^ maxh, minl ^ maxl);
  if (bits > 63) return tnumUnknown;
  // delta = (1 << bits) - 1
  const dh = bits > 32 ? ((1 << (bits - 32)) - 1) | 0 : 0;
  const dl = bits >= 32 ? -1 : ((1 << bits) - 1) | 0;
  return new Tnum(minh & ~dh, minl & ~dl, dh, dl);
}

export const tnumLshift = (a: Tnum, shift: number): Tnum =>
  new Tnum(shlHi(a.vh, a.vl, shift), shlLo(a.vl, shift), shlHi(a.mh, a.ml, shift), shlLo(a.ml, shift));
export const tnumRshift = (a: Tnum, shift: number): Tnum =>
  new Tnum(shrHi(a.vh, shift), shrLo(a.vh, a.vl, shift), shrHi(a.mh, shift), shrLo(a.mh, a.ml, shift));

/** tnum_arshift */
export function tnumArshift(a: Tnum, minShift: number, bitness: 32 | 64): Tnum {
  if (bitness === 32) {
    const s = minShift < 32 ? minShift : 31;
    return new Tnum(0, a.vl >> s, 0, a.ml >> s);
  }
  return new Tnum(sarHi(a.vh, minShift), sarLo(a.vh, a.vl, minShift), sarHi(a.mh, minShift), sarLo(a.mh, a.ml, minShift));
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const smh = addHi(a.mh, a.ml, b.mh, b.ml), sml = addLo(a.ml, b.ml);
  const svh = addHi(a.vh, a.vl, b.vh, b.vl), svl = addLo(a.vl, b.vl);
  const sigmah = addHi(smh, sml, svh, svl), sigmal = addLo(sml, svl);
  const muh = (sigmah ^ svh) | a.mh | b.mh, mul = (sigmal ^ svl) | a.ml | b.ml;
  return new Tnum(svh & ~muh, svl & ~mul, muh, mul);
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dvh = subHi(a.vh, a.vl, b.vh, b.vl), dvl = subLo(a.vl, b.vl);
  const alphah = addHi(dvh, dvl, a.mh, a.ml), alphal = addLo(dvl, a.ml);
  const betah = subHi(dvh, dvl, b.mh, b.ml), betal = subLo(dvl, b.ml);
  const muh = (alphah ^ betah) | a.mh | b.mh, mul = (alphal ^ betal) | a.ml | b.ml;
  return new Tnum(dvh & ~muh, dvl & ~mul, muh, mul);
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(TNUM_ZERO, a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const vh = a.vh & b.vh, vl = a.vl & b.vl;
  return new Tnum(vh, vl, (a.vh | a.mh) & (b.vh | b.mh) & ~vh, (a.vl | a.ml) & (b.vl | b.ml) & ~vl);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const vh = a.vh | b.vh, vl = a.vl | b.vl;
  return new Tnum(vh, vl, (a.mh | b.mh) & ~vh, (a.ml | b.ml) & ~vl);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const muh = a.mh | b.mh, mul = a.ml | b.ml;
  return new Tnum((a.vh ^ b.vh) & ~muh, (a.vl ^ b.vl) & ~mul, muh, mul);
}

/** tnum_mul: shift-and-add over a's bits (the words live in locals, no tnum per step) */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let avh = a.vh, avl = a.vl, amh = a.mh, aml = a.ml;
  let bvh = b.vh, bvl = b.vl, bmh = b.mh, bml = b.ml;
  let cvh = 0, cvl = 0, cmh = 0, cml = 0; // acc
  while ((avh | avl | amh | aml) !== 0) {
    if ((avl & 1) !== 0 || (aml & 1) !== 0) {
      // s = tnumAdd(acc, b)
      const smh = addHi(cmh, cml, bmh, bml), sml = addLo(cml, bml);
      const svh = addHi(cvh, cvl, bvh, bvl), svl = addLo(cvl, bvl);
      const muh = (addHi(smh, sml, svh, svl) ^ svh) | cmh | bmh, mul = (addLo(sml, svl) ^ svl) | cml | bml;
      const sh = svh & ~muh, sl = svl & ~mul;
      if ((avl & 1) !== 0) {
        cvh = sh;
        cvl = sl;
        cmh = muh;
        cml = mul;
      } else {
        // acc = tnumUnion(acc, s)
        const umh = (cvh ^ sh) | cmh | muh, uml = (cvl ^ sl) | cml | mul;
        cvh = cvh & sh & ~umh;
        cvl = cvl & sl & ~uml;
        cmh = umh;
        cml = uml;
      }
    }
    avl = shrLo(avh, avl, 1);
    avh = avh >>> 1;
    aml = shrLo(amh, aml, 1);
    amh = amh >>> 1;
    bvh = shlHi(bvh, bvl, 1);
    bvl = bvl << 1;
    bmh = shlHi(bmh, bml, 1);
    bml = bml << 1;
  }
  return new Tnum(cvh, cvl, cmh, cml);
}

export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const muh = ~a.mh & ~b.mh, mul = ~a.ml & ~b.ml;
  return (a.vh & muh) === (b.vh & muh) && (a.vl & mul) === (b.vl & mul);
}

export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const muh = a.mh & b.mh, mul = a.ml & b.ml;
  return new Tnum((a.vh | b.vh) & ~muh, (a.vl | b.vl) & ~mul, muh, mul);
}

export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const muh = (a.vh ^ b.vh) | a.mh | b.mh, mul = (a.vl ^ b.vl) | a.ml | b.ml;
  return new Tnum(a.vh & b.vh & ~muh, a.vl & b.vl & ~mul, muh, mul);
}

/** the low `size` bytes */
export function tnumCast(a: Tnum, size: number): Tnum {
  const bits = size * 8;
  if (bits >= 64) return new Tnum(a.vh, a.vl, a.mh, a.ml);
  if (bits >= 32) {
    const mh = bits === 32 ? 0 : (1 << (bits - 32)) - 1;
    return new Tnum(a.vh & mh, a.vl, a.mh & mh, a.ml);
  }
  const ml = (1 << bits) - 1;
  return new Tnum(0, a.vl & ml, 0, a.ml & ml);
}

export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  const m = wFromBig(BigInt(size - 1));
  return ((a.vh | a.mh) & m.h) === 0 && ((a.vl | a.ml) & m.l) === 0;
}

/** tnum_in: is every value of b a value of a? */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mh & ~a.mh) !== 0 || (b.ml & ~a.ml) !== 0) return false;
  return a.vh === (b.vh & ~a.mh) && a.vl === (b.vl & ~a.ml);
}

export const tnumEquals = (a: Tnum, b: Tnum): boolean => a.vh === b.vh && a.vl === b.vl && a.mh === b.mh && a.ml === b.ml;
export const tnumSubreg = (a: Tnum): Tnum => new Tnum(0, a.vl, 0, a.ml);
const tnumClearSubreg = (a: Tnum): Tnum => new Tnum(a.vh, 0, a.mh, 0);
export const tnumWithSubreg = (reg: Tnum, sub: Tnum): Tnum => tnumOr(tnumClearSubreg(reg), tnumSubreg(sub));
/** the subregister set to a known u32 */
export const tnumConstSubreg = (a: Tnum, value: number): Tnum => tnumWithSubreg(a, tnumConst32(value));
export const tnumIsConst = (a: Tnum): boolean => (a.mh | a.ml) === 0;
export const tnumSubregIsConst = (a: Tnum): boolean => a.ml === 0;

const swab16 = (x: number): number => ((x & 0xff) << 8) | ((x >>> 8) & 0xff);

/** the low `bits` bits with their bytes reversed */
export function tnumBswap(a: Tnum, bits: 16 | 32 | 64): Tnum {
  if (bits === 64) return new Tnum(bswap32(a.vl), bswap32(a.vh), bswap32(a.ml), bswap32(a.mh));
  if (bits === 32) return new Tnum(0, bswap32(a.vl), 0, bswap32(a.ml));
  return new Tnum(0, swab16(a.vl), 0, swab16(a.ml));
}

/** tnum_step: smallest member of t greater than z (or tmax / t.value at the ends) */
export function tnumStep(t: Tnum, z: W64): W64 {
  const tmaxh = t.vh | t.mh, tmaxl = t.vl | t.ml;
  if (!ltU(z.h, z.l, tmaxh, tmaxl)) return new W64(tmaxh, tmaxl);
  if (ltU(z.h, z.l, t.vh, t.vl)) return new W64(t.vh, t.vl);
  const dh = subHi(z.h, z.l, t.vh, t.vl), dl = subLo(z.l, t.vl);
  // carry_mask = (1 << fls64(d & ~t.mask)) - 1
  const bits = flsW(dh & ~t.mh, dl & ~t.ml);
  const ch = bits >= 64 ? -1 : bits > 32 ? ((1 << (bits - 32)) - 1) | 0 : 0;
  const cl = bits >= 32 ? -1 : ((1 << bits) - 1) | 0;
  const fh = dh | ch | ~t.mh, fl = dl | cl | ~t.ml;
  const ih = addHi(fh, fl, 0, 1) & t.mh, il = addLo(fl, 1) & t.ml;
  return new W64(t.vh | ih, t.vl | il);
}
