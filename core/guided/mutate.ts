// Mutations of a corpus program on its labelled IR (core/isa ir.ts, the form the generator builds
// and the reducer edits): jumps keep their labels and calls their callees whatever is inserted or
// dropped. Each mutation changes one thing a verifier rule looks at: an immediate or an offset
// set to an edge value, a jump's condition, width (JMP32) or source, a register, an ALU operation
// (sdiv/smod and movsx included), an access size or sign extension, an instruction duplicated,
// dropped or taken from another corpus program, a whole function spliced in from another one, a
// call of a helper of the model's table inserted.
// The result is always a well-formed program (validateProgram); whether the kernel accepts it is
// the question the campaign asks.
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_CALL, BPF_DIV, BPF_END, BPF_EXIT, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT,
  BPF_JLE, BPF_JLT, BPF_JMP, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_K, BPF_LDX, BPF_LSH, BPF_MEM,
  BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_X, BPF_XOR, Size,
  E, lift, lower, opClass, opMode, opOp, opSize, opSource, type FuncIr, type Op, type RawInsn,
} from '../isa/index.ts';
import { validateProgram, type Program } from '../program/index.ts';
import type { Prng } from '../gen/index.ts';
import { HELPER_PROTOS } from '../model/helpers.ts';

/** the helpers the model knows (check_helper_call rules, one per helper) */
const HELPER_IDS = HELPER_PROTOS.map((p) => p.id);

export const IR_MUTATIONS = [
  'edge-imm', 'edge-off', 'jump-op', 'jump-width', 'jump-source', 'swap-reg', 'alu-op', 'mem-size',
  'dup-insn', 'del-insn', 'splice-insn', 'splice-func', 'helper-call',
] as const;
export type IrMutation = (typeof IR_MUTATIONS)[number];

const EDGE_IMM = [0, 1, -1, 2, 7, 8, 31, 32, 63, 64, 0x7f, -0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, -0x80000000, -2, -8, 0x40000000];
const EDGE_OFF = [0, 1, -1, 4, -4, 8, -8, 16, -16, 24, 32, -256, -504, -512, -520, 511, 512, 0x7fff, -0x8000];
const COND_OPS = [BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET];
const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH];
const SIZES = [Size.B, Size.H, Size.W, Size.DW];
/** r0..r10 and, rarely, r11 (the stack-argument area) */
const pickReg = (rng: Prng): number => (rng.chance(0.05) ? 11 : rng.int(0, 10));

type Site = { f: FuncIr; i: number };
type Mutator = (funcs: FuncIr[], rng: Prng, donors: readonly FuncIr[][]) => boolean;

const isAlu = (x: RawInsn): boolean => opClass(x.code) === BPF_ALU || opClass(x.code) === BPF_ALU64;
const isMem = (x: RawInsn): boolean => {
  const c = opClass(x.code);
  return (c === BPF_LDX && (opMode(x.code) === BPF_MEM || opMode(x.code) === BPF_MEMSX)) || ((c === BPF_ST || c === BPF_STX) && opMode(x.code) === BPF_MEM);
};
const isCallOrExit = (x: RawInsn): boolean => opClass(x.code) === BPF_JMP && (opOp(x.code) === BPF_CALL || opOp(x.code) === BPF_EXIT);
const isCond = (op: Op): op is Extract<Op, { kind: 'jump' }> => op.kind === 'jump' && opOp(op.insn.code) !== BPF_JA;
const realOp = (op: Op): boolean => op.kind !== 'label' && op.kind !== 'mark';

/**
 * Ops of a loop, from the one before its head label (the counter's start value) to the jump
 * back: no mutation touches them or inserts among them, so every loop stays bounded (a loop
 * made endless costs the kernel and the model a million instructions each and tells nothing).
 */
function loopOps(f: FuncIr): Set<number> {
  const labelAt = new Map<number, number>();
  f.ops.forEach((op, i) => op.kind === 'label' && labelAt.set(op.label, i));
  const out = new Set<number>();
  f.ops.forEach((op, i) => {
    if (op.kind !== 'jump') return;
    const head = labelAt.get(op.label);
    if (head === undefined || head > i) return;
    for (let k = Math.max(0, head - 1); k <= i; k++) out.add(k);
  });
  return out;
}

