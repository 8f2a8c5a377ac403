// u64 arithmetic on two int32 words (hi, lo), so that scalar tracking runs on small integers rather
// than BigInt, whose every operation allocates. Words are kept `| 0`: V8 then holds them as small
// integers in registers and object fields. `x >>> 0` reads a word as unsigned.

/** a u64 as its high and low 32-bit words (each `| 0`) */
export class W64 {
  constructor(
    readonly h: number,
    readonly l: number,
  ) {}
}

export const W_ZERO = new W64(0, 0);
export const W_UMAX = new W64(-1, -1);
/** S64_MAX and S64_MIN (as u64) */
export const W_SMAX = new W64(0x7fffffff, -1);
export const W_SMIN = new W64(-0x80000000, 0);

const TWO32 = 4294967296;

// --- word level: for code that keeps the words in its own fields ---

export const addLo = (al: number, bl: number): number => (al + bl) | 0;
export const addHi = (ah: number, al: number, bh: number, bl: number): number =>
  (ah + bh + ((al >>> 0) + (bl >>> 0) >= TWO32 ? 1 : 0)) | 0;
export const subLo = (al: number, bl: number): number => (al - bl) | 0;
export const subHi = (ah: number, al: number, bh: number, bl: number): number =>
  (ah - bh - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;

/** a < b, unsigned */
export const ltU = (ah: number, al: number, bh: number, bl: number): boolean =>
  ah !== bh ? ah >>> 0 < bh >>> 0 : al >>> 0 < bl >>> 0;
/** a < b, signed */
export const ltS = (ah: number, al: number, bh: number, bl: number): boolean => (ah !== bh ? ah < bh : al >>> 0 < bl >>> 0);

/** shifts by n in [0, 63] (n >= 64 as BigInt would do it: everything shifted out) */
export const shlHi = (h: number, l: number, n: number): number =>
  n === 0 ? h : n < 32 ? (h << n) | (l >>> (32 - n)) : n < 64 ? l << (n - 32) : 0;
export const shlLo = (l: number, n: number): number => (n < 32 ? l << n : 0);
export const shrHi = (h: number, n: number): number => (n < 32 ? (h >>> n) | 0 : 0);
export const shrLo = (h: number, l: number, n: number): number =>
  n === 0 ? l : n < 32 ? (l >>> n) | (h << (32 - n)) : n < 64 ? (h >>> (n - 32)) | 0 : 0;
export const sarHi = (h: number, n: number): number => (n < 32 ? h >> n : h >> 31);
export const sarLo = (h: number, l: number, n: number): number =>
  n === 0 ? l : n < 32 ? (l >>> n) | (h << (32 - n)) : n < 64 ? h >> (n - 32) : h >> 31;

/** fls64: index (1-based) of the most significant set bit, 0 for 0 */
export const flsW = (h: number, l: number): number => (h !== 0 ? 64 - Math.clz32(h) : 32 - Math.clz32(l));

/** a 32-bit word with its bytes reversed */
export const bswap32 = (x: number): number => ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24)) | 0;

// --- values ---

