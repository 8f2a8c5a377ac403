import { describe, expect, it } from 'vitest';
import { csumDiff, csumPartial } from './csum.ts';

describe('bpf_csum_diff as x86-64 computes it', () => {
  it('sums little-endian words with end-around carry and folds to 16 bits', () => {
    // 0x0201 + 0x0403 in 16-bit ones' complement, in memory order
    expect(csumDiff(new Uint8Array(0), Uint8Array.of(1, 2, 3, 4), 0n)).toBe(0x0604n);
    // the 64-bit carry wraps around: 0xffffffffffffffff + 1 = 1
    expect(csumPartial(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1), 0n)).toBe(1n);
  });

  it('diffing equal data gives the folded ones-complement zero', () => {
    const d = Uint8Array.of(9, 8, 7, 6);
    expect(csumDiff(d, d, 0n)).toBe(0xffffn);
  });
});
