// Scalars as 6.12 tracks them (profile feature cnumBounds off): a multiplication is bounded as its
// scalar_min_max_mul / scalar32_min_max_mul do (a factor that may be negative, or past U16_MAX
// (32-bit) / U32_MAX (64-bit), leaves the result unbounded; 7.x multiplies signed ranges), and NEG
// and END leave an unknown scalar (check_reg_arg DST_OP; 7.x tracks both), and so do DIV and MOD (not
// safe to compute in 6.12's is_safe_to_compute_dst_reg_range: no zero extension either). Every expected outcome
// was measured on the real 6.12.118 and 7.2.13 with `bpfdiff run`.
import { describe, expect, it } from 'vitest';
import { resolveProfile, verify } from './index.ts';
import { asm } from './test-programs.ts';

const CASES: Array<{ what: string; source: string; '6.12': string; '7.2': string }> = [
  {
    what: "a factor that may be negative (R6 in [-8, 7]) times 2",
    source: `r6 = *(u32 *)(r1 +0)
r6 &= 0xf
r6 += -8
r6 *= 2
r2 = r10
r2 += -32
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "math between fp pointer and register with unbounded min value is not allowed",
    '7.2': "",
  },
  {
    what: "non-negative factors within U16_MAX: bounded",
    source: `r6 = *(u32 *)(r1 +0)
r6 &= 7
r6 *= 3
r2 = r10
r2 += -32
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "",
    '7.2': "",
  },
  {
    what: "a 32-bit factor past U16_MAX",
    source: `r6 = *(u32 *)(r1 +0)
w6 &= 0x1ffff
w6 *= 2
r2 = r10
r2 += -32
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "invalid variable-offset write to stack R2 var_off=(0x0; 0x3fffe) off=-32 size=1",
    '7.2': "invalid variable-offset write to stack R2 var_off=(0x0; 0xfffffffffffffffe) off=0 size=1",
  },
  {
    what: "a 64-bit factor past U32_MAX, bounded again by an AND",
    source: `r6 = *(u32 *)(r1 +0)
r6 <<= 1
r6 *= 1
r6 &= 7
r2 = r10
r2 += -32
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "",
    '7.2': "",
  },
  {
    what: "register times register, both non-negative",
    source: `r6 = *(u32 *)(r1 +0)
r6 &= 0xff
r7 = *(u32 *)(r1 +4)
r7 &= 0xf
r6 *= r7
r6 >>= 8
r2 = r10
r2 += -32
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "",
    '7.2': "",
  },
  {
    what: "times -1 (a negative constant factor)",
    source: `r6 = *(u32 *)(r1 +0)
r6 &= 0xf
r6 *= -1
r6 += 16
r2 = r10
r2 += -32
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "math between fp pointer and register with unbounded min value is not allowed",
    '7.2': "",
  },
  {
    what: "negating the constant 8",
    source: `r6 = 8
r6 = -r6
r2 = r10
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "math between fp pointer and register with unbounded min value is not allowed",
    '7.2': "",
  },
  {
    what: "be32 of a constant, then negated",
    source: `r6 = 0x08000000
r6 = be32 r6
r6 = -r6
r2 = r10
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "math between fp pointer and register with unbounded min value is not allowed",
    '7.2': "",
  },
  {
    what: "a 32-bit NEG of a bounded value (not used as an offset)",
    source: `r6 = *(u32 *)(r1 +0)
r6 &= 7
w6 = -w6
r2 = r10
r2 += -32
r0 = 0
*(u8 *)(r2 +0) = r0
r0 = r6
exit
`,
    '6.12': "",
    '7.2': "",
  },
  {
    what: "le16 of 0x800 (a no-op on x86), negated",
    source: `r6 = 0x0800
r6 = le16 r6
r6 = -r6
r2 = r10
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "math between fp pointer and register with unbounded min value is not allowed",
    '7.2': "invalid write to stack R2 off=-2048 size=1",
  },
  {
    what: "dividing the constant 64 by 8",
    source: `r6 = 64
r6 /= 8
r2 = r10
r2 += -16
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "math between fp pointer and register with unbounded min value is not allowed",
    '7.2': "",
  },
  {
    what: "a 32-bit modulo (6.12: an unknown 64-bit scalar, not zero-extended)",
    source: `r6 = *(u32 *)(r1 +0)
w6 %= 16
r2 = r10
r2 += -32
r2 += r6
r0 = 0
*(u8 *)(r2 +0) = r0
exit
`,
    '6.12': "math between fp pointer and register with unbounded min value is not allowed",
    '7.2': "",
  },
];

describe('scalar tracking per kernel: BPF_MUL bounds (6.12 scalar_min_max_mul, 7.x signed products), NEG, END, DIV and MOD', () => {
  for (const c of CASES) {
    for (const kernel of ['6.12', '7.2'] as const) {
      it(`${kernel}: ${c.what} -> ${c[kernel] || 'accept'}`, () => {
        const out = verify(asm(c.source), resolveProfile(kernel)!, { xlated: false, jit: false });
        expect(out.verdict).toBe(c[kernel] ? 'reject' : 'accept');
        expect(out.message).toBe(c[kernel]);
      });
    }
  }
});
