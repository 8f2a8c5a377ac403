import { describe, expect, it } from 'vitest';
import { csumDiff, csumDiffUnfolded, csumPartial } from './csum.ts';

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

  it('6.12 returns the 32-bit sum of ~from and to, 7.2 folds it (both measured on the real kernels)', () => {
    // from = the u64 0x12345678, to = the u64 -2, seed 7 (bpfdiff run -k 6.12 -k 7.2)
    const from = Uint8Array.of(0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0);
    const to = Uint8Array.of(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    expect(csumDiffUnfolded(from, to, 7n)).toBe(3989547405n);
    expect(csumDiff(from, to, 7n)).toBe(38745n);
  });
});
