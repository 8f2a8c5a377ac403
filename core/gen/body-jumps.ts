// The exit laid out before the body, as compilers do with a shared return block: the function
// jumps over `exit` to its body, and the exit sequence (which sets r0) jumps back to it, so the
// function ends in an unconditional jump (check_subprogs accepts a subprogram that ends in
// `ja` or `gotol`) and the walk follows a backward jump that makes no loop. Either jump is
// sometimes the long form gotol (BPF_JMP32 | BPF_JA, offset in imm; do_check's gotol case).
import { BPF_JA, BPF_JMP, BPF_JMP32, type Op } from '../isa/index.ts';
import type { BodyCtx } from './body-ctx.ts';

/** `ja` or `gotol` to `label` */
function jumpTo(ctx: BodyCtx, label: number): Op {
  if (ctx.rng.chance(0.5)) return { kind: 'jump', insn: { code: BPF_JMP32 | BPF_JA, dst: 0, src: 0, off: 0, imm: 0 }, label };
  return { kind: 'jump', insn: { code: BPF_JMP | BPF_JA, dst: 0, src: 0, off: 0, imm: 0 }, label };
}

/**
 * Rewrites the finished function `ops` (entry, statements, exit sequence, `exit`) as entry and
 * statements, a jump to the exit sequence, `exit`, the exit sequence, a jump back to `exit`.
 * The exitBegin mark stays at the head of the exit sequence, so mutations placed before it still run.
 */
export function layoutExitFirst(ctx: BodyCtx, ops: Op[]): void {
  const begin = ops.findIndex((op) => op.kind === 'mark' && op.tag.role === 'exitBegin');
  const exit = ops.pop()!;
  const seq = ops.splice(begin);
  const toSeq = ctx.newLabel();
  const toExit = ctx.newLabel();
  ops.push(jumpTo(ctx, toSeq), { kind: 'label', label: toExit }, exit, { kind: 'label', label: toSeq }, ...seq, jumpTo(ctx, toExit));
}