export const wLtU = (a: W64, b: W64): boolean => ltU(a.h, a.l, b.h, b.l);
export const wLeU = (a: W64, b: W64): boolean => !ltU(b.h, b.l, a.h, a.l);
export const wLtS = (a: W64, b: W64): boolean => ltS(a.h, a.l, b.h, b.l);
export const wLeS = (a: W64, b: W64): boolean => !ltS(b.h, b.l, a.h, a.l);
export const wMinU = (a: W64, b: W64): W64 => (wLtU(b, a) ? b : a);
export const wMaxU = (a: W64, b: W64): W64 => (wLtU(a, b) ? b : a);
export const wMinS = (a: W64, b: W64): W64 => (wLtS(b, a) ? b : a);
export const wMaxS = (a: W64, b: W64): W64 => (wLtS(a, b) ? b : a);
export const wAdd = (a: W64, b: W64): W64 => new W64(addHi(a.h, a.l, b.h, b.l), addLo(a.l, b.l));
export const wSub = (a: W64, b: W64): W64 => new W64(subHi(a.h, a.l, b.h, b.l), subLo(a.l, b.l));
export const wNeg = (a: W64): W64 => wSub(W_ZERO, a);
export const wShl = (a: W64, n: number): W64 => new W64(shlHi(a.h, a.l, n), shlLo(a.l, n));
export const wShr = (a: W64, n: number): W64 => new W64(shrHi(a.h, n), shrLo(a.h, a.l, n));
export const wSar = (a: W64, n: number): W64 => new W64(sarHi(a.h, n), sarLo(a.h, a.l, n));
export const wIsNeg = (a: W64): boolean => a.h < 0;
/** a u32 (any integer, taken mod 2^32) zero-extended */
export const wFromU32 = (x: number): W64 => new W64(0, x | 0);
/** an s32 (any integer, taken mod 2^32) sign-extended */
export const wFromS32 = (x: number): W64 => new W64((x | 0) >> 31, x | 0);

/** the low 64 bits of a BigInt (negative ones in two's complement) */
export function wFromBig(v: bigint): W64 {
  if (v >= -0x80000000n && v <= 0x7fffffffn) return wFromS32(Number(v));
  if (v >= 0n && v <= 0xffffffffn) return new W64(0, Number(v) | 0);
  return new W64(Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asIntN(32, v)));
}

/** the words as an unsigned BigInt */
export const bigU = (h: number, l: number): bigint => (h === 0 ? BigInt(l >>> 0) : (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0));
/** the words as a signed BigInt */
export const bigS = (h: number, l: number): bigint =>
  (h === 0 && l >= 0) || (h === -1 && l < 0) ? BigInt(l) : (BigInt(h) << 32n) | BigInt(l >>> 0);
export const wBigU = (a: W64): bigint => bigU(a.h, a.l);
export const wBigS = (a: W64): bigint => bigS(a.h, a.l);

/** a * b for u32 a and b (any integers, taken mod 2^32): the exact 64-bit product */
export function wMul32(a: number, b: number): W64 {
  a >>>= 0;
  b >>>= 0;
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0;
  const mid = a1 * b0 + a0 * b1 + (p00 >>> 16); // < 2^34
  return new W64((a1 * b1 + Math.floor(mid / 65536)) | 0, ((mid & 0xffff) << 16) | (p00 & 0xffff));
}

/** a * b as u64, or undefined when the product exceeds U64_MAX (check_mul_overflow) */
export function wMulU(a: W64, b: W64): W64 | undefined {
  if (a.h !== 0 && b.h !== 0) return undefined;
  const x = a.h === 0 ? b : a, y = a.h === 0 ? a : b; // y < 2^32
  const lo = wMul32(x.l, y.l);
  if (x.h === 0) return lo;
  const hi = wMul32(x.h, y.l); // times 2^32
  if (hi.h !== 0) return undefined;
  const top = (lo.h >>> 0) + (hi.l >>> 0);
  return top >= TWO32 ? undefined : new W64(top | 0, lo.l);
}

/** a * b as s64, or undefined when the product leaves [S64_MIN, S64_MAX] */
export function wMulS(a: W64, b: W64): W64 | undefined {
  const an = a.h < 0, bn = b.h < 0;
  const p = wMulU(an ? wNeg(a) : a, bn ? wNeg(b) : b);
  if (!p) return undefined;
  if (an !== bn) return p.h >>> 0 > 0x80000000 || (p.h === -0x80000000 && p.l !== 0) ? undefined : wNeg(p);
  return p.h < 0 ? undefined : p;
}

/** a / b for u64 a and b != 0 (u32 operands divide as doubles: the quotient is exact) */
export function wDivU(a: W64, b: W64): W64 {
  if (a.h === 0 && b.h === 0) return new W64(0, Math.floor((a.l >>> 0) / (b.l >>> 0)) | 0);
  return wFromBig(bigU(a.h, a.l) / bigU(b.h, b.l));
}
