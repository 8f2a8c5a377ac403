// Signed and JMP32 comparisons in branch and loop conditions: the branch compares a working
// register (or its low half) with a signed edge value or another register; the loop counts in r5
// up or down with a signed condition, in 64 or 32 bits. The rules exercised: the signed and
// 32-bit parts of is_branch_taken and reg_set_min_max (regs_refine_cond_op), and the bounded
// loop walk of is_state_visited for counters compared signed (kernel/bpf/verifier.c).
import { BPF_ADD, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_SUB, E, type Op } from '../isa/index.ts';
import type { BodyCtx } from './body-ctx.ts';
import { filler } from './body-fillers.ts';
import { READ_REGS, W } from './values.ts';

const SIGNED_JUMPS = [BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE];
/** values around the sign boundaries of 32 and 64 bits, and small ones on both sides of 0 */
const SIGNED_EDGES = [0, 1, -1, 7, -8, 0x7fffffff, -0x80000000, 0x7fff, -0x8000, 0x80, -0x81, 255];

/** `if wX s<op> imm/reg goto label`, 64-bit or JMP32 */
export function signedCond(ctx: BodyCtx, label: number): Op {
  const { rng } = ctx;
  const op = rng.pick(SIGNED_JUMPS);
  const w64 = rng.chance(0.4);
  if (rng.chance(0.35)) return E.jumpReg(op, rng.pick(W), rng.pick(READ_REGS), label, w64);
  return E.jumpImm(op, rng.pick(READ_REGS), rng.pick(SIGNED_EDGES), label, w64);
}

/**
 * A loop of 1..6 rounds over one to three fillers whose counter r5 runs up to a bound or down
 * to 0 and is compared signed, in 64 or 32 bits: `r5 s< n`, `w5 s<= n - 1`, `r5 s> 0`,
 * `w5 s>= 1`, or an exit test at the top (`if r5 s>= n goto out`).
 */
export function signedLoop(ctx: BodyCtx): void {
  const { rng, emit } = ctx;
  const n = rng.int(1, 6);
  const w64 = rng.chance(0.5);
  const head = ctx.newLabel();
  const body = (): void => {
    const k = rng.int(1, 3);
    for (let i = 0; i < k; i++) filler(ctx, true);
  };
  switch (rng.int(0, 4)) {
    case 0: // count up, test at the bottom
      emit(E.movImm(5, 0, w64), E.label(head));
      body();
      emit(E.aluImm(BPF_ADD, 5, 1, w64), E.jumpImm(BPF_JSLT, 5, n, head, w64));
      return;
    case 1:
      emit(E.movImm(5, 0, w64), E.label(head));
      body();
      emit(E.aluImm(BPF_ADD, 5, 1, w64), E.jumpImm(BPF_JSLE, 5, n - 1, head, w64));
      return;
    case 2: // count down from n to 0
      emit(E.movImm(5, n, w64), E.label(head));
      body();
      emit(E.aluImm(BPF_SUB, 5, 1, w64), E.jumpImm(BPF_JSGT, 5, 0, head, w64));
      return;
    case 3: // count up from -n to 0
      emit(E.movImm(5, -n, w64), E.label(head));
      body();
      emit(E.aluImm(BPF_ADD, 5, 1, w64), E.jumpImm(BPF_JSLT, 5, 0, head, w64));
      return;
    default: {
      // the exit test at the top, a jump back at the bottom
      const out = ctx.newLabel();
      emit(E.movImm(5, 0, w64), E.label(head), E.jumpImm(BPF_JSGE, 5, n, out, w64));
      body();
      emit(E.aluImm(BPF_ADD, 5, 1, w64), E.ja(head), E.label(out));
    }
  }
}
