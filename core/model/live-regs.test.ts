// Register liveness (live-regs.ts: bpf_compute_live_registers, compute_insn_live_regs) against the
// "Live regs before insn:" table 7.2.13 prints at log level 2, and the pruning it allows
// (clean_verifier_state): two paths that differ only in a register no later insn reads prune each
// other. 7.2, 7.3 and 6.12.118 all print `10: safe` for the program below and process 14 insns; the
// model, without liveness, kept R7=1 apart from R7=2 and walked 16. Tables and log measured with
// `bpfdiff run --kernel 7.2 --log --log-level 2` (mark_precise lines left out).
import { describe, expect, it } from 'vitest';
import { parseVerifierWalk } from '../diff/verifier-states.ts';
import { programFromAsm } from '../program/assemble.ts';
import type { Program } from '../program/types.ts';
import { modelBeliefs } from './beliefs.ts';
import { helperAvailable, helperProto } from './helpers.ts';
import { PROFILES, verify } from './index.ts';
import { computeLiveRegs } from './live-regs.ts';

const DEAD_REG = `.type sched_cls
.func main args=1
0: (85) call bpf_get_prandom_u32#7
1: (b7) r1 = 0
2: (b7) r2 = 0
3: (b7) r3 = 0
4: (b7) r4 = 0
5: (b7) r5 = 0
6: (25) if r0 > 0x5 goto pc+2
7: (b7) r7 = 1
8: (05) goto pc+1
9: (b7) r7 = 2
10: (b7) r0 = 0
11: (07) r0 += 1
12: (95) exit
`;

/** two calls of one function (call summaries: a bpf-to-bpf call reads r1..r5, a helper its own arguments) */
const CALLS = `.type sched_cls
.func main args=1
0: (85) call bpf_get_prandom_u32#7
1: (bf) r1 = r0
2: (b7) r6 = 1
3: (85) call pc+6
4: (85) call bpf_get_prandom_u32#7
5: (bf) r1 = r0
6: (b7) r6 = 2
7: (85) call pc+2
8: (bf) r0 = r6
9: (95) exit
.func f args=1
10: (bf) r6 = r1
11: (85) call bpf_get_prandom_u32#7
12: (b7) r0 = 0
13: (b7) r2 = 0
14: (b7) r3 = 0
15: (b7) r4 = 0
16: (b7) r5 = 0
17: (25) if r6 > 0xa goto pc+2
18: (b7) r6 = 0
19: (05) goto pc+1
20: (b7) r6 = 0
21: (07) r0 += 1
22: (07) r0 += 1
23: (95) exit
`;

/** a branch the dead-branch pass does not fold, r6 live across it */
const BRANCHES = `.type sched_cls
.func main args=1
0: (85) call bpf_ktime_get_ns#5
1: (bf) r6 = r0
2: (85) call bpf_get_prandom_u32#7
3: (b7) r7 = 0
4: (b7) r8 = 0
5: (55) if r0 != 0x0 goto pc+2
6: (b7) r0 = 0
7: (05) goto pc+4
8: (67) r6 <<= 12
9: (47) r6 |= 986
10: (27) r6 *= 4097
11: (b7) r0 = 0
12: (25) if r6 > 0x3 goto pc+6
13: (bf) r1 = r6
14: (67) r1 <<= 2
15: (bf) r2 = r10
16: (07) r2 += -24
17: (0f) r2 += r1
18: (62) *(u32 *)(r2 +0) = 0
19: (b7) r0 = 0
20: (95) exit
`;

const KERNEL_TABLES: Array<[string, string]> = [
  [DEAD_REG, `0: ..........
1: 0.........
2: 0.........
3: 0.........
4: 0.........
5: 0.........
6: 0.........
7: ..........
8: ..........
9: ..........
10: ..........
11: 0.........
12: 0.........`],
  [CALLS, `0: ..........
1: 0.2345....
2: .12345....
3: .12345....
4: ..........
5: 0.2345....
6: .12345....
7: .123456...
8: ......6...
9: 0.........
10: .1........
11: ......6...
12: ......6...
13: 0.....6...
14: 0.....6...
15: 0.....6...
16: 0.....6...
17: 0.....6...
18: 0.........
19: 0.........
20: 0.........
21: 0.........
22: 0.........
23: 0.........`],
  [BRANCHES, `0: ..........
1: 0.........
2: ......6...
3: 0.....6...
4: 0.....6...
5: 0.....6...
6: ......6...
7: ......6...
8: ......6...
9: ......6...
10: ......6...
11: ......6...
12: ......6...
13: ......6...
14: .1........
15: .1........
16: .12.......
17: .12.......
18: ..2.......
19: ..........
20: 0.........`],
];

const DEAD_REG_LOG = `0: R1=ctx() R10=fp0
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (b7) r1 = 0                        ; R1=0
2: (b7) r2 = 0                        ; R2=0
3: (b7) r3 = 0                        ; R3=0
4: (b7) r4 = 0                        ; R4=0
5: (b7) r5 = 0                        ;
6: (25) if r0 > 0x5 goto pc+2         ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=5,var_off=(0x0; 0x7))
7: (b7) r7 = 1                        ; R7=1
8: (05) goto pc+1
10: (b7) r0 = 0                       ; R0=0
11: (07) r0 += 1                      ; R0=1
12: (95) exit

from 6 to 9: R10=fp0
9: R10=fp0
9: (b7) r7 = 2
10: safe
processed 14 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
`;

function liveTable(p: Program): string[] {
  const live = computeLiveRegs(p.insns, p.funcs.map((f) => f.start), 11, (id) => (helperAvailable(p.progType, id) ? helperProto(id)?.args.length : undefined), true);
  const rows: string[] = [];
  for (let i = 0; i < p.insns.length; i++) {
    rows.push(`${i}: ${[...Array(10).keys()].map((r) => ((live[i]! >> r) & 1 ? String(r) : '.')).join('')}`);
    if (p.insns[i]!.code === 0x18) i++;
  }
  return rows;
}

describe('register liveness', () => {
  it("computes 7.2's live_regs_before, insn by insn", () => {
    for (const [source, table] of KERNEL_TABLES) expect(liveTable(programFromAsm(source))).toEqual(table.split('\n'));
  });

  it('prunes at 10 on 7.2, 7.3 and 6.12: R7 is dead there (14 insns, retval 1)', () => {
    const p = programFromAsm(DEAD_REG);
    for (const id of ['linux-7.2', 'linux-7.3', 'linux-6.12'] as const) {
      expect(verify(p, PROFILES[id])).toMatchObject({ verdict: 'accept', verifiedInsns: 14, retval: 1 });
    }
    const kernel = parseVerifierWalk(DEAD_REG_LOG).segments.flatMap((s) => s.visits.map((v) => v.insn));
    expect(modelBeliefs(p, PROFILES['linux-7.2']).map((b) => b.insn)).toEqual(kernel);
  });
});
