// The socket an sk_buff carries (__sk_buff.sk, sched_cls and socket_filter): a load of the ctx's
// sk field gives a PTR_TO_SOCK_COMMON_OR_NULL (check_mem_access → check_ctx_access), the NULL
// check makes it a sock_common (mark_ptr_or_null_regs), then a bpf_sock field a sock_common
// allows is read (check_sock_access → bpf_sock_common_is_valid_access: bound_dev_if, family,
// the addresses and ports, state; dst_port as its __be16 or as 4 bytes).
import { BPF_JEQ, BPF_JLT, BPF_JNE, E, R_FP, type Op, type SizeName } from '../isa/index.ts';
import type { ProgType } from '../program/index.ts';
import type { BodyCtx } from './body-ctx.ts';

/** offsetof(struct __sk_buff, len) */
const SKB_LEN = 0;
/** offsetof(struct __sk_buff, sk) */
export const SKB_SK = 168;
/** [offset, size] of the bpf_sock fields a sock_common may read */
const COMMON_FIELDS: ReadonlyArray<[number, SizeName]> = [[0, 'W'], [4, 'W'], [24, 'W'], [28, 'W'], [44, 'W'], [48, 'H'], [48, 'W'], [52, 'W'], [56, 'W'], [72, 'W']];

export const skbSkTypes = (t: ProgType): boolean => t === 'sched_cls' || t === 'socket_filter';
export const skbSkFits = (ctx: BodyCtx): boolean => ctx.frame.ctxSlot !== 0 && skbSkTypes(ctx.opts.progType);

/** r1 = ctx->sk, then the NULL check jumping to `skip` when there is no socket (either form) */
function loadSkbSk(ctx: BodyCtx, ctxOps: Op[], skip: number): Op[] {
  const ops: Op[] = [...ctxOps, E.ldx('DW', 1, 1, SKB_SK)];
  if (ctx.rng.chance(0.7)) return [...ops, E.jumpImm(BPF_JEQ, 1, 0, skip)];
  const body = ctx.newLabel();
  return [...ops, E.jumpImm(BPF_JNE, 1, 0, body), E.ja(skip), E.label(body)];
}

/**
 * a statement: for a packet longer than the test run's, r1 = ctx->sk, NULL check, a field read
 * into r2. The test run's skb carries a socket the model's interpreter does not know, so the run
 * (64 bytes) takes the other way; the verifier walks both.
 */
export function skbSkStatement(ctx: BodyCtx): void {
  const skip = ctx.newLabel();
  const [off, size] = ctx.rng.pick(COMMON_FIELDS);
  const ctxOps = [E.ldx('DW', 1, R_FP, ctx.frame.ctxSlot), E.ldx('W', 2, 1, SKB_LEN), E.jumpImm(BPF_JLT, 2, ctx.rng.pick([256, 1500, 0x10000]), skip)];
  ctx.emit(...loadSkbSk(ctx, ctxOps, skip), E.ldx(size, 2, 1, off), E.label(skip));
}
