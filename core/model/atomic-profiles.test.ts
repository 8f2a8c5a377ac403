// Load-acquire and store-release (6.15+) on the 7.x profiles, and what 6.12 says of the same
// instructions (measured on Debian's 6.12.118: a 1- or 2-byte atomic is no opcode of its table,
// a 4- or 8-byte one has an atomic operation code it does not know).
import { describe, expect, it } from 'vitest';
import { PROFILES, verify, type ProfileId } from './index.ts';
import { asm } from './test-programs.ts';

const outcome = (src: string, profile: ProfileId) => {
  const o = verify(asm(src), PROFILES[profile], { xlated: false, jit: false, run: false });
  return { verdict: o.verdict, message: o.message };
};

describe('load-acquire and store-release', () => {
  const load = (size: string) => `*(u64 *)(r10 -8) = 7\nr0 = load_acquire((${size} *)(r10 -8))\nexit`;
  const store = (size: string) => `r1 = 5\nstore_release((${size} *)(r10 -8), r1)\nr0 = *(${size} *)(r10 -8)\nexit`;
  it('are accepted on 7.2 and 7.3 at every size', () => {
    for (const p of ['linux-7.2', 'linux-7.3'] as const) {
      for (const size of ['u8', 'u16', 'u32', 'u64']) {
        expect(outcome(load(size), p).verdict).toBe('accept');
        expect(outcome(store(size), p).verdict).toBe('accept');
      }
    }
  });
  it('are an unknown opcode (1, 2 bytes) or an invalid atomic opcode (4, 8 bytes) on 6.12', () => {
    expect(outcome(load('u8'), 'linux-6.12')).toEqual({ verdict: 'reject', message: 'unknown opcode d3' });
    expect(outcome(store('u16'), 'linux-6.12')).toEqual({ verdict: 'reject', message: 'unknown opcode cb' });
    expect(outcome(load('u32'), 'linux-6.12')).toEqual({ verdict: 'reject', message: 'BPF_ATOMIC uses invalid atomic opcode 100' });
    expect(outcome(store('u64'), 'linux-6.12')).toEqual({ verdict: 'reject', message: 'BPF_ATOMIC uses invalid atomic opcode 110' });
  });
});
