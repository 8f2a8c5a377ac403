// A seeded random source that gives the same sequence on every machine and Node version:
// xoshiro128** over 32-bit integer math (Math.imul, >>>), seeded through splitmix32.
// No floating point touches the state, so programs are byte-identical for a seed.

function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `words` are 32-bit unsigned parts of the seed (campaign seed halves, program index, stream). */
  constructor(...words: number[]) {
    const st = { x: 0x2545f491 };
    for (const w of words) st.x = (splitmix32(st) ^ (w >>> 0)) | 0;
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The generator for program `index` of a campaign with `seed` (a safe non-negative integer). */
  static forProgram(seed: number, index: number, stream = 0): Prng {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
    return new Prng(lo, hi, index >>> 0, stream >>> 0);
  }

  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** signed 32-bit */
  i32(): number {
    return this.u32() | 0;
  }

  /** uniform integer in [lo, hi] (inclusive); hi - lo < 2^32 */
  int(lo: number, hi: number): number {
    if (hi <= lo) return lo;
    const span = hi - lo + 1;
    // 64 bits of state folded into [0, span) by multiply-high keeps the bias below 2^-32.
    const a = this.u32();
    const b = this.u32();
    const frac = (a * 0x1_0000_0000 + b) / 2 ** 64;
    return lo + Math.min(span - 1, Math.floor(frac * span));
  }

  /** true with probability p (0..1) */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.u32() < Math.floor(p * 0x1_0000_0000);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)];
  }

  /** index chosen with probability proportional to weights[i] (non-negative integers or reals) */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, w) => a + Math.max(0, w), 0);
    if (total <= 0) return this.int(0, weights.length - 1);
    let x = this.int(0, 0xffffffff) / 0x1_0000_0000 * total;
    for (let i = 0; i < weights.length; i++) {
      x -= Math.max(0, weights[i]);
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
