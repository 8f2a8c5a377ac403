// Helper statements: calls of the helpers the model knows (core/model/helpers.ts HELPER_PROTOS),
// with arguments of the types their prototypes ask for, as check_helper_call → check_func_arg
// checks them: ctx pointers, stack buffers the helper reads (ARG_PTR_TO_MEM | MEM_RDONLY, with a
// constant size, check_mem_size_reg) or fills (ARG_PTR_TO_UNINIT_MEM), sizes that may be zero, NULL
// for a PTR_MAYBE_NULL argument. Only helpers the program type may call (helperAvailable). The
// result of a helper whose value the test run cannot reproduce (clocks, prandom) never reaches
// the checksum.
import { BPF_ADD, BPF_AND, E, R_FP, type Op } from '../isa/index.ts';
import type { ProgType } from '../program/index.ts';
import { helperAvailable } from '../model/helpers.ts';
import type { BodyCtx } from './body-ctx.ts';
import { READ_REGS, imm32 } from './values.ts';

export const BPF_FUNC = {
  ktime_get_ns: 5,
  get_prandom_u32: 7,
  get_smp_processor_id: 8,
  skb_store_bytes: 9,
  skb_load_bytes: 26,
  csum_diff: 28,
  skb_pull_data: 39,
  get_numa_node_id: 42,
  ktime_get_boot_ns: 125,
  ktime_get_coarse_ns: 160,
} as const;

const NONDETERMINISTIC = [BPF_FUNC.ktime_get_ns, BPF_FUNC.get_prandom_u32, BPF_FUNC.ktime_get_boot_ns, BPF_FUNC.ktime_get_coarse_ns];

interface HelperKind {
  /** the helpers the statement calls; it is drawn only when the program type may call all of them */
  ids: readonly number[];
  /** whether this function can make the call (a ctx to pass, room for a buffer) */
  fits(ctx: BodyCtx): boolean;
  emit(ctx: BodyCtx): void;
}

const always = (): boolean => true;
const hasCtx = (ctx: BodyCtx): boolean => ctx.frame.ctxSlot !== 0;
/** the program type whose helpers are drawn */
export const progTypeOf = (ctx: BodyCtx): ProgType => ctx.opts.progType;

// A new kind goes at the end: existing seeds keep their programs while helperRate is unchanged.
const KINDS: readonly HelperKind[] = [
  { ids: [BPF_FUNC.get_smp_processor_id], fits: always, emit: (ctx) => callFold(ctx, BPF_FUNC.get_smp_processor_id) },
  { ids: [BPF_FUNC.get_numa_node_id], fits: always, emit: (ctx) => callFold(ctx, BPF_FUNC.get_numa_node_id) },
  { ids: NONDETERMINISTIC, fits: always, emit: (ctx) => ctx.emit(E.callHelper(ctx.rng.pick(NONDETERMINISTIC))) },
  { ids: [BPF_FUNC.csum_diff], fits: always, emit: csumDiff },
  { ids: [BPF_FUNC.skb_load_bytes], fits: hasCtx, emit: skbLoadBytes },
  { ids: [BPF_FUNC.skb_store_bytes], fits: hasCtx, emit: skbStoreBytes },
  { ids: [BPF_FUNC.skb_pull_data], fits: hasCtx, emit: skbPullData },
];

const weightsOf = (ctx: BodyCtx): number[] => KINDS.map((k) => (k.ids.every((id) => helperAvailable(progTypeOf(ctx), id)) && k.fits(ctx) ? 1 : 0));

/** whether any helper statement fits this function (draws nothing) */
export const helperApplies = (ctx: BodyCtx): boolean => weightsOf(ctx).some((w) => w > 0);

/** One helper statement, of a kind the program type and this function allow. */
export function helperStatement(ctx: BodyCtx): void {
  KINDS[ctx.rng.weighted(weightsOf(ctx))].emit(ctx);
}

function callFold(ctx: BodyCtx, id: number): void {
  ctx.emit(E.callHelper(id));
  ctx.fold(0);
}

/** `r` = fp + a local (8 initialised bytes) */
const localPtr = (ctx: BodyCtx, r: number): { ops: Op[]; off: number } => {
  const off = ctx.rng.pick(ctx.frame.locals);
  return { ops: [E.movReg(r, R_FP), E.aluImm(BPF_ADD, r, off)], off };
};

/** bpf_csum_diff(from, from_size, to, to_size, seed): two locals (or NULL with size 0), sizes 0, 4 or 8 */
function csumDiff(ctx: BodyCtx): void {
  const { rng, emit } = ctx;
  for (const [ptr, size] of [[1, 2], [3, 4]]) {
    if (rng.chance(0.15)) emit(E.movImm(ptr, 0), E.movImm(size, 0));
    else emit(...localPtr(ctx, ptr).ops, E.movImm(size, rng.pick([0, 4, 8])));
  }
  emit(rng.chance(0.5) ? E.movImm(5, imm32(rng)) : E.movReg(5, rng.pick(READ_REGS)));
  callFold(ctx, BPF_FUNC.csum_diff);
}

/** r1 = the ctx, spilled at the entry */
const ctxArg = (ctx: BodyCtx): Op => E.ldx('DW', 1, R_FP, ctx.frame.ctxSlot);

/** a packet offset: a constant (sometimes past the packet) or a register masked to 0..63 */
const pktOffset = (ctx: BodyCtx): Op[] =>
  ctx.rng.chance(0.6) ? [E.movImm(2, ctx.rng.pick([0, 1, 12, 14, 40, 60, 64, 100]))] : [E.movReg(2, ctx.rng.pick(READ_REGS)), E.aluImm(BPF_AND, 2, 63)];

/** bpf_skb_load_bytes(skb, off, to, len): into a local (1..8 bytes), which is then folded */
function skbLoadBytes(ctx: BodyCtx): void {
  const { rng, emit } = ctx;
  const to = localPtr(ctx, 3);
  emit(ctxArg(ctx), ...pktOffset(ctx), ...to.ops, E.movImm(4, rng.int(1, 8)), E.callHelper(BPF_FUNC.skb_load_bytes));
  ctx.fold(0);
  emit(E.ldx('DW', 0, R_FP, to.off));
  ctx.fold(0);
}

/** bpf_skb_store_bytes(skb, off, from, len, flags): a local's bytes into the packet (packet pointers become invalid) */
function skbStoreBytes(ctx: BodyCtx): void {
  const { rng, emit } = ctx;
  emit(ctxArg(ctx), ...pktOffset(ctx), ...localPtr(ctx, 3).ops, E.movImm(4, rng.int(1, 8)), E.movImm(5, rng.pick([0, 0, 1, 2, 3])), E.callHelper(BPF_FUNC.skb_store_bytes));
  ctx.fold(0);
}

/** bpf_skb_pull_data(skb, len) */
function skbPullData(ctx: BodyCtx): void {
  ctx.emit(ctxArg(ctx), E.movImm(2, ctx.rng.pick([0, 1, 14, 64, 65, 1000])), E.callHelper(BPF_FUNC.skb_pull_data));
  ctx.fold(0);
}
