// Tristate numbers: the kernel's known-bits abstraction (kernel/bpf/tnum.c), over u64 as BigInt.
// A bit is known when its mask bit is 0; then its value bit holds it.

export const U64 = (1n << 64n) - 1n;
export const U32 = (1n << 32n) - 1n;

export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

const tn = (value: bigint, mask: bigint): Tnum => ({ value: value & U64, mask: mask & U64 });

export const tnumUnknown: Tnum = { value: 0n, mask: U64 };

export function tnumConst(value: bigint): Tnum {
  return tn(value, 0n);
}

/** fls64: index (1-based) of the most significant set bit, 0 for 0 */
export function fls64(x: bigint): number {
  if (x === 0n) return 0;
  const hi = Number(x >> 32n);
  if (hi) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(Number(x));
}

/** tnum_range */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = (min ^ max) & U64;
  const bits = fls64(chi);
  if (bits > 63) return tnumUnknown;
  const delta = (1n << BigInt(bits)) - 1n;
  return tn(min & ~delta, delta);
}

export const tnumLshift = (a: Tnum, shift: number): Tnum => tn(a.value << BigInt(shift), a.mask << BigInt(shift));
export const tnumRshift = (a: Tnum, shift: number): Tnum => tn(a.value >> BigInt(shift), a.mask >> BigInt(shift));

/** tnum_arshift */
export function tnumArshift(a: Tnum, minShift: number, bitness: 32 | 64): Tnum {
  const s = BigInt(minShift);
  if (bitness === 32) {
    return tn(BigInt.asUintN(32, BigInt.asIntN(32, a.value) >> s), BigInt.asUintN(32, BigInt.asIntN(32, a.mask) >> s));
  }
  return tn(BigInt.asIntN(64, a.value) >> s, BigInt.asIntN(64, a.mask) >> s);
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = (a.mask + b.mask) & U64;
  const sv = (a.value + b.value) & U64;
  const sigma = (sm + sv) & U64;
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return tn(sv & ~mu, mu);
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = (a.value - b.value) & U64;
  const alpha = (dv + a.mask) & U64;
  const beta = (dv - b.mask) & U64;
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return tn(dv & ~mu, mu);
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(tn(0n, 0n), a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return tn(v, alpha & beta & ~v);
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return tn(v, mu & ~v);
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return tn(v & ~mu, mu);
}

export function tnumMul(a: Tnum, b: Tnum): Tnum {
  let acc = tn(0n, 0n);
  while (a.value !== 0n || a.mask !== 0n) {
    if (a.value & 1n) acc = tnumAdd(acc, b);
    else if (a.mask & 1n) acc = tnumUnion(acc, tnumAdd(acc, b));
    a = tnumRshift(a, 1);
    b = tnumLshift(b, 1);
  }
  return acc;
}

export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const mu = ~a.mask & ~b.mask & U64;
  return (a.value & mu) === (b.value & mu);
}

export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return tn(v & ~mu, mu);
}

export function tnumUnion(a: Tnum, b: Tnum): Tnum {
  const v = a.value & b.value;
  const mu = (a.value ^ b.value) | a.mask | b.mask;
  return tn(v & ~mu, mu);
}

export function tnumCast(a: Tnum, size: number): Tnum {
  const m = (1n << BigInt(size * 8)) - 1n;
  return tn(a.value & m, a.mask & m);
}

export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (!size) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** tnum_in: is every value of b a value of a? */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if (b.mask & ~a.mask) return false;
  return a.value === (b.value & ~a.mask);
}

export const tnumSubreg = (a: Tnum): Tnum => tnumCast(a, 4);
export const tnumClearSubreg = (a: Tnum): Tnum => tnumLshift(tnumRshift(a, 32), 32);
export const tnumWithSubreg = (reg: Tnum, sub: Tnum): Tnum => tnumOr(tnumClearSubreg(reg), tnumSubreg(sub));
export const tnumConstSubreg = (a: Tnum, value: bigint): Tnum => tnumWithSubreg(a, tnumConst(value & U32));
export const tnumIsConst = (a: Tnum): boolean => a.mask === 0n;
export const tnumSubregIsConst = (a: Tnum): boolean => (a.mask & U32) === 0n;
export const tnumEqualsConst = (a: Tnum, v: bigint): boolean => a.mask === 0n && a.value === (v & U64);
export const tnumIsUnknown = (a: Tnum): boolean => a.mask === U64;

function swab(v: bigint, bytes: number): bigint {
  let out = 0n;
  for (let i = 0; i < bytes; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}
export const tnumBswap = (a: Tnum, bits: 16 | 32 | 64): Tnum => {
  const m = (1n << BigInt(bits)) - 1n;
  return tn(swab(a.value & m, bits / 8), swab(a.mask & m, bits / 8));
};

/** tnum_step: smallest member of t greater than z (or tmax / t.value at the ends) */
export function tnumStep(t: Tnum, z: bigint): bigint {
  const tmax = t.value | t.mask;
  if (z >= tmax) return tmax;
  if (z < t.value) return t.value;
  const d = (z - t.value) & U64;
  const carryMask = ((1n << BigInt(fls64(d & ~t.mask & U64))) - 1n) & U64;
  const filled = (d | carryMask | ~t.mask) & U64;
  const inc = ((filled + 1n) & U64) & t.mask;
  return t.value | inc;
}
