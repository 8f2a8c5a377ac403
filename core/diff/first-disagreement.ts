// Where the model's beliefs and the kernel's part ways: the two walks (the model's from
// core/model/beliefs.ts, the kernel's parsed from its level-2 verifier log by verifier-states.ts)
// are aligned step by step in walk order, and the first register whose type, value, bounds or
// tnum differ is reported as the kernel prints them (kernel/bpf/log.c print_reg_state):
// "model and kernel first disagree at insn 37: R3 umax 255 vs 511" (model first, kernel second).
// What the kernel's printing hides is not a difference: a bound it omits holds its default
// (print_scalar_ranges omits S64_MIN, U64_MAX, ...), and a register the kernel does not show while
// the model still tracks it is dead (7.x clean_verifier_state marks dead registers NOT_INIT).
import type { InsnBelief, RegBelief } from './verifier-states.ts';

export interface FirstDisagreement {
  /**
   * state: a register differs; walk: the walks go to different instructions before any state
   * differed; end: one walk ended (a reject, an exit) with every state both walked in agreement
   */
  kind: 'state' | 'walk' | 'end';
  /** the instruction before which the states differ (state), or the last one both walked */
  insn: number;
  /** position in the kernel's walk order (0-based) */
  step: number;
  /** position in the model's walk order, for a state difference (the model walks paths the kernel pruned) */
  modelStep?: number;
  /** steps both walks went through with equal beliefs */
  agreedSteps: number;
  reg?: number;
  /** the kernel's name of the field: type, value, off, smin ... umax32, var_off */
  field?: string;
  model?: string;
  kernel?: string;
  /** one line for a person: `model and kernel first disagree at insn 37: R3 umax 255 vs 511` */
  text: string;
}

/** verbose_snum / verbose_unum: decimal within 16 bits, hex beyond */
const snum = (v: bigint): string => (v >= -32768n && v <= 32767n ? String(v) : `0x${BigInt.asUintN(64, v).toString(16)}`);
const unum = (v: bigint): string => (v <= 65535n ? String(v) : `0x${v.toString(16)}`);
const tnumText = (t: { value: bigint; mask: bigint }): string => `(0x${t.value.toString(16)}; 0x${t.mask.toString(16)})`;

const S64 = (v: bigint) => BigInt.asIntN(64, v);
const U64 = (v: bigint) => BigInt.asUintN(64, v);
const S32 = (v: bigint) => BigInt.asIntN(32, v);
const U32 = (v: bigint) => BigInt.asUintN(32, v);
const UNKNOWN_TNUM = { value: 0n, mask: (1n << 64n) - 1n };

/** The kernel's type name, whatever spelling the parser or the model used. */
function typeName(t: string): string {
  const s = t.toLowerCase();
  if (s === 'ptr_to_stack' || s === 'stack') return 'fp';
  return s.startsWith('ptr_to_') ? s.slice('ptr_to_'.length) : s;
}

interface ScalarView {
  /** field → printed value, in print_scalar_ranges' order */
  fields: Array<[string, string]>;
}

/** A scalar as the kernel holds it: every bound, omitted ones at their defaults (print_scalar_ranges). */
function scalarView(r: RegBelief): ScalarView {
  const c = r.value ?? (r.varOff && r.varOff.mask === 0n ? r.varOff.value : undefined);
  if (c !== undefined) {
    const v = S64(c);
    const lo = S32(v);
    return {
      fields: [
        ['smin', snum(v)], ['smax', snum(v)], ['umin', unum(U64(v))], ['umax', unum(U64(v))],
        ['smin32', snum(lo)], ['smax32', snum(lo)], ['umin32', unum(U32(v))], ['umax32', unum(U32(v))],
        ['var_off', tnumText({ value: U64(v), mask: 0n })],
      ],
    };
  }
  const t = r.varOff ? { value: U64(r.varOff.value), mask: U64(r.varOff.mask) } : UNKNOWN_TNUM;
  return {
    fields: [
      ['smin', snum(S64(r.smin ?? -(1n << 63n)))],
      ['smax', snum(S64(r.smax ?? (1n << 63n) - 1n))],
      ['umin', unum(U64(r.umin ?? 0n))],
      ['umax', unum(U64(r.umax ?? (1n << 64n) - 1n))],
      ['smin32', snum(S32(r.s32min ?? -(1n << 31n)))],
      ['smax32', snum(S32(r.s32max ?? (1n << 31n) - 1n))],
      ['umin32', unum(U32(r.u32min ?? 0n))],
      ['umax32', unum(U32(r.u32max ?? (1n << 32n) - 1n))],
      ['var_off', tnumText(t)],
    ],
  };
}

/** a scalar in one word for a message: its constant, else `scalar(...)` of the bounds that differ from the default */
function brief(r: RegBelief | undefined): string {
  if (!r) return 'not_init';
  const type = typeName(r.type);
  if (type !== 'scalar') {
    const off = pointerOff(r);
    return off === undefined ? `${type}(var_off)` : type === 'fp' ? `fp${off}` : off ? `${type}(off=${off})` : `${type}()`;
  }
  const c = r.value ?? (r.varOff && r.varOff.mask === 0n ? r.varOff.value : undefined);
  return c !== undefined ? snum(S64(c)) : 'scalar';
}

