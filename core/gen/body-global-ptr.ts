// Global functions with pointer arguments (globalPtrArgRate): a global function is verified on its
// own, its arguments' states taken from BTF (btf_prepare_func_args, do_check_common): the ctx
// (PTR_TO_CTX, where every caller holds it) or N bytes of memory (PTR_TO_MEM | PTR_MAYBE_NULL, or
// never NULL with the arg:nonnull tag). The callee tests a maybe-NULL pointer before it reads and
// writes within N bytes; callers pass NULL, N bytes of their locals or an array or hash map value
// (a hash lookup's result unchecked: the argument may be NULL; maps only while mapRate > 0), which btf_check_func_arg_match /
// check_mem_reg check at the call.
import { BPF_ADD, BPF_JEQ, E, R_FP, SIZE_BYTES, type ArgType, type Op, type SizeName } from '../isa/index.ts';
import type { MapDecl } from '../program/index.ts';
import type { Prng } from './prng.ts';
import type { ProgramOptions } from './options.ts';
import type { FuncPlan } from './plan.ts';
import type { BodyCtx } from './body-ctx.ts';
import { BPF_FUNC_map_lookup_elem, ldMap } from './body-maps.ts';
import { CHECKSUM, imm32 } from './values.ts';

/** a memory argument: `size` bytes (a multiple of 8), tagged arg:nonnull or not */
export interface MemArg {
  size: number;
  nonnull: boolean;
}

/** memory arguments are 8..32 bytes; a nonnull one is 8, so every caller has the locals for it */
const MAX_MEM_SLOTS = 4;

/**
 * The pointer kinds of a global function's arguments (plan.ts calls this for every global
 * function while globalPtrArgRate > 0): at most two pointers, the ctx only where every caller holds it.
 */
export function planGlobalPtrArgs(p: FuncPlan, rng: Prng, opts: ProgramOptions, ctxOk: boolean): void {
  let pointers = 0;
  for (let i = 0; i < Math.min(p.args, 5); i++) {
    if (pointers >= 2 || !rng.chance(opts.globalPtrArgRate)) continue;
    pointers++;
    if (ctxOk && !p.kinds.includes('ctx') && rng.chance(0.35)) {
      p.kinds[i] = 'ctx';
      continue;
    }
    const slots = rng.int(1, MAX_MEM_SLOTS);
    p.kinds[i] = 'mem';
    p.argMem[i] = { size: 8 * slots, nonnull: slots === 1 && rng.chance(0.4) };
  }
}

/** FuncDecl.argTypes of a global function with pointer arguments; undefined for every other function */
export function globalArgTypes(p: FuncPlan): ArgType[] | undefined {
  if (p.linkage !== 'global' || !p.kinds.some((k) => k === 'ctx' || k === 'mem')) return undefined;
  return p.kinds.map((k, i): ArgType => {
    if (k === 'ctx') return 'ctx';
    if (k !== 'mem') return 'scalar';
    const m = p.argMem[i];
    return m.nonnull ? `mem:${m.size}:nonnull` : `mem:${m.size}`;
  });
}

const SIZES: SizeName[] = ['DW', 'W', 'H', 'B'];

/** An access of `size` bytes somewhere inside `bytes`, aligned to its size. */
function inside(rng: Prng, bytes: number): { size: SizeName; off: number } {
  const size = rng.pick(SIZES);
  const n = SIZE_BYTES[size];
  return { size, off: n * rng.int(0, bytes / n - 1) };
}

/** The callee's entry for memory argument in register `v`: the NULL test (unless nonnull), a read folded in, maybe a write. */
export function memArgEntry(ctx: BodyCtx, v: number, m: MemArg): void {
  const { rng, emit } = ctx;
  const skip = ctx.newLabel();
  if (!m.nonnull) emit(E.jumpImm(BPF_JEQ, v, 0, skip));
  const read = inside(rng, m.size);
  emit(E.ldx(read.size, 0, v, read.off));
  ctx.fold(0);
  if (rng.chance(0.5)) {
    const w = inside(rng, m.size);
    // the entry has set only the checksum register so far
    emit(rng.chance(0.5) ? E.st(w.size, v, w.off, imm32(rng)) : E.stx(w.size, v, w.off, CHECKSUM));
  }
  if (!m.nonnull) emit(E.label(skip));
}

/** What a call site passes for its callee's memory arguments: the ops that put argument `i` into register `r`. */
interface MemArgValues {
  value(i: number, r: number): Op[] | undefined;
}

/**
 * Before a call's register arguments: the map lookups whose values some memory arguments get (a
 * helper call clobbers r1-r5, so they come first, each spilled to a free frame slot), and how each
 * memory argument gets its value. Draws nothing for a callee without memory arguments.
 */
export function memArgPrelude(ctx: BodyCtx, callee: FuncPlan): MemArgValues | undefined {
  const args = callee.kinds.flatMap((k, i) => (k === 'mem' ? [i] : []));
  if (args.length === 0) return undefined;
  const { rng, frame, emit } = ctx;
  const free = [...frame.scratch];
  const values = new Map<number, (r: number) => Op[]>();
  for (const i of args) {
    const m = callee.argMem[i];
    const slots = m.size / 8;
    const from = rng.int(0, 3);
    if (!m.nonnull && (from === 0 || frame.locals.length < slots)) {
      values.set(i, (r) => [E.movImm(r, 0)]);
    } else if (!m.nonnull && from === 1 && free.length > 0 && ctx.opts.mapRate > 0) {
      const slot = free.shift()!;
      emit(...lookupInto(ctx, m.size, slot));
      values.set(i, (r) => [E.ldx('DW', r, R_FP, slot)]);
    } else {
      // N bytes of locals: the lowest of `slots` consecutive ones (locals run downwards from the first)
      const top = rng.int(0, frame.locals.length - slots);
      const off = frame.locals[top + slots - 1];
      values.set(i, (r) => [E.movReg(r, R_FP), E.aluImm(BPF_ADD, r, off)]);
    }
  }
  return { value: (i, r) => values.get(i)?.(r) };
}

/** A map value of at least `bytes` bytes into the frame slot `slot`: an array value (never NULL for a key in range) or a hash lookup's unchecked result. */
function lookupInto(ctx: BodyCtx, bytes: number, slot: number): Op[] {
  const { rng, frame } = ctx;
  const mi = fittingMap(ctx.program.maps, rng, bytes);
  const m = ctx.program.maps[mi];
  const keyOff = rng.pick(frame.locals);
  const key = m.type === 'array' ? E.st('W', R_FP, keyOff, rng.int(0, m.maxEntries - 1)) : E.st(m.keySize === 8 ? 'DW' : 'W', R_FP, keyOff, rng.int(0, 3));
  return [key, ldMap(1, mi), E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, keyOff), E.callHelper(BPF_FUNC_map_lookup_elem), E.stx('DW', R_FP, slot, 0)];
}

/** A declared map whose values hold `bytes`, or a new one (at most 3 maps a program, as map-decls.ts keeps it). */
function fittingMap(maps: MapDecl[], rng: Prng, bytes: number): number {
  const fitting = maps.flatMap((m, i) => (m.valueSize >= bytes ? [i] : []));
  if (fitting.length > 0 && (maps.length >= 3 || rng.chance(0.7))) return rng.pick(fitting);
  const type = rng.chance(0.5) ? 'array' : 'hash';
  maps.push({ type, keySize: type === 'array' ? 4 : rng.pick([4, 8]), valueSize: bytes + 8 * rng.int(0, 2), maxEntries: rng.int(1, 4) });
  return maps.length - 1;
}