/** Every (function, op) outside loops where `pred` holds, in program order. */
function sites(funcs: readonly FuncIr[], pred: (op: Op, f: FuncIr, i: number) => boolean): Site[] {
  const out: Site[] = [];
  for (const f of funcs) {
    const loops = loopOps(f);
    f.ops.forEach((op, i) => !loops.has(i) && pred(op, f, i) && out.push({ f, i }));
  }
  return out;
}

function pickSite(funcs: readonly FuncIr[], rng: Prng, pred: (op: Op, f: FuncIr, i: number) => boolean): Site | undefined {
  const all = sites(funcs, pred);
  return all.length ? rng.pick(all) : undefined;
}

/** Replaces the raw instruction of an insn or jump op (ops are never edited in place: a parent's IR is shared). */
function setInsn(s: Site, insn: RawInsn): void {
  const op = s.f.ops[s.i];
  if (op.kind === 'insn' || op.kind === 'jump') s.f.ops[s.i] = { ...op, insn, tag: undefined };
}
const insnOf = (s: Site): RawInsn => (s.f.ops[s.i] as { insn: RawInsn }).insn;

const edgeImm: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, (op) => {
    if (op.kind === 'ld64') return (op.src ?? 0) === 0;
    if (op.kind !== 'insn' && op.kind !== 'jump') return false;
    const x = op.insn;
    if (isAlu(x)) return opSource(x.code) === BPF_K && opOp(x.code) !== BPF_END;
    return (opClass(x.code) === BPF_ST && opMode(x.code) === BPF_MEM) || (op.kind === 'jump' && isCond(op) && opSource(x.code) === BPF_K);
  });
  if (!s) return false;
  const op = s.f.ops[s.i];
  if (op.kind === 'ld64') {
    s.f.ops[s.i] = { ...op, lo: rng.pick(EDGE_IMM), hi: rng.pick([0, 0, -1, 1, 0x7fffffff, -0x80000000]), tag: undefined };
  } else setInsn(s, { ...insnOf(s), imm: rng.pick(EDGE_IMM) | 0 });
  return true;
};

const edgeOff: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, (op) => op.kind === 'insn' && isMem(op.insn));
  if (!s) return false;
  const x = insnOf(s);
  const off = rng.chance(0.5) ? rng.pick(EDGE_OFF) : Math.max(-0x8000, Math.min(0x7fff, x.off + rng.pick([-8, -4, -1, 1, 4, 8])));
  setInsn(s, { ...x, off });
  return true;
};

const jumpOp: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, isCond);
  if (!s) return false;
  const x = insnOf(s);
  setInsn(s, { ...x, code: (x.code & ~0xf0) | rng.pick(COND_OPS.filter((o) => o !== opOp(x.code))) });
  return true;
};

/** JMP <-> JMP32 on a conditional jump (the unconditional gotol keeps its own encoding) */
const jumpWidth: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, isCond);
  if (!s) return false;
  const x = insnOf(s);
  setInsn(s, { ...x, code: (x.code & ~0x07) | (opClass(x.code) === BPF_JMP ? BPF_JMP32 : BPF_JMP) });
  return true;
};

const jumpSource: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, isCond);
  if (!s) return false;
  const x = insnOf(s);
  if (opSource(x.code) === BPF_K) setInsn(s, { ...x, code: x.code | BPF_X, src: pickReg(rng), imm: 0 });
  else setInsn(s, { ...x, code: x.code & ~BPF_X, src: 0, imm: rng.pick(EDGE_IMM) });
  return true;
};

/** Another register as destination or source, or the two exchanged. */
const swapReg: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, (op) => (op.kind === 'insn' && !isCallOrExit(op.insn)) || op.kind === 'jump' && isCond(op));
  if (!s) return false;
  const x = insnOf(s);
  const c = opClass(x.code);
  const usesSrc = c === BPF_LDX || c === BPF_STX || ((isAlu(x) || c === BPF_JMP || c === BPF_JMP32) && opSource(x.code) === BPF_X);
  if (usesSrc && rng.chance(0.3)) setInsn(s, { ...x, dst: x.src, src: x.dst });
  else if (usesSrc && rng.chance(0.5)) setInsn(s, { ...x, src: pickReg(rng) });
  else setInsn(s, { ...x, dst: pickReg(rng) });
  return true;
};