/** a pointer's constant offset (6.12's reg->off plus a constant var_off), or undefined for a variable one */
function pointerOff(r: RegBelief): number | undefined {
  if (r.varOff && r.varOff.mask !== 0n) return undefined;
  // a constant pointer prints no ranges (`fp-8`, `map_value(...,imm=8)`); 7.x leaves out an unknown var_off
  if ([r.smin, r.smax, r.umin, r.umax, r.s32min, r.s32max, r.u32min, r.u32max].some((b) => b !== undefined)) return undefined;
  const varPart = r.varOff ? S64(r.varOff.value) : r.value !== undefined ? S64(r.value) : 0n;
  return (r.off ?? 0) + Number(varPart);
}

interface RegDifference {
  field: string;
  model: string;
  kernel: string;
}

function regDifference(m: RegBelief | undefined, k: RegBelief): RegDifference | undefined {
  const kt = typeName(k.type);
  if (kt === 'not_init' || kt === '?') return undefined;
  if (!m) return { field: 'type', model: 'not_init', kernel: kt === 'scalar' ? brief(k) : kt };
  const mt = typeName(m.type);
  if (mt !== kt) return { field: 'type', model: mt, kernel: kt };
  if (kt === 'scalar') {
    const mv = scalarView(m).fields;
    const kv = scalarView(k).fields;
    for (let i = 0; i < kv.length; i++) {
      if (mv[i]![1] !== kv[i]![1]) return { field: kv[i]![0], model: mv[i]![1], kernel: kv[i]![1] };
    }
    return undefined;
  }
  // pointers: the constant offset; a variable offset is compared only as being variable
  const mo = pointerOff(m);
  const ko = pointerOff(k);
  if (mo === ko) return undefined;
  return { field: 'off', model: mo === undefined ? 'variable' : String(mo), kernel: ko === undefined ? 'variable' : String(ko) };
}

/** The first register (lowest number) whose beliefs differ before one instruction. */
function stateDifference(model: InsnBelief, kernel: InsnBelief): (RegDifference & { reg: number }) | undefined {
  const m = new Map(model.regs.map((r) => [r.reg, r]));
  for (const k of [...kernel.regs].sort((a, b) => a.reg - b.reg)) {
    const d = regDifference(m.get(k.reg), k);
    if (d) return { reg: k.reg, ...d };
  }
  return undefined;
}

const PREFIX = 'model and kernel';

interface AlignOptions {
  /** insn → registers live before it (bit i = Ri), from the 7.x log's `Live regs before insn:` table */
  liveRegs?: ReadonlyMap<number, number>;
  /** how the kernel's last path ended (verifier-states.ts WalkSegment.end): only an `open` one (a reject) is a stop worth naming */
  kernelEnd?: 'exit' | 'safe' | 'open';
}

/** a stretch of one walk along one path: consecutive visits with the same `path` */
interface PathRun {
  start: number;
  frame: number;
  visits: InsnBelief[];
  /** position of the first visit in its walk */
  offset: number;
}

function pathRuns(walk: readonly InsnBelief[]): PathRun[] {
  const runs: PathRun[] = [];
  walk.forEach((b, i) => {
    const last = runs[runs.length - 1];
    if (last && last.visits[last.visits.length - 1]!.path === b.path) last.visits.push(b);
    else runs.push({ start: b.insn, frame: b.frame, visits: [b], offset: i });
  });
  return runs;
}

const where = (b: InsnBelief) => `insn ${b.insn}${b.frame ? ` (frame ${b.frame})` : ''}`;

function stateDisagreement(m: InsnBelief, k: InsnBelief, step: number, agreedSteps: number, opts: AlignOptions, modelStep = step): FirstDisagreement | undefined {
  const live = opts.liveRegs?.get(k.insn);
  const d = stateDifference(m, live === undefined ? k : { ...k, regs: k.regs.filter((r) => r.reg === 10 || (live >> r.reg) & 1) });
  if (!d) return undefined;
  const what = d.field === 'type' ? `R${d.reg} ${d.model} vs ${d.kernel}` : `R${d.reg} ${d.field} ${d.model} vs ${d.kernel}`;
  return { kind: 'state', insn: k.insn, step, modelStep, agreedSteps, ...d, text: `${PREFIX} first disagree at insn ${k.insn}: ${what}` };
}

/**
 * Aligns the two walks and returns the first difference: a register's belief, or where the
 * walks part ways or end. When both sides number their paths (`path`), each of the kernel's
 * paths, in its walk order, is matched with a model path starting at the same instruction (the
 * model prunes less than the kernel, so it may walk paths the kernel never does); otherwise the
 * walks are aligned step by step. A register dead before an instruction (opts.liveRegs) is not
 * compared there: the kernel stops updating dead registers (collect_linked_regs, clean_verifier_state).
 * Undefined when either walk is empty.
 */
