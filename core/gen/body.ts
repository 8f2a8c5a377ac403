// One function's body: the frame layout, the entry (fold every argument into the checksum,
// spill pointers, seed the working registers and locals), the statements (body-statements.ts)
// and the exit (fold the working registers and locals, return the checksum).
import { BPF_RSH, BPF_XOR, E, R_FP, R_PARAMS, tagged, withArgTypes, type FuncIr, type Op } from '../isa/index.ts';
import { globalArgTypes, memArgEntry } from './body-global-ptr.ts';
import type { Prng } from './prng.ts';
import type { ProgramOptions } from './options.ts';
import type { FuncPlan, ProgramPlan } from './plan.ts';
import type { BodyCtx, Frame } from './body-ctx.ts';
import { statements } from './body-statements.ts';
import { packetArgEntry, packetArgSlots } from './body-packet.ts';
import { mapArgEntry, mapArgSlots } from './body-maps.ts';
import { layoutExitFirst } from './body-jumps.ts';
import { CHECKSUM, CTX_SCALAR_FIELD, EDGE_IMM64, READ_REGS, W, foldOps, imm32 } from './values.ts';

/** The function of plan `p` as IR; `newLabel` numbers labels across the whole program. */
export function buildBody(p: FuncPlan, program: ProgramPlan, rng: Prng, opts: ProgramOptions, newLabel: () => number): FuncIr {
  const ops: Op[] = [];
  const emit = (...more: Op[]): void => {
    ops.push(...more);
  };
  const ctx: BodyCtx = {
    rng,
    opts,
    program,
    plan: p,
    frame: layoutFrame(p, program, rng),
    emit,
    fold: (v) => emit(...foldOps(rng, v)),
    newLabel,
  };
  entry(ctx);
  statements(ctx, program.sites.filter((s) => s.caller === p.index));
  exit(ctx);
  if (opts.jumpLayoutRate > 0 && rng.chance(opts.jumpLayoutRate)) layoutExitFirst(ctx, ops);
  return withArgTypes({ name: p.name, args: p.args, linkage: p.linkage, ops }, globalArgTypes(p));
}

function layoutFrame(p: FuncPlan, program: ProgramPlan, rng: Prng): Frame {
  const frame: Frame = { ctxSlot: 0, ptrSlots: [], locals: [], mapSlots: [], scratch: [] };
  let next = 1;
  if (p.hasCtx) frame.ctxSlot = -8 * next++;
  for (const k of p.kinds) if (k === 'stack') frame.ptrSlots.push(-8 * next++);
  p.kinds.forEach((k, i) => {
    if (k === 'map') frame.mapSlots.push({ off: -8 * next++, map: p.argMaps[i] });
  });
  // A few locals keep programs small; the frame budget bounds them on deep chains. Slots for the
  // map-value pointers this function's call sites look up stay free (scratch).
  const localCount = Math.max(1, Math.min(rng.int(2, 5), p.slots - next + 1 - mapArgSlots(program, p.index) - packetArgSlots(program, p.index)));
  for (let i = 0; i < localCount; i++) frame.locals.push(-8 * next++);
  for (; next <= p.slots; next++) frame.scratch.push(-8 * next);
  return frame;
}

function entry(ctx: BodyCtx): void {
  const { rng, plan: p, frame, emit } = ctx;
  // r6 starts from a per-function constant so equal arguments in different functions differ.
  if (rng.chance(0.2)) {
    const [lo, hi] = rng.pick(EDGE_IMM64);
    emit(E.ld64(CHECKSUM, lo, hi));
  } else emit(E.movImm(CHECKSUM, rng.i32()));

  const order = rng.shuffle([...Array(p.args).keys()]);
  const working: number[] = [...W];
  const uninitLocals = [...frame.locals];
  let ptrIndex = 0;
  let mapIndex = 0;
  const ptrSlotOfArg = new Map<number, number>();
  p.kinds.forEach((k, i) => {
    if (k === 'stack') ptrSlotOfArg.set(i, frame.ptrSlots[ptrIndex++]);
    if (k === 'map') ptrSlotOfArg.set(i, frame.mapSlots[mapIndex++].off);
  });
  let ctxSpilled = false;
  for (const i of order) {
    let v: number;
    if (i < 5) v = i + 1;
    else {
      v = 0;
      emit(tagged(E.ldx('DW', 0, R_PARAMS, 8 * (i - 4)), { role: 'argLoad', slot: i - 4 }));
    }
    const kind = p.kinds[i];
    if (kind === 'scalar') {
      ctx.fold(v);
      if (working.length > 0 && rng.chance(0.6)) emit(E.movReg(working.splice(rng.int(0, working.length - 1), 1)[0], v));
      else if (uninitLocals.length > 0 && rng.chance(0.5)) emit(E.stx('DW', R_FP, uninitLocals.splice(rng.int(0, uninitLocals.length - 1), 1)[0], v));
    } else if (kind === 'stack') {
      emit(E.stx('DW', R_FP, ptrSlotOfArg.get(i)!, v));
      emit(tagged(E.ldx('DW', 0, v, 0), { role: 'deref' }));
      ctx.fold(0);
    } else if (kind === 'map') {
      emit(E.stx('DW', R_FP, ptrSlotOfArg.get(i)!, v));
      mapArgEntry(ctx, v, p.argMaps[i]);
    } else if (kind === 'pkt') {
      packetArgEntry(ctx, v, p.argPkt[i]);
    } else if (kind === 'mem') {
      memArgEntry(ctx, v, p.argMem[i]);
    } else {
      if (!ctxSpilled) {
        emit(E.stx('DW', R_FP, frame.ctxSlot, v));
        ctxSpilled = true;
      }
      emit(E.ldx('W', 0, v, CTX_SCALAR_FIELD[ctx.opts.progType]));
      ctx.fold(0);
    }
  }
  for (const r of working) {
    if (rng.chance(0.3)) {
      const [lo, hi] = rng.pick(EDGE_IMM64);
      emit(E.ld64(r, lo, hi));
    } else emit(E.movImm(r, imm32(rng)));
  }
  for (const off of uninitLocals) {
    if (rng.chance(0.5)) emit(E.st('DW', R_FP, off, imm32(rng)));
    else emit(E.stx('DW', R_FP, off, rng.pick(READ_REGS)));
  }
  emit(E.mark('entryEnd'));
}

function exit(ctx: BodyCtx): void {
  const { rng, plan: p, frame, emit } = ctx;
  emit(E.mark('exitBegin'));
  for (const r of rng.shuffle([...W])) ctx.fold(r);
  for (const off of frame.locals) {
    emit(E.ldx('DW', 0, R_FP, off));
    ctx.fold(0);
  }
  emit(E.movReg(0, CHECKSUM));
  if (p.index === 0) {
    // 64-bit checksum folded into the 32 bits the test run returns.
    emit(E.movReg(1, CHECKSUM), E.aluImm(BPF_RSH, 1, 32), E.aluReg(BPF_XOR, 0, 1));
  }
  emit(E.exit());
}
