// Mutations of signed loop conditions (body-branches.ts): a loop whose counter never moves, so the
// verifier meets the same state at the loop head on the current path (is_state_visited,
// kernel/bpf/verifier.c: `infinite loop detected at insn N`).
import { BPF_JSGE, BPF_JSGT, E } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, reached, type MutationCtx, type Mutator } from './mutate-ctx.ts';

/** `w5 = n; head: if w5 s> 0 goto head` (or s>= 1): nothing in the loop changes any state */
function loopNoProgress(c: MutationCtx): string {
  const { rng } = c;
  const f = reached(c);
  const head = c.newLabel();
  const w64 = rng.chance(0.5);
  const cond = rng.chance(0.5) ? E.jumpImm(BPF_JSGT, 5, 0, head, w64) : E.jumpImm(BPF_JSGE, 5, 1, head, w64);
  f.ops.splice(exitAt(f), 0, E.movImm(5, rng.int(1, 6), w64), E.label(head), cond, E.movImm(0, 0));
  return '^infinite loop detected at insn \\d+$';
}

export const BRANCH_MUTATORS = {
  'loop-no-progress': loopNoProgress,
} satisfies Partial<Record<MutationKind, Mutator>>;