export function firstDisagreement(model: readonly InsnBelief[], kernel: readonly InsnBelief[], opts: AlignOptions = {}): FirstDisagreement | undefined {
  if (!model.length && !kernel.length) return undefined;
  if (!model.length || !kernel.length) {
    const first = (model[0] ?? kernel[0])!;
    const who = model.length ? 'the kernel' : 'the model';
    return { kind: 'walk', insn: first.insn, step: 0, agreedSteps: 0, text: `${PREFIX} part ways before the walk: ${who} rejects before it walks any instruction, the other walks from insn ${first.insn}` };
  }
  const byPath = model.every((b) => b.path !== undefined) && kernel.every((b) => b.path !== undefined);
  return byPath ? alignPaths(pathRuns(model), pathRuns(kernel), opts) : alignSteps(model, kernel, opts);
}

function alignSteps(model: readonly InsnBelief[], kernel: readonly InsnBelief[], opts: AlignOptions): FirstDisagreement {
  const n = Math.min(model.length, kernel.length);
  for (let i = 0; i < n; i++) {
    const m = model[i]!;
    const k = kernel[i]!;
    if (m.insn !== k.insn || m.frame !== k.frame) {
      return {
        kind: 'walk',
        insn: i ? model[i - 1]!.insn : m.insn,
        step: i,
        agreedSteps: i,
        text: `${PREFIX} agree on the state at each of the first ${i} steps; then their walks part ways: the model goes to ${where(m)}, the kernel to ${where(k)}`,
      };
    }
    const d = stateDisagreement(m, k, i, i, opts);
    if (d) return d;
  }
  const last = model[n - 1]!.insn;
  const ends = model.length === kernel.length ? 'both walks end there' : model.length < kernel.length ? `the model's walk ends there, the kernel's goes on to insn ${kernel[n]!.insn}` : `the kernel's walk ends there, the model's goes on to insn ${model[n]!.insn}`;
  return { kind: 'end', insn: last, step: n - 1, agreedSteps: n, text: `${PREFIX} agree on the state at each of the ${n} steps both walked, up to insn ${last}; ${ends}` };
}

function alignPaths(model: PathRun[], kernel: PathRun[], opts: AlignOptions): FirstDisagreement {
  const used = new Set<number>();
  let agreed = 0;
  let lastInsn = kernel[0]!.start;
  for (const [ki, kp] of kernel.entries()) {
    const candidates = model.flatMap((mp, i) => (!used.has(i) && mp.start === kp.start && mp.frame === kp.frame ? [i] : []));
    // prefer a model path that enters in the kernel's state: the model may walk the same branch from other states
    const mi = candidates.find((i) => !stateDisagreement(model[i]!.visits[0]!, kp.visits[0]!, 0, 0, opts)) ?? candidates[0];
    if (mi === undefined) {
      return {
        kind: 'walk',
        insn: kp.start,
        step: kp.offset,
        agreedSteps: agreed,
        text: `${PREFIX} agree on the state at each of the ${agreed} steps both walked; then their walks part ways: the kernel walks path ${ki + 1} from ${where(kp.visits[0]!)}, which the model never walks`,
      };
    }
    used.add(mi);
    const mp = model[mi]!;
    const n = Math.min(mp.visits.length, kp.visits.length);
    for (let s = 0; s < n; s++) {
      const m = mp.visits[s]!;
      const k = kp.visits[s]!;
      if (m.insn !== k.insn || m.frame !== k.frame) {
        return {
          kind: 'walk',
          insn: k.insn,
          step: kp.offset + s,
          agreedSteps: agreed,
          text: `${PREFIX} agree on the state at each of the ${agreed} steps both walked; then their walks part ways on path ${ki + 1}: the model goes to ${where(m)}, the kernel to ${where(k)}`,
        };
      }
      const d = stateDisagreement(m, k, kp.offset + s, agreed, opts, mp.offset + s);
      if (d) return d;
      agreed++;
      lastInsn = k.insn;
    }
  }
  const extra = model.length - used.size;
  // where the kernel's last path stopped while the model's went on (or the other way): same state, different rule
  const kLast = kernel[kernel.length - 1]!;
  const mLast = model[[...used].pop()!]!;
  const next = mLast.visits[kLast.visits.length];
  const stop = opts.kernelEnd && opts.kernelEnd !== 'open'
    ? ''
    : next
    ? `; the kernel stops at insn ${lastInsn}, the model goes on to insn ${next.insn}`
    : kLast.visits.length > mLast.visits.length ? `; the model stops at insn ${lastInsn}, the kernel goes on to insn ${kLast.visits[mLast.visits.length]!.insn}` : '';
  return {
    kind: 'end',
    insn: lastInsn,
    step: agreed - 1,
    agreedSteps: agreed,
    text: `${PREFIX} agree on the state at each of the ${agreed} steps both walked, on the kernel's ${kernel.length} path${kernel.length === 1 ? '' : 's'}${extra ? ` (the model walks ${extra} more that the kernel does not)` : ''}${stop}`,
  };
}
