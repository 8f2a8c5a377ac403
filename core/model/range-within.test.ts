// regsafe's range_within (kernel/bpf/states.c) on cnums: an explored state's unknown scalar holds
// any current one, one whose arc wraps past UMAX too (cnum_is_subset, kernel/bpf/cnum_defs.h).
// R6 * 4097 with R6 = (x << 12) | 986 is such a scalar: smin=0x80000000000003da,
// smax=0x7ffffffffffff3da, umin=0 (the arc runs through 0). The model said the unknown R6 of the
// first path to insn 12 did not hold it, walked on, took the fall-through of `if r6 > 0x3` (which
// the kernel's refinement leaves alive with R6=986) and rejected the write at fp+3920 that 7.2, 7.3
// and 6.12 never see: they prune at 12 (campaign g4/eebc1af8, a 4-function program, is this).
// The kernel log below is 7.2.13's at log level 2 (`bpfdiff run --kernel 7.2 --log --log-level 2`,
// mark_precise lines left out); 7.3 and 6.12.118 also print `12: safe`, processed 24 insns, retval 0.
import { describe, expect, it } from 'vitest';
import { parseVerifierWalk } from '../diff/verifier-states.ts';
import { modelBeliefs } from './beliefs.ts';
import { PROFILES, verify } from './index.ts';
import { asm } from './test-programs.ts';

const SOURCE = `call bpf_ktime_get_ns#5
r6 = r0
call bpf_get_prandom_u32#7
r7 = 0
r8 = 0
if r0 != 0x0 goto pc+2
r0 = 0
goto pc+4
r6 <<= 12
r6 |= 986
r6 *= 4097
r0 = 0
if r6 > 0x3 goto pc+6
r1 = r6
r1 <<= 2
r2 = r10
r2 += -24
r2 += r1
*(u32 *)(r2 +0) = 0
r0 = 0
exit
`;

const KERNEL_7_2_LOG = `0: R1=ctx() R10=fp0
0: (85) call bpf_ktime_get_ns#5       ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (b7) r7 = 0                        ; R7=0
4: (b7) r8 = 0                        ;
5: (55) if r0 != 0x0 goto pc+2        ; R0=0
6: (b7) r0 = 0                        ; R0=0
7: (05) goto pc+4
12: (25) if r6 > 0x3 goto pc+6        ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3))
13: (bf) r1 = r6                      ; R1=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3)) R6=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3))
14: (67) r1 <<= 2                     ; R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=12,var_off=(0x0; 0xc))
15: (bf) r2 = r10                     ; R2=fp0 R10=fp0
16: (07) r2 += -24                    ; R2=fp-24
17: (0f) r2 += r1
18: R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=12,var_off=(0x0; 0xc)) R2=fp(smin=smin32=-24,smax=smax32=-12,umin=0xffffffffffffffe8,umax=0xfffffffffffffff4,umin32=0xffffffe8,umax32=0xfffffff4,var_off=(0xffffffffffffffe0; 0x1c))
18: (62) *(u32 *)(r2 +0) = 0          ;
19: (b7) r0 = 0                       ; R0=0
20: (95) exit

from 12 to 19: R10=fp0
19: R10=fp0
19: (b7) r0 = 0                       ; R0=0
20: (95) exit

from 5 to 8: R6=scalar(id=1) R10=fp0
8: R6=scalar(id=1) R10=fp0
8: (67) r6 <<= 12                     ; R6=scalar(smax=0x7ffffffffffff000,smax32=0x7ffff000,var_off=(0x0; 0xfffffffffffff000))
9: (47) r6 |= 986                     ; R6=scalar(umin=umin32=986,umax=0xfffffffffffff3da,umax32=0xfffff3da,var_off=(0x3da; 0xfffffffffffff000))
10: (27) r6 *= 4097                   ; R6=scalar(smin=0x80000000000003da,smax=0x7ffffffffffff3da,smin32=0x800003da,smax32=0x7ffff3da,var_off=(0x3da; 0xfffffffffffff000))
11: (b7) r0 = 0
frame 0: propagating r6
12: safe
processed 24 insns (limit 1000000) max_states_per_insn 0 total_states 2 peak_states 2 mark_read 0
`;

describe('range_within: an unknown scalar holds a wrapping one', () => {
  const program = asm(SOURCE);

  it('7.2, 7.3 and 6.12 prune the second path at insn 12: accept after 24 insns, retval 0', () => {
    for (const id of ['linux-7.2', 'linux-7.3', 'linux-6.12'] as const) {
      expect(verify(program, PROFILES[id])).toMatchObject({ verdict: 'accept', verifiedInsns: 24, retval: 0 });
    }
  });

  it("walks the kernel's instructions in the kernel's order and stops where it says `12: safe`", () => {
    const kernel = parseVerifierWalk(KERNEL_7_2_LOG).segments.flatMap((s) => s.visits);
    const model = modelBeliefs(program, PROFILES['linux-7.2']);
    expect(model.map((b) => b.insn)).toEqual(kernel.map((v) => v.insn));
    expect(model.map((b) => b.insn)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 20, 19, 20, 8, 9, 10, 11]);
    // R6 before insn 11 (after `r6 *= 4097`) as the kernel prints it after insn 10
    const r6 = model[model.length - 1]!.regs.find((r) => r.reg === 6)!;
    expect(r6).toMatchObject({ smin: -0x7ffffffffffffc26n, smax: 0x7ffffffffffff3dan, umin: 0n, umax: (1n << 64n) - 1n, s32min: -0x7ffffc26n, s32max: 0x7ffff3dan });
    expect(r6.varOff).toEqual({ value: 0x3dan, mask: 0xfffffffffffff000n });
  });
});