/** Another ALU operation (sdiv/smod through off 1, movsx through off 8/16/32), or the other width. */
const aluOp: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, (op) => op.kind === 'insn' && isAlu(op.insn) && opOp(op.insn.code) !== BPF_END);
  if (!s) return false;
  const x = insnOf(s);
  if (rng.chance(0.25)) {
    setInsn(s, { ...x, code: (x.code & ~0x07) | (opClass(x.code) === BPF_ALU64 ? BPF_ALU : BPF_ALU64) });
    return true;
  }
  const op = rng.pick(ALU_OPS);
  let off = 0;
  if (op === BPF_DIV || op === BPF_MOD) off = rng.pick([0, 1]);
  if (op === BPF_MOV && opSource(x.code) === BPF_X) off = rng.pick([0, 8, 16, 32]);
  const neg = op === BPF_NEG;
  setInsn(s, { ...x, code: neg ? (x.code & 0x07) | BPF_NEG | BPF_K : (x.code & 0x0f) | op, off, src: neg ? 0 : x.src, imm: neg ? 0 : x.imm });
  return true;
};

/** Another access size; a load may become sign-extending (ldsx) or stop being one. */
const memSize: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, (op) => op.kind === 'insn' && isMem(op.insn));
  if (!s) return false;
  const x = insnOf(s);
  let size = rng.pick(SIZES.filter((z) => z !== opSize(x.code)));
  let mode = opMode(x.code);
  if (opClass(x.code) === BPF_LDX && rng.chance(0.4)) {
    mode = mode === BPF_MEM ? BPF_MEMSX : BPF_MEM;
    if (mode === BPF_MEMSX && size === Size.DW) size = Size.W;
  }
  setInsn(s, { ...x, code: opClass(x.code) | mode | size });
  return true;
};

const dupInsn: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, (op) => op.kind === 'insn' || op.kind === 'ld64');
  if (!s) return false;
  s.f.ops.splice(s.i + 1, 0, { ...s.f.ops[s.i], tag: undefined } as Op);
  return true;
};

/** Drops any instruction but a function's last (which must stay an exit or a jump back). */
const delInsn: Mutator = (funcs, rng) => {
  const s = pickSite(funcs, rng, (op, f, i) => realOp(op) && op.kind !== 'call' && f.ops.slice(i + 1).some(realOp));
  if (!s) return false;
  s.f.ops.splice(s.i, 1);
  return true;
};

/** An instruction of another corpus program inserted anywhere before a function's last. */
const spliceInsn: Mutator = (funcs, rng, donors) => {
  if (donors.length === 0) return false;
  const donor = rng.pick(donors);
  const from = pickSite(donor, rng, (op) => (op.kind === 'insn' && !isCallOrExit(op.insn) && opMode(op.insn.code) !== BPF_ATOMIC) || (op.kind === 'ld64' && (op.src ?? 0) === 0));
  if (!from) return false;
  const at = pickSite(funcs, rng, (_op, f, i) => i < f.ops.length - 1);
  if (!at) return false;
  at.f.ops.splice(at.i, 0, { ...from.f.ops[from.i], tag: undefined } as Op);
  return true;
};

/**
 * A subprogram of this program replaced by a function of another corpus program (its body,
 * argument count and linkage); the donor's calls go to this program's function of the same
 * index modulo the count.
 */
const spliceFunc: Mutator = (funcs, rng, donors) => {
  const candidates = donors.filter((d) => d.length > 1);
  if (funcs.length < 2 || candidates.length === 0) return false;
  const donor = rng.pick(candidates);
  const g = donor[rng.int(1, donor.length - 1)];
  const at = rng.int(1, funcs.length - 1);
  const ops = g.ops.map((op): Op => (op.kind === 'call' ? { kind: 'call', callee: op.callee % funcs.length } : ({ ...op, tag: undefined } as Op)));
  funcs[at] = { name: funcs[at].name, args: g.args, linkage: g.linkage, ops };
  return true;
};

