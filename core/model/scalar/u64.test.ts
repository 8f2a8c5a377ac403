// The word-pair u64 arithmetic against BigInt, value by value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { u64 } from './test-arbitraries.ts';
import {
  W64,
  addHi,
  addLo,
  bigS,
  bigU,
  bswap32,
  flsW,
  ltS,
  ltU,
  subHi,
  subLo,
  wAdd,
  wDivU,
  wFromBig,
  wFromS32,
  wFromU32,
  wLeS,
  wLeU,
  wMul32,
  wMulS,
  wMulU,
  wNeg,
  wSar,
  wShl,
  wShr,
  wSub,
} from './u64.ts';

const U64 = (1n << 64n) - 1n;
const u = (x: bigint): bigint => BigInt.asUintN(64, x);
const s = (x: bigint): bigint => BigInt.asIntN(64, x);

const w = (x: bigint): W64 => wFromBig(x);
const big = (a: W64): bigint => bigU(a.h, a.l);
/** words are held `| 0` */
const wellFormed = (a: W64): boolean => a.h === (a.h | 0) && a.l === (a.l | 0);

const runs = { numRuns: 2000 };

describe('u64 as two int32 words', () => {
  it('round-trips through BigInt, unsigned and signed', () => {
    fc.assert(
      fc.property(fc.oneof(u64, fc.bigInt({ min: -(1n << 70n), max: 1n << 70n })), (x) => {
        const a = w(x);
        expect(wellFormed(a)).toBe(true);
        expect(big(a)).toBe(u(x));
        expect(bigS(a.h, a.l)).toBe(s(x));
      }),
      runs,
    );
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 32), max: 2 ** 32 }), (x) => {
        expect(big(wFromU32(x))).toBe(BigInt.asUintN(32, BigInt(x)));
        expect(big(wFromS32(x))).toBe(u(BigInt.asIntN(32, BigInt(x))));
      }),
      runs,
    );
  });

  it('adds, subtracts and negates mod 2^64', () => {
    fc.assert(
      fc.property(u64, u64, (x, y) => {
        const a = w(x), b = w(y);
        expect(big(wAdd(a, b))).toBe(u(x + y));
        expect(big(wSub(a, b))).toBe(u(x - y));
        expect(big(wNeg(a))).toBe(u(-x));
        expect(addHi(a.h, a.l, b.h, b.l)).toBe(wAdd(a, b).h);
        expect(addLo(a.l, b.l)).toBe(wAdd(a, b).l);
        expect(subHi(a.h, a.l, b.h, b.l)).toBe(wSub(a, b).h);
        expect(subLo(a.l, b.l)).toBe(wSub(a, b).l);
        expect(wellFormed(wAdd(a, b)) && wellFormed(wSub(a, b))).toBe(true);
      }),
      runs,
    );
  });

  it('compares unsigned and signed', () => {
    fc.assert(
      fc.property(u64, u64, (x, y) => {
        const a = w(x), b = w(y);
        expect(ltU(a.h, a.l, b.h, b.l)).toBe(x < y);
        expect(ltS(a.h, a.l, b.h, b.l)).toBe(s(x) < s(y));
        expect(wLeU(a, b)).toBe(x <= y);
        expect(wLeS(a, b)).toBe(s(x) <= s(y));
      }),
      runs,
    );
  });

  it('shifts by 0 to 70 as BigInt does', () => {
    fc.assert(
      fc.property(u64, fc.integer({ min: 0, max: 70 }), (x, n) => {
        const a = w(x);
        expect(big(wShl(a, n))).toBe(u(x << BigInt(n)));
        expect(big(wShr(a, n))).toBe(x >> BigInt(n));
        expect(big(wSar(a, n))).toBe(u(s(x) >> BigInt(n)));
        expect(wellFormed(wShl(a, n)) && wellFormed(wShr(a, n)) && wellFormed(wSar(a, n))).toBe(true);
      }),
      runs,
    );
  });

  it('multiplies with the kernel overflow checks', () => {
    // besides arbitrary pairs: products right at 2^64 and 2^63, where the overflow checks decide
    const nearLimit = fc.tuple(fc.bigInt(1n, 1n << 33n), fc.bigInt(-3n, 3n), fc.constantFrom(U64, 1n << 63n)).map(([y, d, lim]): [bigint, bigint] => [u(lim / y + d), y]);
    fc.assert(
      fc.property(fc.oneof(fc.tuple(u64, u64), nearLimit, nearLimit.map(([x, y]): [bigint, bigint] => [u(-x), y])), ([x, y]) => {
        const a = w(x), b = w(y);
        const pu = x * y;
        const mu = wMulU(a, b);
        expect(mu === undefined ? undefined : big(mu)).toBe(pu > U64 ? undefined : pu);
        const ps = s(x) * s(y);
        const ms = wMulS(a, b);
        expect(ms === undefined ? undefined : bigS(ms.h, ms.l)).toBe(ps >= 1n << 63n || ps < -(1n << 63n) ? undefined : ps);
        const lx = x & 0xffffffffn, ly = y & 0xffffffffn;
        expect(big(wMul32(a.l, b.l))).toBe(lx * ly);
      }),
      runs,
    );
  });

  it('divides', () => {
    fc.assert(
      fc.property(u64, u64, (x, y) => {
        if (y === 0n) return;
        expect(big(wDivU(w(x), w(y)))).toBe(x / y);
      }),
      runs,
    );
  });

  it('finds the top bit and swaps bytes', () => {
    fc.assert(
      fc.property(u64, (x) => {
        const a = w(x);
        expect(flsW(a.h, a.l)).toBe(x === 0n ? 0 : x.toString(2).length);
        const lo = Number(x & 0xffffffffn);
        const swapped = ((lo & 0xff) << 24) | ((lo & 0xff00) << 8) | ((lo >>> 8) & 0xff00) | (lo >>> 24);
        expect(bswap32(a.l)).toBe(swapped | 0);
      }),
      runs,
    );
  });
});
