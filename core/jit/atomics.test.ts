// Atomics (atomics.ts) against the real 7.2.13 image of testdata/rules/atomics.s.
import { describe, it } from 'vitest';
import { expectInsns } from './testdata/fixture.ts';

describe('atomics (emit_atomic_rmw and the cmpxchg loop)', () => {
  it('emits lock add/or/and/xor, lock xadd, xchg (no lock) and lock cmpxchg', () =>
    expectInsns('atomics', 'qemu64', [
      [4, 'f0480175f8', 'lock *(u64 *)(r10 -8) += r2: lock add [rbp-8], rsi'],
      [5, 'f00975f0', 'lock *(u32 *)(r10 -16) |= r2: lock or [rbp-16], esi'],
      [6, 'f0482175f8', 'lock and'],
      [7, 'f03175f0', 'lock xor (32-bit)'],
      [8, 'f0480fc175f8', 'atomic64_fetch_add: lock xadd [rbp-8], rsi'],
      [10, '488755f8', 'atomic64_xchg: xchg [rbp-8], rdx'],
      [13, 'f0480fb14df8', 'atomic64_cmpxchg: lock cmpxchg [rbp-8], rcx'],
    ]));

  it('loops on cmpxchg for fetch_and/or/xor, keeping r0 in r10', () =>
    expectInsns('atomics', 'qemu64', [
      [15, '4989c2488b45f84989c34d21c3f04c0fb15df875ee4989c04c89d0', 'fetch_and: mov r10, rax; mov rax, [rbp-8]; mov r11, rax; and r11, r8; lock cmpxchg [rbp-8], r11; jne -18; mov r8, rax; mov rax, r10'],
      [17, '4989c28b45f04189c34109dbf0440fb15df075ef89c34c89d0', 'atomic_fetch_or (32-bit)'],
      [19, '4989c2488b45f84989c34d31d3f04c0fb15df875ee4989c24c89d0', 'fetch_xor with r0 as the source: r10 stands in for it'],
    ]));
});
