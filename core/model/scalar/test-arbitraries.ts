// fast-check arbitraries shared by the scalar tests.
import fc from 'fast-check';

const U64 = (1n << 64n) - 1n;
const u = (x: bigint): bigint => BigInt.asUintN(64, x);

/** 2^k and its neighbours */
export const nearPow2 = fc.integer({ min: 0, max: 64 }).chain((k) => fc.bigInt(-2n, 2n).map((d) => u((1n << BigInt(k)) + d)));

/** u64 values with the edges well represented */
export const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: U64 }),
  fc.bigInt(-300n, 300n).map(u),
  fc.bigInt({ min: 0n, max: 0xffffffffn }),
  fc.integer({ min: 0, max: 63 }).chain((k) => fc.bigInt(-2n, 2n).map((d) => u((1n << BigInt(k)) + d))),
  fc.constantFrom(0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 32n, 1n << 63n, U64, (1n << 63n) - 1n),
);