/**
 * A call of a helper from the model's table, with whatever r1..r5 hold: anywhere, or just before
 * a function's exit (nothing reads the clobbered r1..r5 there, r0 becomes the helper's result).
 */
const helperCall: Mutator = (funcs, rng) => {
  const call = E.callHelper(rng.pick(HELPER_IDS));
  const atExit = rng.chance(0.5);
  const s = pickSite(funcs, rng, (op, f, i) => (atExit ? op.kind === 'insn' && op.insn.code === (BPF_JMP | BPF_EXIT) : i < f.ops.length - 1));
  if (!s) return false;
  s.f.ops.splice(s.i, 0, { ...call, tag: undefined } as Op);
  return true;
};

const MUTATORS: Record<IrMutation, Mutator> = {
  'edge-imm': edgeImm,
  'edge-off': edgeOff,
  'jump-op': jumpOp,
  'jump-width': jumpWidth,
  'jump-source': jumpSource,
  'swap-reg': swapReg,
  'alu-op': aluOp,
  'mem-size': memSize,
  'dup-insn': dupInsn,
  'del-insn': delInsn,
  'splice-insn': spliceInsn,
  'splice-func': spliceFunc,
  'helper-call': helperCall,
};

/** every function ends in an exit or a jump back; every jump lands on an instruction */
function wellFormed(funcs: readonly FuncIr[]): boolean {
  for (const f of funcs) {
    const real = f.ops.filter(realOp);
    if (real.length === 0) return false;
    const last = real[real.length - 1];
    const lastOk = (last.kind === 'insn' && last.insn.code === (BPF_JMP | BPF_EXIT)) || (last.kind === 'jump' && opOp(last.insn.code) === BPF_JA);
    if (!lastOk) return false;
    const lastAt = f.ops.lastIndexOf(last);
    const labelAt = new Map<number, number>();
    f.ops.forEach((op, i) => op.kind === 'label' && labelAt.set(op.label, i));
    for (const op of f.ops) {
      if (op.kind !== 'jump') continue;
      const at = labelAt.get(op.label);
      if (at === undefined || at > lastAt) return false;
    }
  }
  return true;
}

function toProgram(parent: Program, funcs: FuncIr[]): Program | undefined {
  if (!wellFormed(funcs)) return undefined;
  try {
    const { insns, funcs: decls } = lower(funcs);
    const p: Program = { ...parent, insns, funcs: decls };
    return validateProgram(p).length === 0 ? p : undefined;
  } catch {
    return undefined;
  }
}

const lifted = new WeakMap<Program, FuncIr[]>();
function irOf(p: Program): FuncIr[] {
  let ir = lifted.get(p);
  if (!ir) lifted.set(p, (ir = lift(p.insns, p.funcs)));
  return ir;
}

interface Mutant {
  program: Program;
  /** the mutations applied, in order; empty when none gave a valid program (the parent returned) */
  mutations: IrMutation[];
}

/**
 * One to four mutations of `parent` (drawn from `kinds`), donors being the other corpus programs.
 * Deterministic in `rng`; the result always passes validateProgram (meta is the parent's: the
 * caller sets it).
 */
export function mutateProgram(parent: Program, donors: readonly Program[], rng: Prng, kinds: readonly IrMutation[] = IR_MUTATIONS): Mutant {
  const donorIr = donors.filter((d) => d !== parent).map(irOf);
  for (let round = 0; round < 6; round++) {
    const funcs = irOf(parent).map((f) => ({ ...f, ops: f.ops.slice() }));
    const applied: IrMutation[] = [];
    const want = rng.int(1, 4);
    for (let tries = 0; applied.length < want && tries < 12; tries++) {
      const kind = rng.pick(kinds);
      if (MUTATORS[kind](funcs, rng, donorIr)) applied.push(kind);
    }
    const program = applied.length ? toProgram(parent, funcs) : undefined;
    if (program) return { program, mutations: applied };
  }
  return { program: parent, mutations: [] };
}
