// Map statements: bpf_map_lookup_elem with the key on the stack, the NULL check
// (mark_ptr_or_null_regs), then reads and writes of the value at constant and bounded variable
// offsets (check_map_access → check_mem_region_access); bpf_map_update_elem with the value in a
// stack buffer and bpf_map_delete_elem (check_helper_call → check_func_arg: map key and value
// sizes through check_helper_mem_access). Pointers to array map values also travel to callees in
// r1-r5 and r11 slots: the caller looks them up before its stack-argument stores (a helper call
// would invalidate them, invalidate_outgoing_stack_args) and the callee reads through them.
import { BPF_ADD, BPF_AND, BPF_JEQ, BPF_JGT, BPF_JNE, BPF_JSGT, BPF_JSLT, BPF_MOD, BPF_RSH, E, R_FP, SIZE_BYTES, type Op, type SizeName } from '../isa/index.ts';
import type { MapDecl } from '../program/index.ts';
import type { Prng } from './prng.ts';
import type { BodyCtx } from './body-ctx.ts';
import type { FuncPlan, ProgramPlan } from './plan.ts';
import { mapIndex } from './map-decls.ts';
import { READ_REGS, imm32 } from './values.ts';

export const BPF_FUNC_map_lookup_elem = 1;
export const BPF_FUNC_map_update_elem = 2;
const BPF_FUNC_map_delete_elem = 3;
const BPF_PSEUDO_MAP_FD = 1;
const BPF_ANY = 0;
const BPF_NOEXIST = 1;
const BPF_EXIST = 2;

/** LD_IMM64 of map `index` (src_reg BPF_PSEUDO_MAP_FD; the loader turns the index into the map's fd) */
export const ldMap = (dst: number, index: number): Op => ({ kind: 'ld64', dst, lo: index, hi: 0, src: BPF_PSEUDO_MAP_FD });

const SIZES: SizeName[] = ['DW', 'W', 'H', 'B'];

/** the key of map `m` into the stack slot at `off` (r1 is scratch): a constant or a bounded register */
export function keyOps(rng: Prng, m: MapDecl, off: number): Op[] {
  const size: SizeName = m.keySize === 8 ? 'DW' : 'W';
  if (m.type === 'array') {
    // mostly below max_entries (a lookup that cannot fail); sometimes past it (NULL at run time)
    if (rng.chance(0.6)) return [E.st('W', R_FP, off, rng.chance(0.85) ? rng.int(0, m.maxEntries - 1) : rng.pick([m.maxEntries, m.maxEntries + 3, -1]))];
    return [E.movReg(1, rng.pick(READ_REGS)), E.aluImm(BPF_MOD, 1, rng.chance(0.8) ? m.maxEntries : m.maxEntries + 2, rng.chance(0.5)), E.stx('W', R_FP, off, 1)];
  }
  if (rng.chance(0.6)) return [E.st(size, R_FP, off, rng.int(0, 3))];
  return [E.movReg(1, rng.pick(READ_REGS)), E.aluImm(BPF_AND, 1, 3), E.stx(size, R_FP, off, 1)];
}

/** r1 = map, r2 = fp + keyOff, call the helper */
const callWithKey = (mapIdx: number, keyOff: number, helper: number): Op[] => [ldMap(1, mapIdx), E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, keyOff), E.callHelper(helper)];

/** A map statement: a lookup (most often), an update or a delete. */
export function mapStatement(ctx: BodyCtx): void {
  const { rng } = ctx;
  const mi = mapIndex(ctx.program.maps, rng);
  switch (rng.weighted([5, 2, 1])) {
    case 0:
      lookupStatement(ctx, mi);
      break;
    case 1:
      if (!updateStatement(ctx, mi)) lookupStatement(ctx, mi);
      break;
    default: {
      const m = ctx.program.maps[mi];
      const keyOff = rng.pick(ctx.frame.locals);
      ctx.emit(...keyOps(rng, m, keyOff), ...callWithKey(mi, keyOff, BPF_FUNC_map_delete_elem));
      ctx.fold(0);
    }
  }
}

