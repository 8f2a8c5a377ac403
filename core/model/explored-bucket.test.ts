// bpf_explored_state (kernel/bpf/verifier.c) keeps the states of insn i in the hash bucket
// (i ^ callsite of the current frame) % prog len, and is_state_visited looks at that bucket only. A
// state a path kept in one call of a function is therefore not seen at the same insn of another
// call (other callsite): it neither prunes there nor, while its path still runs (branches > 0),
// stops a new state from being kept (the loop heuristic: fewer than 20 jumps and 100 insns since the
// last one). The model kept one list per insn: here, in f's second call, the first call's state at
// 17 (an ancestor of the path) kept the model from keeping one at 17; it kept one at 21 instead
// and pruned the second call's `from 17 to 20` path there, 46 insns where 7.2, 7.3 and 6.12.118
// process 50 (the log below is 7.2.13's at level 2, `bpfdiff run --kernel 7.2 --log --log-level 2`,
// mark_precise lines left out). Campaign g4/eebc1af8's reduced program needs this too.
import { describe, expect, it } from 'vitest';
import { parseVerifierWalk } from '../diff/verifier-states.ts';
import { modelBeliefs } from './beliefs.ts';
import { PROFILES, verify } from './index.ts';
import { programFromAsm } from '../program/assemble.ts';

const SOURCE = `.type sched_cls
.func main args=1
call bpf_get_prandom_u32#7
r1 = r0
r6 = 1
call pc+6
call bpf_get_prandom_u32#7
r1 = r0
r6 = 2
call pc+2
r0 = r6
exit
.func f args=1
r6 = r1
call bpf_get_prandom_u32#7
r0 = 0
r2 = 0
r3 = 0
r4 = 0
r5 = 0
if r6 > 0xa goto pc+2
r6 = 0
goto pc+1
r6 = 0
r0 += 1
r0 += 1
exit
`;

const KERNEL_7_2_LOG = `0: R1=ctx() R10=fp0
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r1 = r0                       ; R0=scalar(id=1) R1=scalar(id=1)
2: (b7) r6 = 1                        ;
3: (85) call pc+6
caller:
 R10=fp0
callee:
 frame1: R1=scalar(id=1) R10=fp0
10: frame1: R1=scalar(id=1) R10=fp0
10: (bf) r6 = r1                      ; frame1: R1=scalar(id=1) R6=scalar(id=1)
11: (85) call bpf_get_prandom_u32#7   ; frame1:
12: (b7) r0 = 0                       ; frame1: R0=0
13: (b7) r2 = 0                       ; frame1: R2=0
14: (b7) r3 = 0                       ; frame1: R3=0
15: (b7) r4 = 0                       ; frame1: R4=0
16: (b7) r5 = 0                       ; frame1:
17: (25) if r6 > 0xa goto pc+2        ; frame1: R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))
18: (b7) r6 = 0                       ; frame1: R6=0
19: (05) goto pc+1
21: (07) r0 += 1                      ; frame1: R0=1
22: (07) r0 += 1                      ; frame1: R0=2
23: (95) exit
returning from callee:
 frame1: R0=2 R10=fp0
to caller at 4:
 R0=2 R10=fp0

from 23 to 4: R10=fp0
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r1 = r0                       ; R0=scalar(id=2) R1=scalar(id=2)
6: (b7) r6 = 2                        ; R6=2
7: (85) call pc+2
caller:
 R6=2 R10=fp0
callee:
 frame1: R1=scalar() R10=fp0
10: frame1: R1=scalar() R10=fp0
10: (bf) r6 = r1                      ; frame1: R1=scalar(id=3) R6=scalar(id=3)
11: (85) call bpf_get_prandom_u32#7   ; frame1:
12: (b7) r0 = 0                       ; frame1: R0=0
13: (b7) r2 = 0                       ; frame1: R2=0
14: (b7) r3 = 0                       ; frame1: R3=0
15: (b7) r4 = 0                       ; frame1: R4=0
16: (b7) r5 = 0                       ; frame1:
17: (25) if r6 > 0xa goto pc+2        ; frame1: R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))
18: (b7) r6 = 0                       ; frame1: R6=0
19: (05) goto pc+1
21: (07) r0 += 1                      ; frame1: R0=1
22: (07) r0 += 1                      ; frame1: R0=2
23: (95) exit
returning from callee:
 frame1: R0=2 R10=fp0
to caller at 8:
 R0=2 R6=2 R10=fp0

from 23 to 8: R6=2 R10=fp0
8: (bf) r0 = r6                       ; R0=2 R6=2
9: (95) exit

from 17 to 20: frame1: R0=0 R10=fp0
20: frame1: R0=0 R10=fp0
20: (b7) r6 = 0                       ; frame1:
21: (07) r0 += 1                      ; frame1: R0=1
22: (07) r0 += 1                      ; frame1: R0=2
23: (95) exit
returning from callee:
 frame1: R0=2 R10=fp0
to caller at 8:
 R0=2 R6=2 R10=fp0

from 23 to 8: R6=2 R10=fp0
8: (bf) r0 = r6                       ; R0=2 R6=2
9: (95) exit

from 17 to 20: frame1: R0=0 R10=fp0
20: frame1: R0=0 R10=fp0
20: (b7) r6 = 0                       ; frame1:
21: (07) r0 += 1                      ; frame1: R0=1
22: (07) r0 += 1                      ; frame1: R0=2
23: (95) exit
returning from callee:
 frame1: R0=2 R10=fp0
to caller at 4:
 R0=2 R10=fp0

from 23 to 4: R10=fp0
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r1 = r0                       ; R0=scalar(id=4) R1=scalar(id=4)
6: (b7) r6 = 2
7: safe
processed 50 insns (limit 1000000) max_states_per_insn 1 total_states 5 peak_states 5 mark_read 0
`;

describe('explored states are per (insn, callsite) bucket', () => {
  const program = programFromAsm(SOURCE);

  it('7.2, 7.3 and 6.12 walk 50 insns: the model too, with retval 2', () => {
    for (const id of ['linux-7.2', 'linux-7.3', 'linux-6.12'] as const) {
      expect(verify(program, PROFILES[id])).toMatchObject({ verdict: 'accept', verifiedInsns: 50, retval: 2 });
    }
  });

  it("walks the kernel's paths in the kernel's order: no prune inside f, the second call's first path is pruned at the call (`7: safe`)", () => {
    const kernel = parseVerifierWalk(KERNEL_7_2_LOG).segments.flatMap((s) => s.visits.map((v) => v.insn));
    expect(modelBeliefs(program, PROFILES['linux-7.2']).map((b) => b.insn)).toEqual(kernel);
    expect(kernel.length).toBe(49);
  });
});
