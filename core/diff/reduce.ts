// Delta debugging for diverging programs: shrink while an oracle says the divergence still
// shows. Candidates are asked about in batches (a kernel pool answers a batch about as fast
// as one program), and the first one that still shows it is taken. Every candidate is kept
// well-formed (jumps inside their function, calls to function starts, a final exit), so the
// oracle only ever sees programs the kernel would parse.
import type { Outcome, Program } from '../program/index.ts';
import { validateProgram } from '../program/index.ts';
import {
  BPF_ALU, BPF_ALU64, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LDX, BPF_MEM, BPF_MOD, BPF_MOV, BPF_ST, BPF_STX, BPF_X,
  E, R_PARAMS, lift, lower, withArgTypes, opClass, opOp, opSource, type FuncIr, type Op,
} from '../isa/index.ts';
import { normalizeReason } from './compare.ts';
import type { KernelTarget } from './finding.ts';
import { runBatch, type RunBatchOptions } from './run-batch.ts';

/** For each candidate: does it still show the divergence being reduced? */
type ReduceOracle = (candidates: Program[]) => Promise<boolean[]>;

interface ReduceOptions {
  /** candidates per oracle call (default 16) */
  batchSize?: number;
  /** stop after this many candidate checks (default 4000) */
  maxChecks?: number;
  onProgress?: (p: { insns: number; checks: number; step: string }) => void;
  /** stop early (Ctrl-C); the best program so far is returned */
  signal?: AbortSignal;
}

interface ReduceResult {
  program: Program;
  originalInsns: number;
  reducedInsns: number;
  /** originalInsns / reducedInsns */
  ratio: number;
  checks: number;
  /** what each accepted step did, in order */
  steps: string[];
}

interface Candidate {
  step: string;
  funcs: FuncIr[];
}

const CODE_EXIT = BPF_JMP | BPF_EXIT;
const CODE_JA = BPF_JMP | BPF_JA;
const CODE_GOTOL = BPF_JMP32 | BPF_JA;
const R11 = R_PARAMS;

const realOps = (f: FuncIr): number[] => f.ops.flatMap((op, i) => (op.kind === 'label' || op.kind === 'mark' ? [] : [i]));

function clone(funcs: readonly FuncIr[]): FuncIr[] {
  return funcs.map((f) => ({ ...f, ops: f.ops.map((op) => ({ ...op })) as Op[] }));
}

/** the kernel needs each function to end in exit or an unconditional jump, and jumps to stay inside */
function wellFormed(funcs: readonly FuncIr[]): boolean {
  for (const f of funcs) {
    const real = realOps(f);
    if (real.length === 0) return false;
    const last = f.ops[real[real.length - 1]];
    const lastCode = last.kind === 'insn' || last.kind === 'jump' ? last.insn.code : -1;
    if (lastCode !== CODE_EXIT && !(last.kind === 'jump' && (lastCode === CODE_JA || lastCode === CODE_GOTOL))) return false;
    const labelAt = new Map<number, number>();
    f.ops.forEach((op, i) => {
      if (op.kind === 'label') labelAt.set(op.label, i);
    });
    const lastReal = real[real.length - 1];
    for (const op of f.ops) {
      if (op.kind !== 'jump') continue;
      const at = labelAt.get(op.label);
      if (at === undefined || at > lastReal) return false;
    }
  }
  return true;
}

function toProgram(base: Program, funcs: FuncIr[]): Program | undefined {
  if (!wellFormed(funcs)) return undefined;
  try {
    const { insns, funcs: decls } = lower(funcs);
    const p: Program = { ...base, insns, funcs: decls };
    return validateProgram(p).length === 0 ? p : undefined;
  } catch {
    return undefined;
  }
}

