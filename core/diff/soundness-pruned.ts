// Following a run past the points where the kernel pruned its path (kernel/bpf/verifier.c
// is_state_visited: a state at a prune point that an explored state covers is not walked on;
// `N: safe` / `from X to N: safe` in the level-2 log). The kernel's claim is that the explored
// state's walk covers every way the pruned state can go: registers and stack slots that decide a
// branch or an access were marked precise (backtrack_insn / mark_chain_precision) and so had to
// lie within the explored state's for the prune to happen. A run that, after such a prune, takes
// a branch side that none of the explored states at the prune point walked is therefore a
// verifier-unsound prune, whatever the return value; the stack-argument precision bug
// (corpus/regressions/stack_arg_precision_unsound_belief.s) is one.
import type { InsnBelief, WalkSegment } from './verifier-states.ts';

interface Resumed {
  seg: WalkSegment;
  pos: number;
}

/**
 * The visits at `insn` in frame `frame` of walk `walk` that the kernel had explored when it
 * pruned there: every visit of the segments up to `lastSeg` (the pruned path's own segment, or
 * the popped branch's, whose first instruction was pruned) — the states is_state_visited can
 * have compared against, loop iterations before it included.
 */
export function coveringVisits(segments: readonly WalkSegment[], walk: number, insn: number, frame: number, lastSeg: number): Resumed[] {
  const out: Resumed[] = [];
  for (const seg of segments) {
    if (seg.walk !== walk || seg.id > lastSeg) continue;
    seg.visits.forEach((v: InsnBelief, pos) => {
      if (v.insn === insn && v.frame === frame) out.push({ seg, pos });
    });
  }
  return out;
}
