// Direct packet access (sched_cls and xdp): load data and data_end from the ctx, compare a
// pointer N bytes on with data_end, then read (and on xdp write) packet bytes within those N,
// sometimes through a pointer moved by a constant or a masked variable offset that gets a bounds
// check of its own. The rule it exercises is check_packet_access (kernel/bpf/verifier.c): an
// access is allowed within the range find_good_pkt_pointers gives the pointers on the branch
// where `ptr + N <= data_end` holds (try_match_pkt_pointers). Direct writes are left to xdp:
// a sched_cls write makes the kernel add bpf_unclone_prologue, which the model does not rewrite.
import { BPF_ADD, BPF_AND, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, E, R_FP, SIZE_BYTES, type Op, type SizeName } from '../isa/index.ts';
import type { ProgType } from '../program/index.ts';
import type { BodyCtx } from './body-ctx.ts';
import type { FuncPlan, ProgramPlan } from './plan.ts';
import type { Prng } from './prng.ts';
import { READ_REGS, imm32 } from './values.ts';

/** __sk_buff and xdp_md offsets of data and data_end (the uapi layout the program sees) */
export const PKT_FIELDS: Partial<Record<ProgType, { data: number; end: number }>> = {
  sched_cls: { data: 76, end: 80 },
  xdp: { data: 0, end: 4 },
};

/** the packet a test run gets: 64 bytes, so every check of up to 64 bytes passes at run time */
export const PACKET_BYTES = 64;

/** registers of a packet statement: ctx, data, data_end, the checked pointer, the value read */
const R_CTX = 1, R_DATA = 2, R_END = 3, R_CHK = 4, R_VAL = 0;

export const hasPacket = (ctx: BodyCtx): boolean => ctx.frame.ctxSlot !== 0 && PKT_FIELDS[ctx.opts.progType] !== undefined;

/** `ctx`, data and data_end into r1, r2, r3 */
export function loadPacketPointers(progType: ProgType, ctxSlot: number): Op[] {
  const f = PKT_FIELDS[progType]!;
  return [E.ldx('DW', R_CTX, R_FP, ctxSlot), E.ldx('W', R_DATA, R_CTX, f.data), E.ldx('W', R_END, R_CTX, f.end)];
}

/** `if r4 (= r2 + n) > r3` in one of the forms the kernel matches; jumps to `skip` when out of bounds */
export function boundsCheck(rng: Prng, n: number, skip: number, newLabel: () => number): Op[] {
  const ops: Op[] = [E.movReg(R_CHK, R_DATA), E.aluImm(BPF_ADD, R_CHK, n)];
  switch (rng.int(0, 3)) {
    case 0:
      return [...ops, E.jumpReg(BPF_JGT, R_CHK, R_END, skip)];
    case 1:
      return [...ops, E.jumpReg(BPF_JLT, R_END, R_CHK, skip)];
    case 2: {
      const ok = newLabel();
      return [...ops, E.jumpReg(BPF_JLE, R_CHK, R_END, ok), E.ja(skip), E.label(ok)];
    }
    default: {
      const ok = newLabel();
      return [...ops, E.jumpReg(BPF_JGE, R_END, R_CHK, ok), E.ja(skip), E.label(ok)];
    }
  }
}

/** the widest access size that fits in `room` bytes, drawn among those that fit */
export function sizeWithin(rng: Prng, room: number): SizeName {
  const fits = (['B', 'H', 'W', 'DW'] as const).filter((s) => SIZE_BYTES[s] <= room);
  return rng.pick(fits.length > 0 ? fits : ['B']);
}

/** One packet statement: pointers, a bounds check of N bytes, then reads and writes within them. */
export function packetStatement(ctx: BodyCtx): void {
  const { rng, emit } = ctx;
  const n = rng.chance(0.5) ? rng.pick([1, 2, 4, 8, 14, 16, 20, 34, 54, 64]) : rng.int(1, PACKET_BYTES);
  const skip = ctx.newLabel();
  emit(...loadPacketPointers(ctx.opts.progType, ctx.frame.ctxSlot));
  emit(...boundsCheck(rng, n, skip, ctx.newLabel));
  // a constant move of the data pointer keeps the range: accesses shift by the same amount
  let base = 0;
  if (n > 1 && rng.chance(0.3)) {
    base = rng.int(1, n - 1);
    emit(E.aluImm(BPF_ADD, R_DATA, base));
  }
  const accesses = rng.int(1, 3);
  for (let i = 0; i < accesses; i++) packetAccess(ctx, n - base, -base);
  // a variable offset needs a check of its own: the moved pointer has a new id and no range
  if (rng.chance(0.25)) variableOffset(ctx, skip);
  emit(E.label(skip));
}

