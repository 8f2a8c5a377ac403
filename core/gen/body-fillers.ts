// Filler statements: one small function per kind, drawn by weight. A kind whose weight is 0 in
// a body (no received stack pointer, no ctx) is never drawn; a new kind goes at the end of the
// table, so existing seeds keep their programs while its weight is 0.
import { SIZE_BYTES, BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR, E, R_FP, type Op, type SizeName } from '../isa/index.ts';
import type { BodyCtx } from './body-ctx.ts';
import { valueAccess } from './body-maps.ts';
import { FILLER_FEATURES, drawFeatures } from './body-features.ts';
import { CTX_SCALAR_FIELD, EDGE_IMM64, READ_REGS, W, imm32 } from './values.ts';

/** what every filler gets besides the body: its destination register and width, drawn up front */
interface FillerArgs {
  dst: number;
  w64: boolean;
}

interface FillerKind {
  name: string;
  /** relative weight in this body; `inLoop` is true inside a loop body */
  weight(ctx: BodyCtx, inLoop: boolean): number;
  emit(ctx: BodyCtx, a: FillerArgs): void;
}

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH];
const SIZES: SizeName[] = ['DW', 'DW', 'W', 'H', 'B'];
const hasPtr = (ctx: BodyCtx): number => (ctx.frame.ptrSlots.length > 0 ? 1 : 0);

const FILLERS: readonly FillerKind[] = [
  { name: 'aluReg', weight: () => 4, emit: aluReg },
  { name: 'aluImm', weight: () => 4, emit: aluImm },
  { name: 'special', weight: () => 2, emit: special },
  { name: 'spill', weight: () => 2, emit: spill },
  { name: 'fill', weight: () => 2, emit: fill },
  { name: 'atomic', weight: () => 0, emit: (ctx) => atomicAdd(ctx) },
  { name: 'fold', weight: () => 2, emit: foldStatement },
  { name: 'ptrWrite', weight: hasPtr, emit: ptrWrite },
  { name: 'ptrRead', weight: hasPtr, emit: ptrRead },
  { name: 'ctxRead', weight: (ctx, inLoop) => (ctx.frame.ctxSlot !== 0 && !inLoop ? 1 : 0), emit: ctxRead },
  { name: 'mapValue', weight: (ctx) => (ctx.frame.mapSlots.length > 0 ? 2 : 0), emit: mapValueFiller },
];

/** One filler statement; an atomic add with the options' `atomicRate`, else a kind by weight. */
export function filler(ctx: BodyCtx, inLoop: boolean): void {
  const { rng } = ctx;
  if (rng.chance(ctx.opts.atomicRate)) {
    atomicAdd(ctx);
    return;
  }
  if (drawFeatures(FILLER_FEATURES, ctx, inLoop, true)) return;
  const kind = FILLERS[rng.weighted(FILLERS.map((f) => f.weight(ctx, inLoop)))];
  const dst = rng.pick(W);
  const w64 = rng.chance(0.7);
  kind.emit(ctx, { dst, w64 });
}

function atomicAdd(ctx: BodyCtx): void {
  const { rng } = ctx;
  ctx.emit(E.atomicAdd(R_FP, rng.pick(ctx.frame.locals), rng.pick(READ_REGS)));
}

function aluReg(ctx: BodyCtx, { dst, w64 }: FillerArgs): void {
  const { rng } = ctx;
  const op = rng.pick(ALU_OPS);
  const signed = (op === BPF_DIV || op === BPF_MOD) && rng.chance(0.4);
  ctx.emit(E.aluReg(op, dst, rng.pick(READ_REGS), w64, signed ? 1 : 0));
}

function aluImm(ctx: BodyCtx, { dst, w64 }: FillerArgs): void {
  const { rng } = ctx;
  const op = rng.pick(ALU_OPS);
  let imm = imm32(rng);
  let off = 0;
  if (op === BPF_LSH || op === BPF_RSH || op === BPF_ARSH) imm = rng.int(0, w64 ? 63 : 31);
  if (op === BPF_DIV || op === BPF_MOD) {
    if (imm === 0) imm = -1;
    if (rng.chance(0.4)) off = 1;
  }
  ctx.emit(E.aluImm(op, dst, imm, w64, off));
}

