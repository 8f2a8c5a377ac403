// Circular number ranges (kernel/bpf/cnum.c, cnum_defs.h): an arc {base, size} on the 2^N circle,
// the bounds representation the 7.2 verifier keeps for the 64-bit (r64) and 32-bit (r32) views.

export interface Cnum {
  readonly base: bigint;
  readonly size: bigint;
}

export interface CnumOps {
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

function makeOps(bits: 32 | 64): CnumOps {
  const B = BigInt(bits);
  const UMAX = (1n << B) - 1n;
  const SMAX = (1n << (B - 1n)) - 1n;
  const SMIN_U = 1n << (B - 1n);
  const u = (x: bigint): bigint => x & UMAX;
  const s = (x: bigint): bigint => BigInt.asIntN(bits, x);
  const EMPTY: Cnum = { base: UMAX, size: UMAX };
  const UNBOUNDED: Cnum = { base: 0n, size: UMAX };
  const isEmpty = (c: Cnum): boolean => c.base === UMAX && c.size === UMAX;
  const urangeOverflow = (c: Cnum): boolean => c.size > UMAX - c.base;
  const contains = (c: Cnum, v: bigint): boolean => {
    if (isEmpty(c)) return false;
    v = u(v);
    const end = u(c.base + c.size);
    return urangeOverflow(c) ? v >= c.base || v <= end : v >= c.base && v <= end;
  };
  const srangeOverflow = (c: Cnum): boolean => contains(c, SMAX) && contains(c, SMIN_U);
  const normalize = (c: Cnum): Cnum =>
    c.size === UMAX && c.base !== 0n && c.base !== SMAX ? { base: 0n, size: c.size } : c;
  const ops: CnumOps = {
    bits,
    UMAX,
    SMAX,
    SMIN_U,
    EMPTY,
    UNBOUNDED,
    fromURange: (min, max) => ({ base: u(min), size: u(max - min) }),
    fromSRange: (min, max) => {
      const size = u(u(max) - u(min));
      return { base: size === UMAX ? 0n : u(min), size };
    },
    umin: (c) => (urangeOverflow(c) ? 0n : c.base),
    umax: (c) => (urangeOverflow(c) ? UMAX : c.base + c.size),
    smin: (c) => {
      if (srangeOverflow(c)) return -SMIN_U;
      const a = s(c.base), b = s(c.base + c.size);
      return a < b ? a : b;
    },
    smax: (c) => {
      if (srangeOverflow(c)) return SMAX;
      const a = s(c.base), b = s(c.base + c.size);
      return a > b ? a : b;
    },
    intersect: (a, b) => {
      if (isEmpty(a) || isEmpty(b)) return EMPTY;
      if (a.base > b.base) [a, b] = [b, a];
      const dbase = u(b.base - a.base);
      const b1: Cnum = { base: dbase, size: b.size };
      if (urangeOverflow(b1)) {
        if (b1.base <= a.size) return a.size <= b.size ? a : b;
        const tail = u(b1.base + b1.size);
        return { base: a.base, size: a.size < tail ? a.size : tail };
      } else if (a.size >= b1.base) {
        const rest = u(a.size - dbase);
        return { base: b.base, size: rest < b.size ? rest : b.size };
      }
      return EMPTY;
    },
    add: (a, b) => {
      if (isEmpty(a) || isEmpty(b)) return EMPTY;
      if (a.size > UMAX - b.size) return { base: 0n, size: UMAX };
      return normalize({ base: u(a.base + b.base), size: a.size + b.size });
    },
    negate: (a) => (isEmpty(a) ? EMPTY : normalize({ base: u(-(a.base + a.size)), size: a.size })),
    isEmpty,
    contains,
    isConst: (c) => c.size === 0n,
    isSubset: (bigger, smaller) => {
      if (isEmpty(smaller)) return true;
      if (isEmpty(bigger)) return false;
      const sm: Cnum = { base: u(smaller.base - bigger.base), size: smaller.size };
      if (urangeOverflow(sm) && bigger.size < UMAX) return false;
      // the end is a u32/u64 sum in cnum_defs.h: it wraps (only when bigger is the whole circle)
      return u(sm.base + sm.size) <= bigger.size;
    },
    urangeOverflow,
  };
  return ops;
}

export const C32 = makeOps(32);
export const C64 = makeOps(64);

/** cnum32_from_cnum64 */
export function cnum32FromCnum64(c: Cnum): Cnum {
  if (C64.isEmpty(c)) return C32.EMPTY;
  if (c.size >= C32.UMAX) return { base: 0n, size: C32.UMAX };
  return { base: c.base & C32.UMAX, size: c.size };
}

/** cnum64_cnum32_intersect: narrow a 64-bit arc by what its low 32 bits must be */
export function cnum64Cnum32Intersect(a: Cnum, b: Cnum): Cnum {
  const M32 = C32.UMAX;
  const b1: Cnum = { base: (b.base - (a.base & M32)) & M32, size: b.size };
  let tBase = a.base, tSize = a.size;
  if (C64.isEmpty(a) || C32.isEmpty(b)) return C64.EMPTY;
  const aSize32 = a.size & M32;
  if (C32.urangeOverflow(b1)) {
    const b1max = (b1.base + b1.size) & M32;
    if (aSize32 > b1max && aSize32 < b1.base) {
      tSize -= aSize32 - b1max;
    }
  } else {
    if (tSize < b1.base) return C64.EMPTY;
    tBase = (tBase + b1.base) & C64.UMAX;
    tSize -= b1.base;
    const b1max = b1.base + b1.size;
    let d = 0n;
    if (aSize32 < b1.base) d = aSize32 + ((1n << 32n) - b1max);
    else if (aSize32 >= b1max) d = aSize32 - b1max;
    if (tSize < d) return C64.EMPTY;
    tSize -= d;
  }
  return { base: tBase, size: tSize };
}