export async function reduceProgram(program: Program, oracle: ReduceOracle, opts: ReduceOptions = {}): Promise<ReduceResult> {
  const batchSize = opts.batchSize ?? 16;
  const maxChecks = opts.maxChecks ?? 4000;
  let cur = lift(program.insns, program.funcs);
  let best = program;
  let checks = 0;
  const steps: string[] = [];
  const stop = (): boolean => checks >= maxChecks || opts.signal?.aborted === true;

  /** the first candidate (in order) that still shows the divergence */
  const firstHit = async (cands: Candidate[]): Promise<{ c: Candidate; p: Program } | undefined> => {
    const ready: Array<{ c: Candidate; p: Program }> = [];
    const seen = new Set<string>();
    for (const c of cands) {
      const p = toProgram(program, c.funcs);
      if (!p || p.insns.length >= best.insns.length + (c.step.startsWith('shrink') || c.step.startsWith('simplify') ? 1 : 0)) continue;
      const key = JSON.stringify(p.insns) + JSON.stringify(p.funcs);
      if (seen.has(key)) continue;
      seen.add(key);
      ready.push({ c, p });
    }
    for (let i = 0; i < ready.length && !stop(); i += batchSize) {
      const batch = ready.slice(i, i + batchSize);
      const answers = await oracle(batch.map((b) => b.p));
      checks += batch.length;
      const hit = answers.findIndex(Boolean);
      if (hit >= 0) return batch[hit];
    }
    return undefined;
  };

  const accept = (h: { c: Candidate; p: Program }): void => {
    cur = h.c.funcs;
    best = h.p;
    steps.push(h.c.step);
    opts.onProgress?.({ insns: best.insns.length, checks, step: h.c.step });
  };

  let progress = true;
  while (progress && !stop()) {
    progress = false;
    for (const phase of [dropFunctions, dropArgs]) {
      for (;;) {
        const h = await firstHit(phase(cur));
        if (!h) break;
        accept(h);
        progress = true;
      }
    }
    // ddmin over each function's instructions: big chunks first, halving down to one.
    let chunk = Math.max(1, Math.floor(Math.max(...cur.map((f) => realOps(f).length)) / 2));
    while (chunk >= 1 && !stop()) {
      const h = await firstHit(dropChunks(cur, chunk));
      if (h) {
        accept(h);
        progress = true;
        continue;
      }
      chunk = Math.floor(chunk / 2);
    }
    for (const phase of [simplify, shrinkConstants]) {
      for (;;) {
        if (stop()) break;
        const h = await firstHit(phase(cur));
        if (!h) break;
        accept(h);
        progress = true;
      }
    }
  }
  const reduced = best;
  return {
    program: reduced,
    originalInsns: program.insns.length,
    reducedInsns: reduced.insns.length,
    ratio: program.insns.length / Math.max(1, reduced.insns.length),
    checks,
    steps,
  };
}

function dropFunctions(funcs: FuncIr[]): Candidate[] {
  const out: Candidate[] = [];
  for (let k = funcs.length - 1; k >= 1; k--) {
    const next = clone(funcs).filter((_, i) => i !== k);
    for (const f of next) {
      f.ops = f.ops.map((op) => {
        if (op.kind !== 'call') return op;
        if (op.callee === k) return E.movImm(0, 0);
        return op.callee > k ? { ...op, callee: op.callee - 1 } : op;
      });
    }
    out.push({ step: `drop function ${funcs[k].name}`, funcs: next });
  }
  // The main function itself: its first callee takes its place (name, ctx argument, linkage),
  // which shortens call chains that only pass arguments along.
  if (funcs.length > 1) {
    const next = clone(funcs).slice(1);
    for (const f of next) {
      f.ops = f.ops.map((op) => (op.kind !== 'call' ? op : op.callee === 0 ? E.movImm(0, 0) : { ...op, callee: op.callee - 1 }));
    }
    next[0] = withArgTypes({ name: funcs[0].name, args: funcs[0].args, linkage: funcs[0].linkage, ops: next[0].ops }, funcs[0].argTypes);
    out.push({ step: `drop function ${funcs[0].name} (${funcs[1].name} becomes the entry)`, funcs: next });
  }
  return out;
}

const isR11Store = (op: Op, slot: number): boolean =>
  op.kind === 'insn' && (op.insn.code === (BPF_STX | BPF_MEM | BPF_DW) || op.insn.code === (BPF_ST | BPF_MEM | BPF_DW)) && op.insn.dst === R11 && op.insn.off === -8 * slot;