/** neg, byte swaps, sign-extending moves, 64-bit immediates */
function special(ctx: BodyCtx, { dst, w64 }: FillerArgs): void {
  const { rng } = ctx;
  let op: Op;
  switch (rng.int(0, 4)) {
    case 0:
      op = E.aluImm(BPF_NEG, dst, 0, w64);
      break;
    case 1: // be/le on ALU, unconditional bswap on ALU64
      op = E.endian(rng.chance(0.5) ? 'bswap' : rng.chance(0.5) ? 'be' : 'le', dst, rng.pick([16, 32, 64] as const));
      break;
    case 2: // movsx
      op = E.aluReg(BPF_MOV, dst, rng.pick(READ_REGS), w64, w64 ? rng.pick([8, 16, 32]) : rng.pick([8, 16]));
      break;
    default: {
      const [lo, hi] = rng.pick(EDGE_IMM64);
      op = E.ld64(dst, lo, hi);
    }
  }
  ctx.emit(op);
}

/** an offset inside a scalar local, aligned for `size` */
function localOff(ctx: BodyCtx, size: SizeName): number {
  const base = ctx.rng.pick(ctx.frame.locals);
  const bytes = SIZE_BYTES[size];
  return base + bytes * ctx.rng.int(0, 8 / bytes - 1);
}

function spill(ctx: BodyCtx): void {
  const { rng } = ctx;
  const size = rng.pick(SIZES);
  const off = localOff(ctx, size);
  if (rng.chance(0.3)) ctx.emit(E.st(size, R_FP, off, imm32(rng)));
  else ctx.emit(E.stx(size, R_FP, off, rng.pick(READ_REGS)));
}

function fill(ctx: BodyCtx, { dst }: FillerArgs): void {
  const { rng } = ctx;
  const size = rng.pick(SIZES);
  ctx.emit(E.ldx(size, dst, R_FP, localOff(ctx, size), size !== 'DW' && rng.chance(0.3)));
}

function foldStatement(ctx: BodyCtx): void {
  const { rng } = ctx;
  if (rng.chance(0.5)) ctx.fold(rng.pick(W));
  else {
    ctx.emit(E.ldx('DW', 0, R_FP, rng.pick(ctx.frame.locals)));
    ctx.fold(0);
  }
}

/** a write through a received pointer to the caller's stack */
function ptrWrite(ctx: BodyCtx): void {
  const { rng } = ctx;
  ctx.emit(E.ldx('DW', 0, R_FP, rng.pick(ctx.frame.ptrSlots)));
  ctx.emit(rng.chance(0.5) ? E.stx('DW', 0, 0, rng.pick(READ_REGS)) : E.st('DW', 0, 0, imm32(rng)));
}

/** a read through a received pointer to the caller's stack */
function ptrRead(ctx: BodyCtx): void {
  ctx.emit(E.ldx('DW', 0, R_FP, ctx.rng.pick(ctx.frame.ptrSlots)), E.ldx('DW', 0, 0, 0));
  ctx.fold(0);
}

/** a read or write through a received pointer to a map value (body-maps.ts) */
function mapValueFiller(ctx: BodyCtx): void {
  const slot = ctx.rng.pick(ctx.frame.mapSlots);
  ctx.emit(E.ldx('DW', 0, R_FP, slot.off));
  valueAccess(ctx, ctx.program.maps[slot.map].valueSize);
}

function ctxRead(ctx: BodyCtx): void {
  ctx.emit(E.ldx('DW', 0, R_FP, ctx.frame.ctxSlot), E.ldx('W', 0, 0, CTX_SCALAR_FIELD[ctx.opts.progType]));
  ctx.fold(0);
}
