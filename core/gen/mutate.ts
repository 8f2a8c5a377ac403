// Applying a mutation: one small function per kind (mutations.ts lists the kinds and the kernel
// rule each breaks). Each edits the program's IR in place and returns the regular expression
// (source) for the reason line the 7.2 verifier should print.
import { BPF_ADD, BPF_JGT, BPF_XOR, E, R_FP, R_PARAMS, tagged, type FuncIr, type Op, type SizeName } from '../isa/index.ts';
import type { Prng } from './prng.ts';
import type { ProgramOptions } from './options.ts';
import type { MutationKind } from './mutations.ts';
import { outgoingNeed, type ProgramPlan } from './plan.ts';
import { expectedMessage } from './expect.ts';
import { MAP_MUTATORS } from './mutate-maps.ts';
import { HELPER_MUTATORS } from './mutate-helpers.ts';
import { SOCKET_MUTATORS } from './mutate-sockets.ts';
import { entryEnd, exitAt, reached, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { PACKET_MUTATORS } from './mutate-packet.ts';
import { ARITH_MUTATORS } from './mutate-arith.ts';
import { ATOMIC_MUTATORS } from './mutate-atomics.ts';
import { GLOBAL_PTR_MUTATORS } from './mutate-global-ptr.ts';
import { STACKVAR_MUTATORS } from './mutate-stackvar.ts';
import { BRANCH_MUTATORS } from './mutate-branches.ts';
import { MALFORMED_MUTATORS } from './mutate-malformed.ts';
import { POINTER_MUTATORS } from './mutate-pointers.ts';
import { SK_MUTATORS } from './mutate-sk.ts';
import { MAP_VALUE_MUTATORS } from './mutate-mapvalue.ts';
import { CHECKSUM, EDGE_IMM32, W, foldOps } from './values.ts';

/** Applies mutation `m` to `funcs`; returns the expected reason line (a regular expression source). */
export function applyMutation(m: MutationKind, funcs: FuncIr[], plan: ProgramPlan, rng: Prng, opts: ProgramOptions, newLabel: () => number): string {
  const f1 = plan.funcs[1];
  const treeSite = f1 ? plan.sites.find((s) => s.caller === 0 && s.callee === 1 && s.topLevel) : undefined;
  return MUTATORS[m]({ rng, opts, plan, funcs, main: funcs[0], f1, treeSite, n1: f1?.args ?? 0, newLabel });
}

/** Indexes of the ops of call site `site` in `f`: its stack-argument stores, the start of its register arguments, the call. */
function siteOps(f: FuncIr, site: number): { stores: number[]; regMark: number; call: number } {
  const stores: number[] = [];
  let regMark = -1;
  let call = -1;
  f.ops.forEach((op, i) => {
    const t = op.kind === 'label' ? undefined : op.tag;
    if (t?.site !== site) return;
    if (t.role === 'argStore') stores.push(i);
    if (t.role === 'regArg') regMark = i;
    if (t.role === 'call') call = i;
  });
  return { stores, regMark, call };
}

const slotOf = (op: Op): number => (op as { tag: { slot: number } }).tag.slot;

const MUTATORS: Record<MutationKind, Mutator> = {
  'missing-stack-arg-store': missingStackArgStore,
  'extra-stack-arg-store': extraStackArgStore,
  'call-between-store-and-call': callBetweenStoreAndCall,
  'no-restore-after-call': noRestoreAfterCall,
  'missing-store-after-unreliable': missingStoreAfterUnreliable,
  'load-after-store': loadAfterStore,
  'load-after-call': loadAfterCall,
  'load-past-incoming': loadPastIncoming,
  'store-past-max': storePastMax,
  'r11-bad-offset': r11BadOffset,
  'r11-wrong-size': r11WrongSize,
  'r11-misuse': r11Misuse,
  'too-many-args': tooManyArgs,
  'global-many-args': (c) => expectedMessage.globalManyArgs(1, 'f1', c.n1),
  'too-deep': () => expectedMessage.tooDeep(),
  'too-much-stack': tooMuchStack,
  'scalar-deref': scalarDeref,
  ...MAP_MUTATORS,
  ...PACKET_MUTATORS,
  ...ARITH_MUTATORS,
  ...HELPER_MUTATORS,
  ...SOCKET_MUTATORS,
  ...STACKVAR_MUTATORS,
  ...BRANCH_MUTATORS,
  ...ATOMIC_MUTATORS,
  ...GLOBAL_PTR_MUTATORS,
  ...MALFORMED_MUTATORS,
  ...POINTER_MUTATORS,
  ...SK_MUTATORS,
  ...MAP_VALUE_MUTATORS,
};

function missingStackArgStore(c: MutationCtx): string {
  const { stores } = siteOps(c.main, c.treeSite!.id);
  const drop = c.rng.pick(stores);
  const slot = slotOf(c.main.ops[drop]);
  c.main.ops.splice(drop, 1);
  return expectedMessage.missingStore(c.n1, slot);
}

function callBetweenStoreAndCall(c: MutationCtx): string {
  const { regMark } = siteOps(c.main, c.treeSite!.id);
  c.main.ops.splice(regMark, 0, E.callHelper(c.rng.pick(c.opts.helpers)));
  return expectedMessage.missingStore(c.n1, 1);
}

/** A second call of f1 after the first, with the register arguments again but no stack-argument stores. */
function noRestoreAfterCall(c: MutationCtx): string {
  const { regMark, call } = siteOps(c.main, c.treeSite!.id);
  const again: Op[] = c.main.ops.slice(regMark + 1, call).map((op) => ({ ...op, tag: undefined }) as Op);
  c.main.ops.splice(call + 1, 0, ...again, E.call(1), ...foldOps(c.rng, 0));
  return expectedMessage.missingStore(c.n1, 1);
}

/**
 * A fresh caller that never stored a stack argument calls f1, whose BTF the first call (passing
 * a pointer where BTF says int) marked unreliable.
 */
function missingStoreAfterUnreliable(c: MutationCtx): string {
  const { rng, funcs, n1 } = c;
  const { call } = siteOps(c.main, c.treeSite!.id);
  const setup: Op[] = [];
  for (let r = 1; r <= Math.min(n1, 5); r++) setup.push(E.movImm(r, rng.pick(EDGE_IMM32)));
  const probeIndex = funcs.length;
  funcs.push({ name: `f${probeIndex}`, args: 0, linkage: 'static', ops: [E.movImm(CHECKSUM, 0), ...setup, E.call(1), E.movReg(0, 0), E.exit()] });
  c.main.ops.splice(call + 1, 0, E.call(probeIndex), ...foldOps(rng, 0));
  // The 7.2 kernel skips the check for unreliable BTF; what follows is what to watch.
  return `${expectedMessage.missingStore(n1, 1)}|R\\d+ !read_ok`;
}

/** The function with the fewest outgoing slots needed writes one more, so it still fits in 7. */
function extraStackArgStore(c: MutationCtx): string {
  const { rng, funcs } = c;
  let best = 0;
  let bestNeed = 99;
  funcs.forEach((_, i) => {
    const need = outgoingNeed(c.plan, i);
    if (need < bestNeed) {
      best = i;
      bestNeed = need;
    }
  });
  const f = funcs[best];
  const slot = rng.int(bestNeed + 1, 7);
  const at = exitAt(f);
  f.ops.splice(at, 0, rng.chance(0.5) ? E.st('DW', R_PARAMS, -8 * slot, rng.pick(EDGE_IMM32)) : E.stx('DW', R_PARAMS, -8 * slot, rng.pick(W)));
  return expectedMessage.extraStore(best, slot);
}

function loadAfterStore(c: MutationCtx): string {
  const f = c.funcs[1];
  f.ops.splice(exitAt(f), 0, E.st('DW', R_PARAMS, -8, 1), E.ldx('DW', 0, R_PARAMS, 8), E.movImm(0, 0));
  return expectedMessage.loadAfter();
}

function loadAfterCall(c: MutationCtx): string {
  const f = c.funcs[1];
  const at = exitAt(f);
  f.ops.splice(at, 0, E.callHelper(c.rng.pick(c.opts.helpers)), E.ldx('DW', 0, R_PARAMS, 8 * c.rng.int(1, c.n1 - 5)), E.movImm(0, 0));
  return expectedMessage.loadAfter();
}

/** Right after the entry's own r11 loads, before any store or call, a load past the incoming slots. */
function loadPastIncoming(c: MutationCtx): string {
  const f = reached(c);
  const incoming = Math.max(0, f.args - 5);
  const at = entryEnd(f);
  const slot = incoming + c.rng.int(1, 2);
  f.ops.splice(at, 0, E.ldx('DW', 0, R_PARAMS, 8 * slot));
  return expectedMessage.readPast(8 * slot, 8 * incoming);
}

function storePastMax(c: MutationCtx): string {
  const { rng } = c;
  const f = reached(c);
  const off = -8 * rng.int(8, 10);
  f.ops.splice(exitAt(f), 0, rng.chance(0.5) ? E.st('DW', R_PARAMS, off, 7) : E.stx('DW', R_PARAMS, off, rng.pick(W)));
  return expectedMessage.writePastMax(off);
}

function r11BadOffset(c: MutationCtx): string {
  const { rng } = c;
  const f = reached(c);
  // Every variant is drawn (the random stream stays the same), then one is picked.
  const variants: Op[] = [
    E.stx('DW', R_PARAMS, -8 * rng.int(1, 7) + rng.pick([-4, -2, 3]), rng.pick(W)),
    E.st('DW', R_PARAMS, 8 * rng.int(1, 7), 1),
    E.stx('DW', R_PARAMS, 0, rng.pick(W)),
    E.ldx('DW', 0, R_PARAMS, -8 * rng.int(1, 7)),
    E.ldx('DW', 0, R_PARAMS, 8 * rng.int(1, 7) + 4),
    E.ldx('DW', 0, R_PARAMS, 0),
  ];
  f.ops.splice(exitAt(f), 0, rng.pick(variants), E.movImm(0, 0));
  return expectedMessage.r11Invalid();
}

function r11WrongSize(c: MutationCtx): string {
  const { rng } = c;
  const f = reached(c);
  const size = rng.pick<SizeName>(['W', 'H', 'B']);
  const variants: Op[] = [
    E.stx(size, R_PARAMS, -8 * rng.int(1, 7), rng.pick(W)),
    E.st(size, R_PARAMS, -8 * rng.int(1, 7), 3),
    E.ldx(size, 0, R_PARAMS, 8 * rng.int(1, 7)),
    E.atomicAdd(R_PARAMS, -8, rng.pick(W)),
  ];
  f.ops.splice(exitAt(f), 0, rng.pick(variants), E.movImm(0, 0));
  return expectedMessage.r11Invalid();
}

function r11Misuse(c: MutationCtx): string {
  const { rng } = c;
  const f = reached(c);
  const l = c.newLabel();
  const variants: Op[][] = [
    [E.aluImm(BPF_ADD, R_PARAMS, 8)],
    [E.movReg(0, R_PARAMS)],
    [E.movReg(R_PARAMS, rng.pick(W))],
    [E.aluReg(BPF_XOR, rng.pick(W), R_PARAMS)],
    [E.jumpReg(BPF_JGT, rng.pick(W), R_PARAMS, l), E.label(l)],
    [E.stx('DW', R_FP, -8, R_PARAMS)],
  ];
  f.ops.splice(exitAt(f), 0, ...rng.pick(variants), E.movImm(0, 0));
  return expectedMessage.r11Invalid();
}

/** f1 takes 12; the caller passes a 13th in an 8th slot, as a C caller with one argument too many would. */
function tooManyArgs(c: MutationCtx): string {
  const { rng } = c;
  const { regMark } = siteOps(c.main, c.treeSite!.id);
  c.main.ops.splice(regMark, 0, rng.chance(0.5) ? E.st('DW', R_PARAMS, -64, 13) : E.stx('DW', R_PARAMS, -64, rng.pick(W)));
  return expectedMessage.writePastMax(-64);
}

function tooMuchStack(c: MutationCtx): string {
  c.main.ops.splice(entryEnd(c.main), 0, E.st('DW', R_FP, -512, 0));
  return expectedMessage.tooMuchStack();
}

/** At main's tree site, a scalar where f1 dereferences its stack-pointer argument. */
function scalarDeref(c: MutationCtx): string {
  const { rng, main } = c;
  const at = c.f1!.kinds.indexOf('stack');
  const { stores, call } = siteOps(main, c.treeSite!.id);
  const value = rng.pick(EDGE_IMM32.filter((v) => v !== 0));
  if (at >= 5) {
    const i = stores.find((j) => slotOf(main.ops[j]) === at - 4)!;
    main.ops.splice(i, 1, tagged(E.st('DW', R_PARAMS, -8 * (at - 4), value), { role: 'argStore', site: c.treeSite!.id, slot: at - 4 }));
  } else {
    main.ops.splice(call, 0, E.movImm(at + 1, value));
  }
  return expectedMessage.scalarDeref();
}