/** lookup, NULL check, one to three accesses to the value through r0 */
function lookupStatement(ctx: BodyCtx, mi: number): void {
  const { rng, emit } = ctx;
  const m = ctx.program.maps[mi];
  const keyOff = rng.pick(ctx.frame.locals);
  emit(...keyOps(rng, m, keyOff), ...callWithKey(mi, keyOff, BPF_FUNC_map_lookup_elem));
  const skip = ctx.newLabel();
  if (rng.chance(0.7)) emit(E.jumpImm(BPF_JEQ, 0, 0, skip));
  else {
    const body = ctx.newLabel();
    emit(E.jumpImm(BPF_JNE, 0, 0, body), E.ja(skip), E.label(body));
  }
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) valueAccess(ctx, m.valueSize);
  emit(E.label(skip));
}

/** the value in a stack buffer (the frame's scratch slots), then the update; false when the frame has no room */
function updateStatement(ctx: BodyCtx, mi: number): boolean {
  const { rng, emit, frame } = ctx;
  const m = ctx.program.maps[mi];
  const slots = Math.ceil(m.valueSize / 8);
  if (frame.scratch.length < slots) return false;
  const buf = frame.scratch[slots - 1];
  for (let s = 0; s < slots; s++) {
    const off = buf + 8 * s;
    emit(rng.chance(0.5) ? E.st('DW', R_FP, off, imm32(rng)) : E.stx('DW', R_FP, off, rng.pick(READ_REGS)));
  }
  const keyOff = rng.pick(frame.locals);
  const flags = [BPF_ANY, BPF_NOEXIST, BPF_EXIST][rng.weighted([6, 2, 2])];
  emit(...keyOps(rng, m, keyOff), E.movReg(3, R_FP), E.aluImm(BPF_ADD, 3, buf), E.movImm(4, flags), ...callWithKey(mi, keyOff, BPF_FUNC_map_update_elem));
  ctx.fold(0);
  return true;
}

/** the widest access size that fits `valueSize`, or a random narrower one */
function accessSize(rng: Prng, valueSize: number): SizeName {
  return rng.pick(SIZES.filter((s) => SIZE_BYTES[s] <= valueSize));
}

/** largest 2^k - 1 with mask + bytes <= valueSize, cleared below `bytes` (an aligned index) */
export function valueMask(valueSize: number, bytes: number): number {
  let m = 0;
  while (m * 2 + 1 + bytes <= valueSize) m = m * 2 + 1;
  return m & ~(bytes - 1);
}

/**
 * One read or write of the map value r0 points to (r1..r3 scratch, r0 kept): at a constant
 * offset, at a variable offset masked or compared into bounds (unsigned and signed), or an atomic add.
 */
export function valueAccess(ctx: BodyCtx, valueSize: number): void {
  const { rng, emit } = ctx;
  const size = accessSize(rng, valueSize);
  const bytes = SIZE_BYTES[size];
  const [ptr, idx, base, val] = [0, 1, 2, 3];
  const mem = (reg: number, off: number): void => {
    if (rng.chance(0.5)) {
      emit(E.ldx(size, val, reg, off, size !== 'DW' && rng.chance(0.25)));
      ctx.fold(val);
    } else emit(rng.chance(0.4) ? E.st(size, reg, off, imm32(rng)) : E.stx(size, reg, off, rng.pick(READ_REGS)));
  };
  switch (rng.weighted([3, 2, 2, 1, 1])) {
    case 0:
      mem(ptr, bytes * rng.int(0, Math.floor((valueSize - bytes) / bytes)));
      return;
    case 1:
      emit(E.movReg(idx, rng.pick(READ_REGS)), E.aluImm(BPF_AND, idx, valueMask(valueSize, bytes)), E.movReg(base, ptr), E.aluReg(BPF_ADD, base, idx));
      mem(base, 0);
      return;
    case 2: {
      const skip = ctx.newLabel();
      emit(E.movReg(idx, rng.pick(READ_REGS)));
      if (rng.chance(0.3)) emit(E.aluImm(BPF_RSH, idx, rng.int(1, 60)));
      if (rng.chance(0.6)) emit(E.jumpImm(BPF_JGT, idx, valueSize - bytes, skip));
      else emit(E.jumpImm(BPF_JSGT, idx, valueSize - bytes, skip), E.jumpImm(BPF_JSLT, idx, 0, skip));
      emit(E.movReg(base, ptr), E.aluReg(BPF_ADD, base, idx));
      mem(base, 0);
      emit(E.label(skip));
      return;
    }
    case 3: // pointer += constant, then a constant offset on top
      emit(E.movReg(base, ptr), E.aluImm(BPF_ADD, base, rng.int(0, valueSize - bytes)));
      mem(base, 0);
      return;
    default:
      emit(E.atomicAdd(ptr, 8 * rng.int(0, Math.floor(valueSize / 8) - 1), rng.pick(READ_REGS)));
  }
}

