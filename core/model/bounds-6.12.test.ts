// The programs of bounds-612.cases.ts under the 6.12 and 7.2 profiles: each 7.x refinement proves
// `r10 = 0` dead on 7.2 only (the real kernels give the same: test/model-gaps.test.ts).
import { describe, expect, it } from 'vitest';
import { resolveProfile, verify } from './index.ts';
import { asm } from './test-programs.ts';
import { BOUNDS_612_CASES } from './bounds-612.cases.ts';

describe("bounds refinements per kernel: 7.x's reg_bounds_sync and branch simulation, 6.12's min/max pairs", () => {
  for (const c of BOUNDS_612_CASES) {
    for (const kernel of ['6.12', '7.2'] as const) {
      it(`${kernel}: ${c.refinement} -> ${c[kernel] || 'accept'}`, () => {
        const out = verify(asm(c.source, 'socket_filter'), resolveProfile(kernel)!, { xlated: false, jit: false });
        expect(out.message).toBe(c[kernel]);
        expect(out.verdict).toBe(c[kernel] ? 'reject' : 'accept');
      });
    }
  }
});
