// 7.x's bounds refinements that 6.12.118 lacks (profile feature boundsSync7x, scalar/bounds-612.ts),
// one program each that proves `r10 = 0` dead on 7.2 only: 6.12 walks into it and rejects with
// `frame pointer is read only`. The model's unit test (bounds-6.12.test.ts) and the real-kernel
// test (test/model-gaps.test.ts, with the verifier_bounds.c selftests these mirror) share them.

const DEAD = 'frame pointer is read only';

interface BoundsCase {
  refinement: string;
  /** a socket_filter program */
  source: string;
  /** the reason line on each kernel ('' = accepted) */
  '6.12': string;
  '7.2': string;
}

export const BOUNDS_612_CASES: BoundsCase[] = [
  {
    // [0x51, 0x70] after the first jump, var_off (0x50; 0x20): of the tnum's values (0x50, 0x70) only
    // the largest is in the range; tnum_range(0x51, 0x70) does not narrow the tnum, so 6.12 keeps both
    refinement: "__update_reg64_bounds's single overlap of tnum and u64 range (tnum_step)",
    source: `call bpf_get_prandom_u32#7
r0 |= 0x50
r0 &= 0x70
if r0 == 0x50 goto +2
if r0 == 0x70 goto +1
r10 = 0
exit
`,
    '6.12': DEAD,
    '7.2': '',
  },
  {
    // equal low words would make w7 0xffffffb8 (-72), outside its s32 range [-70, -67]
    refinement: 'simulate_both_branches_taken (an edge refined to empty bounds is dead)',
    source: `call bpf_get_prandom_u32#7
r5 = r0
r5 &= -8
r7 = r0
r7 &= 3
r7 += -70
if w5 != w7 goto +1
r10 = 0
exit
`,
    '6.12': DEAD,
    '7.2': '',
  },
  {
    // u64 [0x5'00000010, 0x7'00000003] with low word in [4, 9]: only 0x6'00000004..0x6'00000009
    refinement: 'cnum64_cnum32_intersect (64-bit bounds from where the low word may fall in each 2^32 block)',
    source: `call bpf_get_prandom_u32#7
r1 = 0x500000010 ll
if r0 < r1 goto +9
r1 = 0x700000003 ll
if r0 > r1 goto +6
if w0 < 4 goto +5
if w0 > 9 goto +4
r2 = 0x600000004 ll
if r0 >= r2 goto +1
r10 = 0
exit
`,
    '6.12': DEAD,
    '7.2': '',
  },
];