const isR11Load = (op: Op, slot: number): boolean => op.kind === 'insn' && op.insn.code === (BPF_LDX | BPF_MEM | BPF_DW) && op.insn.src === R11 && op.insn.off === 8 * slot;

function dropArgs(funcs: FuncIr[]): Candidate[] {
  const out: Candidate[] = [];
  funcs.forEach((f, k) => {
    if (k === 0 || f.args === 0) return;
    const n = f.args;
    const next = clone(funcs);
    next[k].args = n - 1;
    if (next[k].argTypes !== undefined) next[k].argTypes = next[k].argTypes.slice(0, n - 1);
    if (n > 5) {
      const slot = n - 5;
      for (const caller of next) {
        if (!caller.ops.some((op) => op.kind === 'call' && op.callee === k)) continue;
        caller.ops = caller.ops.filter((op) => !isR11Store(op, slot));
      }
      next[k].ops = next[k].ops.map((op) => (isR11Load(op, slot) && op.kind === 'insn' ? E.movImm(op.insn.dst, 0) : op));
    }
    out.push({ step: `drop argument ${n} of ${f.name}`, funcs: next });
  });
  return out;
}

function dropChunks(funcs: FuncIr[], chunk: number): Candidate[] {
  const out: Candidate[] = [];
  funcs.forEach((f, k) => {
    const real = realOps(f);
    for (let at = 0; at < real.length; at += chunk) {
      const drop = new Set(real.slice(at, at + chunk));
      const next = clone(funcs);
      next[k].ops = f.ops.filter((_, i) => !drop.has(i)).map((op) => ({ ...op })) as Op[];
      out.push({ step: `drop ${drop.size} insn(s) of ${f.name}`, funcs: next });
    }
  });
  // Bigger programs shrink faster when the largest function is tried first.
  return out;
}

function replaceOp(funcs: FuncIr[], k: number, i: number, ops: Op[]): FuncIr[] {
  const next = clone(funcs);
  next[k].ops.splice(i, 1, ...ops);
  return next;
}

function simplify(funcs: FuncIr[]): Candidate[] {
  const out: Candidate[] = [];
  funcs.forEach((f, k) => {
    f.ops.forEach((op, i) => {
      if (op.kind === 'ld64' && op.src === undefined) out.push({ step: `simplify ld64 in ${f.name}`, funcs: replaceOp(funcs, k, i, [E.movImm(op.dst, op.lo)]) });
      if (op.kind === 'ld64' && op.src === 0) out.push({ step: `simplify ld64 in ${f.name}`, funcs: replaceOp(funcs, k, i, [E.movImm(op.dst, op.lo)]) });
      if (op.kind === 'jump' && opOp(op.insn.code) !== BPF_JA) out.push({ step: `simplify jump to goto in ${f.name}`, funcs: replaceOp(funcs, k, i, [{ ...op, insn: { code: CODE_JA, dst: 0, src: 0, off: 0, imm: 0 } }]) });
      if (op.kind !== 'insn') return;
      const cls = opClass(op.insn.code);
      const isAluX = (cls === BPF_ALU || cls === BPF_ALU64) && opSource(op.insn.code) === BPF_X && op.insn.dst !== R11 && op.insn.src !== R11;
      const isLdx = cls === BPF_LDX && op.insn.src !== R11;
      const isMovFromReg = (op.insn.code === (BPF_ALU64 | BPF_MOV | BPF_X) || op.insn.code === (BPF_ALU | BPF_MOV | BPF_X)) && op.insn.src !== R11 && op.insn.off === 0;
      if (isAluX || isLdx || isMovFromReg) out.push({ step: `simplify to constant in ${f.name}`, funcs: replaceOp(funcs, k, i, [E.movImm(op.insn.dst, 0)]) });
    });
  });
  return out;
}