// ---- map-value pointers as arguments ---------------------------------------------------------------

/** at a callee's entry: one read through the received pointer to map `mi`'s value (in register `v`) */
export function mapArgEntry(ctx: BodyCtx, v: number, mi: number): void {
  const m = ctx.program.maps[mi];
  const size = accessSize(ctx.rng, m.valueSize);
  ctx.emit(E.ldx(size, 0, v, SIZE_BYTES[size] * ctx.rng.int(0, Math.floor((m.valueSize - SIZE_BYTES[size]) / SIZE_BYTES[size]))));
  ctx.fold(0);
}

/** frame slots function `caller` keeps free for the map-value pointers its call sites look up */
export function mapArgSlots(program: ProgramPlan, caller: number): number {
  let need = 0;
  for (const s of program.sites) {
    if (s.caller === caller) need = Math.max(need, program.funcs[s.callee].kinds.filter((k) => k === 'map').length);
  }
  return need;
}

/** What a call site passes for its map-value arguments: the frame slot holding each pointer, and the ops that close the site. */
interface MapArgs {
  slotOf: Map<number, number>;
  /** emitted after the call: the NULL branch's target */
  close: Op[];
}

/**
 * Before a call site's stack-argument stores: for each map-value argument of `callee`, a pointer
 * the caller received for that map, or a fresh lookup (constant key below max_entries, or a key
 * reduced modulo max_entries) spilled to a free slot; a NULL result skips the call.
 */
export function mapArgPrelude(ctx: BodyCtx, callee: FuncPlan): MapArgs | undefined {
  const { rng, emit, frame } = ctx;
  const args = callee.kinds.flatMap((k, i) => (k === 'map' ? [i] : []));
  if (args.length === 0) return undefined;
  const slotOf = new Map<number, number>();
  const free = [...frame.scratch];
  const skip = ctx.newLabel();
  let looked = false;
  for (const i of args) {
    const mi = callee.argMaps[i];
    const held = frame.mapSlots.filter((s) => s.map === mi);
    if (held.length > 0 && rng.chance(0.5)) {
      slotOf.set(i, rng.pick(held).off);
      continue;
    }
    const m = ctx.program.maps[mi];
    const keyOff = rng.pick(frame.locals);
    const keyStore = rng.chance(0.6)
      ? [E.st('W', R_FP, keyOff, rng.int(0, m.maxEntries - 1))]
      : [E.movReg(1, rng.pick(READ_REGS)), E.aluImm(BPF_MOD, 1, m.maxEntries, rng.chance(0.5)), E.stx('W', R_FP, keyOff, 1)];
    // plan.ts gives map arguments only where the frame budget leaves a free slot per pointer
    const slot = free.shift();
    if (slot === undefined) throw new Error(`${ctx.plan.name}: no free frame slot for a map-value argument`);
    emit(...keyStore, ...callWithKey(mi, keyOff, BPF_FUNC_map_lookup_elem), E.jumpImm(BPF_JEQ, 0, 0, skip), E.stx('DW', R_FP, slot, 0));
    slotOf.set(i, slot);
    looked = true;
  }
  return { slotOf, close: looked ? [E.label(skip)] : [] };
}