/** a read (or on xdp sometimes a write) of bytes [lo, lo + room) relative to r2 */
function packetAccess(ctx: BodyCtx, room: number, lo: number): void {
  const { rng, emit } = ctx;
  const size = sizeWithin(rng, room);
  const off = lo + rng.int(0, Math.max(0, room - SIZE_BYTES[size]));
  if (ctx.opts.progType === 'xdp' && rng.chance(0.3)) {
    emit(rng.chance(0.5) ? E.st(size, R_DATA, off, imm32(rng)) : E.stx(size, R_DATA, off, rng.pick(READ_REGS)));
    return;
  }
  emit(E.ldx(size, R_VAL, R_DATA, off, size !== 'DW' && rng.chance(ctx.opts.ldsxRate)));
  ctx.fold(R_VAL);
}

/** r2 += (a value masked to 0..mask), then a check of `size` bytes past the moved pointer */
function variableOffset(ctx: BodyCtx, skip: number): void {
  const { rng, emit } = ctx;
  const mask = rng.pick([1, 3, 7, 15, 31]);
  const size = sizeWithin(rng, 8);
  emit(E.movReg(R_VAL, rng.pick(READ_REGS)), E.aluImm(BPF_AND, R_VAL, mask), E.aluReg(BPF_ADD, R_DATA, R_VAL));
  emit(E.movReg(R_CHK, R_DATA), E.aluImm(BPF_ADD, R_CHK, SIZE_BYTES[size]), E.jumpReg(BPF_JGT, R_CHK, R_END, skip));
  emit(E.ldx(size, R_VAL, R_DATA, 0));
  ctx.fold(R_VAL);
}

// ---- packet pointers as arguments -------------------------------------------------------------

/** frame slots a function needs for packet arguments to be drawn (64 bytes: chains of up to 8 frames) */
export const PKT_ARG_MIN_SLOTS = 8;

/** frame slots function `caller` keeps free (scratch) for the packet pointer its call sites pass: 0 or 1 */
export function packetArgSlots(program: ProgramPlan, caller: number): number {
  return program.sites.some((s) => s.caller === caller && program.funcs[s.callee].kinds.includes('pkt')) ? 1 : 0;
}

/**
 * Before a call site's stack-argument stores: when `callee` takes packet pointers, load data and
 * data_end, check the most bytes any of them needs (a failed check skips the call), and spill the
 * data pointer to a free scratch slot (not one of `taken`) for the arguments to load. Returns
 * that slot and the ops that close the site (the skip label).
 */
export function packetArgPrelude(ctx: BodyCtx, callee: FuncPlan, taken: ReadonlySet<number>): { slot: number; close: Op[] } | undefined {
  const need = callee.kinds.reduce((n, k, i) => (k === 'pkt' ? Math.max(n, callee.argPkt[i]) : n), 0);
  if (need === 0) return undefined;
  const { rng, emit, frame } = ctx;
  // a scratch slot (layoutFrame keeps one free): a scalar argument may read any local
  const slot = [...frame.scratch].reverse().find((s) => !taken.has(s));
  if (slot === undefined) throw new Error(`${ctx.plan.name}: no free frame slot for a packet argument`);
  const skip = ctx.newLabel();
  emit(...loadPacketPointers(ctx.opts.progType, frame.ctxSlot), ...boundsCheck(rng, need, skip, ctx.newLabel), E.stx('DW', R_FP, slot, R_DATA));
  return { slot, close: [E.label(skip)] };
}

/** At a callee's entry: one or two reads within the `bytes` its caller checked, through the packet pointer in `v`. */
export function packetArgEntry(ctx: BodyCtx, v: number, bytes: number): void {
  const { rng } = ctx;
  // r0 is where reads go: a pointer that arrived in r0 (an r11 argument) gets one read
  const reads = v === R_VAL ? 1 : rng.int(1, 2);
  for (let i = 0; i < reads; i++) {
    const size = sizeWithin(rng, bytes);
    ctx.emit(E.ldx(size, R_VAL, v, rng.int(0, Math.max(0, bytes - SIZE_BYTES[size]))));
    ctx.fold(R_VAL);
  }
}