function shrinkConstants(funcs: FuncIr[]): Candidate[] {
  const out: Candidate[] = [];
  funcs.forEach((f, k) => {
    f.ops.forEach((op, i) => {
      if (op.kind === 'ld64' && (op.hi !== 0 || op.lo !== 0)) {
        out.push({ step: `shrink constant in ${f.name}`, funcs: replaceOp(funcs, k, i, [{ ...op, hi: 0, lo: op.hi === 0 ? 0 : op.lo }]) });
      }
      if (op.kind !== 'insn' && op.kind !== 'jump') return;
      const code = op.insn.code;
      const cls = opClass(code);
      const hasImm = ((cls === BPF_ALU || cls === BPF_ALU64) && opSource(code) !== BPF_X && opOp(code) !== BPF_END) || cls === BPF_ST || (op.kind === 'jump' && opSource(code) !== BPF_X);
      if (!hasImm) return;
      const imm = op.insn.imm;
      const op0 = opOp(code);
      // Keep shift amounts and divisors valid: a zero divisor is its own rejection.
      const divisor = (cls === BPF_ALU || cls === BPF_ALU64) && (op0 === BPF_DIV || op0 === BPF_MOD);
      for (const v of [0, 1, imm >> 1]) {
        if (v === imm || Math.abs(v) >= Math.abs(imm) || (divisor && v === 0)) continue;
        out.push({ step: `shrink constant in ${f.name}`, funcs: replaceOp(funcs, k, i, [{ ...op, insn: { ...op.insn, imm: v } } as Op]) });
        break;
      }
    });
  });
  return out;
}

/**
 * What the model's own outcome must be for a single-kernel `signature` to show at all
 * (compareOutcomes' cases): a model-accept divergence needs the model to accept, a model-reject
 * one to reject with the same reason. Undefined: any outcome may (crashes, hangs, cross-kernel).
 */
function modelCanShow(signature: string): ((model: Outcome) => boolean) | undefined {
  const cls = signature.slice(0, signature.indexOf('|'));
  switch (cls) {
    case 'verdict-model-accept':
    case 'retval':
    case 'xlated':
    case 'jit':
    case 'verifier-unsound':
      return (m) => m.verdict === 'accept';
    case 'verdict-model-reject':
      return (m) => m.verdict !== 'accept' && m.verdict !== 'unknown' && signature.startsWith(`${cls}|${normalizeReason(m.message)}|`);
    case 'reason':
      return (m) => m.verdict === 'reject';
    case 'model-unknown':
      return (m) => m.verdict === 'unknown';
  }
  return undefined;
}

/**
 * An oracle that asks the differential runner whether `signature` still shows. On one kernel, a
 * candidate whose model outcome rules the signature out is answered without loading it: the
 * kernel's verifier may walk a loop the reduction opened up to its 1M-instruction limit first
 * (70 s under TCG), where the model says the same in a fraction of that.
 */
export function signatureOracle(signature: string, kernels: readonly KernelTarget[], opts: RunBatchOptions, { modelPrecheck = true } = {}): ReduceOracle {
  const can = modelPrecheck && kernels.length === 1 ? modelCanShow(signature) : undefined;
  return async (candidates) => {
    // each candidate's model outcome once: the pre-check's and runBatch's are the same call
    const memo = new Map<Program, Map<string, Outcome>>();
    const verify: RunBatchOptions['verify'] = (p, profile, cpu, coverage) => {
      if (coverage) return opts.verify(p, profile, cpu, coverage);
      const key = `${profile}/${cpu ?? ''}`;
      const byKey = memo.get(p) ?? new Map<string, Outcome>();
      memo.set(p, byKey);
      const hit = byKey.get(key);
      if (hit) return hit;
      const o = opts.verify(p, profile, cpu);
      byKey.set(key, o);
      return o;
    };
    const asked = can ? candidates.filter((c) => can(verify(c, kernels[0]!.profile, kernels[0]!.cpu))) : candidates;
    const r = asked.length ? await runBatch(asked, kernels, { ...opts, verify }) : { divergences: [] };
    const hit = new Set(r.divergences.filter((d) => d.signature === signature).map((d) => asked[d.index]));
    return candidates.map((c) => hit.has(c));
  };
}
