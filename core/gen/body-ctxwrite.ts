// Stores into the ctx fields a program type may write (tc_cls_act_is_valid_access and
// sk_filter_is_valid_access in net/core/filter.c: sched_cls mark, priority, tc_index and cb[],
// socket_filter cb[] only; xdp none), each read back into the checksum. The kernel rewrites both
// accesses to the sk_buff's own fields (convert_ctx_accesses), so a wrong rewrite changes the
// retval. The store is 4 bytes, from a register or an immediate.
import { E, R_FP } from '../isa/index.ts';
import type { ProgType } from '../program/index.ts';
import type { BodyCtx } from './body-ctx.ts';
import { READ_REGS, imm32 } from './values.ts';

/** __sk_buff offsets each type may write: mark 8, priority 32, tc_index 44, cb[0..4] 48..64 */
const WRITABLE: Partial<Record<ProgType, readonly number[]>> = {
  sched_cls: [8, 32, 44, 48, 52, 56, 60, 64],
  socket_filter: [48, 52, 56, 60, 64],
};

export const ctxWriteFits = (ctx: BodyCtx): boolean => ctx.frame.ctxSlot !== 0 && WRITABLE[ctx.opts.progType] !== undefined;

/** a statement: r1 = ctx, a 4-byte store into a writable field, the field read back and folded */
export function ctxWriteStatement(ctx: BodyCtx): void {
  const { rng } = ctx;
  const off = rng.pick(WRITABLE[ctx.opts.progType]!);
  ctx.emit(E.ldx('DW', 1, R_FP, ctx.frame.ctxSlot));
  ctx.emit(rng.chance(0.5) ? E.stx('W', 1, off, rng.pick(READ_REGS)) : E.st('W', 1, off, imm32(rng)));
  ctx.emit(E.ldx('W', 0, 1, off));
  ctx.fold(0);
}
