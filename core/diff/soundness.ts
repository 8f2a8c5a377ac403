// The soundness oracle: what the kernel's verifier believed about each register (its level-2
// log, verifier-states.ts) against the concrete values of a run of the same program (the
// model's interpreter, trusted only where its return value agrees with the kernel's). A plain
// number outside every belief the kernel logged for that register at that instruction, on
// the concretely taken path, is `verifier-unsound`: the verifier accepted the program
// believing something false, whatever the program returned.
//
// Avoiding false alarms on correct kernels:
//  - the concrete path is followed through the walk (verifier.c do_check's depth-first
//    order): step by step along a path's visits, into the path popped for the branch side
//    the run took (`from X to Y`), into a global function's own walk at its call. Where
//    the path could be matched more than one way, a value is unsound only when outside the
//    beliefs of every match.
//  - at a pruning point on the path (`safe`) the run is followed on in the walks of the states
//    that could have covered it (soundness-pruned.ts), but register values are compared only up
//    to the first one: an older state covers what follows only for its precise registers. Past
//    it the path itself is the check: a sound prune never lets the run take a way no covering
//    walk took, so doing so is `verifier-unsound` (bound `unwalked`).
//  - checking stops where the path leaves the walk before any prune (the log is then not the
//    run's), and only registers the interpreter holds as plain numbers are compared (not an
//    address, not uninitialised stack).
//  - only registers the instruction reads are compared, and only against scalar beliefs.
import type { Program } from '../program/index.ts';
import type { RawInsn } from '../isa/index.ts';
import { execute, type Provenance } from '../model/interp/index.ts';
import { parseVerifierWalk, type RegBelief, type VerifierWalk, type WalkSegment } from './verifier-states.ts';
import { coveringVisits } from './soundness-pruned.ts';

export interface UnsoundValue {
  insn: number;
  reg: number;
  /** the concrete value (u64) */
  value: bigint;
  /** which bound it breaks: value (a constant), smin, smax, umin, umax, s32min, s32max, u32min, u32max, var_off */
  bound: string;
  /** the kernel's belief (the first match's, when the path matched several ways) */
  belief: RegBelief;
  /** the instruction's class and operation, as the signature names it: `alu64 add`, `jmp32 jlt`, `ldx`, ... */
  what: string;
  /** a stack pointer's: the frame it points into (counted from the walk's start); `value` is then its offset */
  frame?: number;
  /** another pointer's type as the log names it (map_value, pkt, ctx); `value` is then its offset */
  pointer?: string;
  /** bound `unwalked`: the run went from `insn` to `to`, a way the verifier never walked from the states it pruned against at `prunedAt` */
  prunedAt?: number;
  to?: number;
}

interface SoundnessReport {
  /** register values compared with a kernel belief */
  checked: number;
  /** instructions of the run matched to the verifier's walk */
  steps: number;
  /** why the comparison stopped before the run ended, if it did */
  stopped?: string;
  /** prune points the run was followed past (into the walks of the states that covered it) */
  pruned: number;
  /** at most one per (insn, register) */
  unsound: UnsoundValue[];
}

const U64 = (1n << 64n) - 1n;
const CLASS_NAMES = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'];
const ALU_OPS = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'neg', 'mod', 'xor', 'mov', 'arsh', 'end'];
const JMP_OPS = ['ja', 'jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'call', 'exit', 'jlt', 'jle', 'jslt', 'jsle', 'jcond'];

/** `alu64 add`, `jmp32 jlt`, `ldx`, `stx`, ... */
function insnWhat(i: RawInsn): string {
  const cls = i.code & 7;
  const name = CLASS_NAMES[cls]!;
  if (cls === 4 || cls === 7) return `${name} ${ALU_OPS[i.code >> 4] ?? '?'}`;
  if (cls === 5 || cls === 6) return `${name} ${JMP_OPS[i.code >> 4] ?? '?'}`;
  return name;
}

/** Registers an instruction reads (kernel/bpf/verifier.c check_reg_arg SRC_OP, in effect). */
function readRegs(i: RawInsn): number[] {
  const cls = i.code & 7;
  const x = (i.code & 0x08) !== 0;
  const op = i.code & 0xf0;
  if (cls === 4 || cls === 7) {
    if (op === 0xb0) return x ? [i.src] : []; // mov (and movsx) reads only its source
    return x && op !== 0x80 && op !== 0xd0 ? [i.dst, i.src] : [i.dst];
  }
  if (cls === 5 || cls === 6) {
    if (op === 0x90) return [0]; // exit
    if (op === 0x80) return [1, 2, 3, 4, 5]; // call: the arguments (only those with a belief are compared)
    if (op === 0x00 || op === 0xe0) return [];
    return x ? [i.dst, i.src] : [i.dst];
  }
  if (cls === 1) return [i.src];
  if (cls === 3) return [i.dst, i.src];
  if (cls === 2) return [i.dst];
  return [];
}

/** The bound of a scalar belief that `v` (u64) breaks, if any. */
export function brokenBound(b: RegBelief, v: bigint): string | undefined {
  if (b.type !== 'scalar') return undefined;
  if (b.value !== undefined) return v === b.value ? undefined : 'value';
  const s = BigInt.asIntN(64, v);
  const lo = v & 0xffffffffn;
  const s32 = BigInt.asIntN(32, lo);
  if (b.smin !== undefined && s < b.smin) return 'smin';
  if (b.smax !== undefined && s > b.smax) return 'smax';
  if (b.umin !== undefined && v < b.umin) return 'umin';
  if (b.umax !== undefined && v > b.umax) return 'umax';
  if (b.s32min !== undefined && s32 < b.s32min) return 's32min';
  if (b.s32max !== undefined && s32 > b.s32max) return 's32max';
  if (b.u32min !== undefined && lo < b.u32min) return 'u32min';
  if (b.u32max !== undefined && lo > b.u32max) return 'u32max';
  if (b.varOff && (v & ~b.varOff.mask & U64) !== b.varOff.value) return 'var_off';
  return undefined;
}

interface Cand {
  seg: WalkSegment;
  pos: number;
}

/** more ways to match one run than this and the comparison stops (ambiguous) */
const MAX_CANDIDATES = 64;

/** The bound of a pointer's offset (fixed `off`, and the variable part's bounds) a concrete offset breaks. */
function brokenOffsetBound(b: RegBelief, offset: number): string | undefined {
  const variable = b.varOff !== undefined || b.smin !== undefined || b.smax !== undefined || b.umin !== undefined || b.umax !== undefined;
  if (!variable) return offset === (b.off ?? 0) ? undefined : 'off';
  const bound = brokenBound({ ...b, type: 'scalar' }, BigInt.asUintN(64, BigInt(offset - (b.off ?? 0))));
  return bound ? `var ${bound}` : undefined;
}

/** The bound of a stack-pointer belief (`fp-16`, `fp[0]-16`, `fp(off=-8,smin=...)`) a concrete frame and offset break. */
export function brokenStackBound(b: RegBelief, visitFrame: number, frame: number, offset: number): string | undefined {
  if (b.type !== 'fp') return undefined;
  if ((b.frameno ?? visitFrame) !== frame) return 'frame';
  return brokenOffsetBound(b, offset);
}

/**
 * A pointer into memory other than the stack, as the kernel's log names its type: the offset
 * from the start of a map value (`map_value`, after a NULL check), of the packet (`pkt`; the
 * packet's end is `pkt_end`) or of the ctx (`ctx`). Undefined for regions the log does not type
 * this way (the struct bpf_map object, a socket).
 */
function pointerKind(region: { name: string; bytes: { length: number } }, offset: number): { type: string; alt?: string } | undefined {
  if (/^map \d+ element \d+$/.test(region.name)) return { type: 'map_value' };
  if (region.name === 'packet') return offset === region.bytes.length ? { type: 'pkt', alt: 'pkt_end' } : { type: 'pkt' };
  if (region.name === 'ctx') return { type: 'ctx' };
  return undefined;
}

/** Follows a concrete run through the verifier's walk and compares register values on the way. */
class PathMatcher {
  private cands: Cand[] = [];
  private prevPc = -1;
  /** call stack of global-function calls: the caller's matches, the callee's depth */
  private readonly calls: Array<{ cands: Cand[]; depth: number; callPc: number }> = [];
  private readonly popped = new Map<string, WalkSegment[]>();
  private readonly roots = new Map<number, WalkSegment>();
  private readonly globalStarts: Set<number>;
  readonly report: SoundnessReport = { checked: 0, steps: 0, pruned: 0, unsound: [] };
  /** set once the run was followed past a prune point: register values are no longer compared (see resume) */
  private prunedAt: number | undefined;
  private readonly segments: readonly WalkSegment[];
  private readonly seen = new Set<string>();

  constructor(
    private readonly program: Program,
    walk: VerifierWalk,
  ) {
    this.segments = walk.segments;
    for (const s of walk.segments) {
      if (s.from) {
        const key = `${s.walk}:${s.from.insn}>${s.from.to}`;
        const list = this.popped.get(key) ?? [];
        list.push(s);
        this.popped.set(key, list);
      } else if (!this.roots.has(s.start)) this.roots.set(s.start, s);
    }
    this.globalStarts = new Set(program.funcs.filter((f) => f.linkage === 'global').map((f) => f.start));
  }

  private stop(why: string): void {
    this.report.stopped ??= why;
  }

  step(pc: number, depth: number, regs: readonly bigint[], prov: readonly (Provenance | undefined)[]): void {
    if (this.report.stopped) return;
    if (this.prevPc < 0) {
      const root = this.roots.get(pc);
      if (!root || root.walk !== 0 || root.visits.length === 0) return this.stop('the log has no walk of the main program');
      this.cands = [{ seg: root, pos: 0 }];
    } else if (!this.advance(pc, depth, regs)) return;
    if (!this.forks(pc)) return;
    this.prevPc = pc;
    this.report.steps++;
    this.check(pc, depth - (this.calls.at(-1)?.depth ?? 0), regs, prov);
  }

  /** the matches of the run's next instruction; false when the comparison stops here */
  private advance(pc: number, depth: number, regs: readonly bigint[]): boolean {
    const frame = depth - (this.calls.at(-1)?.depth ?? 0);
    const top = this.calls.at(-1);
    if (top && depth < top.depth) {
      // back from a global function: the caller's walk goes on after the call
      this.calls.pop();
      this.cands = top.cands;
      return this.follow(top.callPc, pc, frame, regs);
    }
    const prev = this.program.insns[this.prevPc];
    if (prev && prev.code === 0x85 && prev.src === 1 && this.globalStarts.has(pc)) {
      const root = this.roots.get(pc);
      if (!root || root.walk === 0 || root.visits.length === 0) {
        this.stop(`no walk of the global function at ${pc}`);
        return false;
      }
      this.calls.push({ cands: this.cands, depth, callPc: this.prevPc });
      this.cands = [{ seg: root, pos: 0 }];
      return true;
    }
    return this.follow(this.prevPc, pc, frame, regs);
  }

  /**
   * The run reached `pc` where the kernel pruned its path: go on in the walks of the states that
   * covered it (soundness-pruned.ts). From here register values are not compared (a pruned
   * state may differ from the covering one in registers that were not precise); the path is.
   */
  private resume(pc: number, frame: number, seg: WalkSegment): Cand[] | undefined {
    const covering = coveringVisits(this.segments, seg.walk, pc, frame, seg.id);
    if (covering.length === 0 || covering.length > MAX_CANDIDATES) {
      this.stop(`pruned at ${pc}`);
      return undefined;
    }
    this.report.pruned++;
    this.prunedAt = pc;
    return covering;
  }

  private follow(from: number, pc: number, frame: number, regs: readonly bigint[]): boolean {
    const next: Cand[] = [];
    const keys = new Set<string>();
    const add = (c: Cand) => {
      const k = `${c.seg.id}:${c.pos}`;
      if (!keys.has(k)) {
        keys.add(k);
        next.push(c);
      }
    };
    for (const c of this.cands) {
      const visits = c.seg.visits;
      if (c.pos + 1 < visits.length && visits[c.pos + 1]!.insn === pc) {
        add({ seg: c.seg, pos: c.pos + 1 });
        continue;
      }
      if (c.pos + 1 >= visits.length && c.seg.end === 'safe' && c.seg.safeAt === pc) {
        const covering = this.resume(pc, frame, c.seg);
        if (!covering) return false;
        covering.forEach(add);
        continue;
      }
      // the run took the side of a branch the verifier pushed and walked later
      for (const s of this.popped.get(`${c.seg.walk}:${from}>${pc}`) ?? []) {
        if (s.id <= c.seg.id) continue;
        if (s.visits.length === 0) {
          const covering = this.resume(pc, frame, s);
          if (!covering) return false;
          covering.forEach(add);
          continue;
        }
        add({ seg: s, pos: 0 });
      }
    }
    if (next.length === 0) {
      if (this.prunedAt !== undefined) this.unwalked(from, pc, regs);
      this.stop(`the run's path leaves the logged walk at ${from} -> ${pc}`);
      return false;
    }
    if (next.length > MAX_CANDIDATES) {
      this.stop(`more than ${MAX_CANDIDATES} ways to match the path at ${pc}`);
      return false;
    }
    this.cands = next;
    return true;
  }

  /**
   * After a prune, the run left every walk that could cover it: the verifier never walked the
   * way it went (a branch side it took for impossible, on values it believed the pruned state
   * shared). The finding names the branch and the register it tests, with the belief the walk
   * had there.
   */
  private unwalked(from: number, to: number, regs: readonly bigint[]): void {
    const insn = this.program.insns[from];
    if (!insn) return;
    const reg = insn.dst <= 10 ? insn.dst : 0;
    const belief = this.cands.map((c) => c.seg.visits[c.pos]!.regs.find((x) => x.reg === reg)).find((b) => b !== undefined) ?? { reg, type: 'scalar' };
    this.report.unsound.push({ insn: from, reg, value: BigInt.asUintN(64, regs[reg]!), bound: 'unwalked', belief, what: insnWhat(insn), prunedAt: this.prunedAt!, to });
  }

  /**
   * A state split at one instruction (`from X to X`: maybe_fork_scalars forks a register known
   * to be -1 or 0 before AND/OR into one path per value): the run may be on either, so both
   * are matches. False when one of them was pruned there.
   */
  private forks(pc: number): boolean {
    const keys = new Set(this.cands.map((c) => `${c.seg.id}:${c.pos}`));
    for (let i = 0; i < this.cands.length; i++) {
      const c = this.cands[i]!;
      for (const s of this.popped.get(`${c.seg.walk}:${pc}>${pc}`) ?? []) {
        if (s.id <= c.seg.id || keys.has(`${s.id}:0`)) continue;
        if (s.visits.length === 0) {
          this.stop(`pruned at ${pc}`);
          return false;
        }
        keys.add(`${s.id}:0`);
        this.cands.push({ seg: s, pos: 0 });
      }
    }
    if (this.cands.length > MAX_CANDIDATES) {
      this.stop(`more than ${MAX_CANDIDATES} ways to match the path at ${pc}`);
      return false;
    }
    return true;
  }

  /**
   * Compares each register the instruction reads with every match's belief: outside all of them
   * is unsound; outside some, those matches are not the run's path (a sound kernel's true match
   * always holds the run's values) and are dropped, so a fork or a branch the walk took twice
   * stops costing coverage at its next pruning point.
   */
  private check(pc: number, frame: number, regs: readonly bigint[], prov: readonly (Provenance | undefined)[]): void {
    const insn = this.program.insns[pc];
    if (!insn || this.prunedAt !== undefined) return;
    // a match in another frame is another call of the same function
    const consistent = this.cands.map((c) => c.seg.visits[c.pos]!.frame === frame);
    if (consistent.some((x) => x) && consistent.some((x) => !x)) this.cands = this.cands.filter((_, ci) => consistent[ci]);
    consistent.length = this.cands.length;
    consistent.fill(true);
    for (const r of readRegs(insn)) {
      if (r > 10) continue;
      const p = prov[r];
      let compare: ((b: RegBelief, visitFrame: number) => string | undefined) | undefined;
      let value = BigInt.asUintN(64, regs[r]!);
      let ptrFrame: number | undefined;
      let pointer: string | undefined;
      let want = ['scalar'];
      if (p === undefined) compare = (b) => (b.type === 'scalar' ? brokenBound(b, value) : 'type');
      else if (p.kind === 'addr' && stackDepth(p.region) !== undefined) {
        // a pointer into a stack frame: the frame and offset (frames count from the walk's own start)
        const f = stackDepth(p.region)! - (this.calls.at(-1)?.depth ?? 0);
        const offset = Number(BigInt.asIntN(64, regs[r]! - (p.region.base + BigInt(p.region.bytes.length))));
        ptrFrame = f;
        value = BigInt.asUintN(64, BigInt(offset));
        compare = (b, visitFrame) => (b.type === 'fp' ? brokenStackBound(b, visitFrame, f, offset) : 'type');
        want = ['fp'];
      } else if (p.kind === 'addr') {
        const offset = Number(BigInt.asIntN(64, regs[r]! - p.region.base));
        const kind = pointerKind(p.region, offset);
        if (kind) {
          value = BigInt.asUintN(64, BigInt(offset));
          want = kind.alt ? [kind.type, kind.alt] : [kind.type];
          pointer = kind.type;
          // the packet's end carries no offset in the log: the pointer is data_end itself
          compare = (b) => (b.type === 'pkt_end' ? undefined : b.type === kind.type ? brokenOffsetBound(b, offset) : 'type');
        }
      }
      if (!compare) continue;
      const visits = this.cands.map((c) => c.seg.visits[c.pos]!);
      const beliefs = visits.map((v) => v.regs.find((x) => x.reg === r));
      if (beliefs.some((b) => b === undefined || !want.includes(b.type))) continue;
      this.report.checked++;
      const broken = beliefs.map((b, ci) => compare!(b!, visits[ci]!.frame));
      if (broken.some((x) => x === undefined)) {
        broken.forEach((x, ci) => {
          if (x !== undefined) consistent[ci] = false;
        });
        continue;
      }
      const key = `${pc}:${r}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const bound = p === undefined ? broken[0]! : `${want[0]} ${broken[0]!}`;
      this.report.unsound.push({ insn: pc, reg: r, value, bound, belief: beliefs[0]!, what: insnWhat(insn), ...(ptrFrame !== undefined ? { frame: ptrFrame } : {}), ...(pointer ? { pointer } : {}) });
    }
    if (consistent.some((x) => x) && consistent.some((x) => !x)) this.cands = this.cands.filter((_, ci) => consistent[ci]);
  }
}

/** `stack of frame 2` → 2 */
const stackDepth = (region: { name: string }): number | undefined => {
  const m = /^stack of frame (\d+)$/.exec(region.name);
  return m ? Number(m[1]) : undefined;
};

/**
 * Runs the program in the interpreter and compares every register an instruction reads with
 * what the kernel's level-2 log says the verifier believed there. `stackArgReg` is the
 * profile's stack-argument register (11 on 7.2).
 */
export function checkSoundness(program: Program, log: string, stackArgReg: number, maxSteps = 1_000_000): SoundnessReport {
  const matcher = new PathMatcher(program, parseVerifierWalk(log));
  try {
    execute(program, program.input, { stackArgReg, maxSteps, onStep: (pc, depth, regs, prov) => matcher.step(pc, depth, regs, prov) });
  } catch (e) {
    matcher.report.stopped ??= `the run stopped: ${e instanceof Error ? e.message : String(e)}`;
  }
  return matcher.report;
}

/** One line a person reads: `insn 37 (alu64 add): R3 = 0x1ff, kernel believed umax=255` */
export function describeUnsound(u: UnsoundValue): string {
  const b = u.belief;
  if (u.bound === 'unwalked') {
    return `insn ${u.insn} (${u.what}): the run goes on to insn ${u.to} with R${u.reg} = 0x${u.value.toString(16)}, a way the verifier never walked from the states it pruned against at insn ${u.prunedAt}`;
  }
  const field: Record<string, bigint | undefined> = { value: b.value, smin: b.smin, smax: b.smax, umin: b.umin, umax: b.umax, s32min: b.s32min, s32max: b.s32max, u32min: b.u32min, u32max: b.u32max };
  if (u.frame !== undefined) {
    const off = BigInt.asIntN(64, u.value);
    const b2 = u.belief;
    return `insn ${u.insn} (${u.what}): R${u.reg} = fp[${u.frame}]${off < 0n ? '' : '+'}${off}, kernel believed fp${b2.frameno !== undefined ? `[${b2.frameno}]` : ''}${b2.off ?? ''}${b2.smin !== undefined || b2.varOff ? ' with a variable part' : ''}`;
  }
  if (u.pointer) {
    const off = BigInt.asIntN(64, u.value);
    const parts = [b.off !== undefined ? `off=${b.off}` : '', ...['smin', 'smax', 'umin', 'umax'].flatMap((k) => (field[k] !== undefined ? [`${k}=${fmt(field[k])}`] : [])), b.varOff ? `var_off=(0x${b.varOff.value.toString(16)}; 0x${b.varOff.mask.toString(16)})` : ''].filter(Boolean);
    return `insn ${u.insn} (${u.what}): R${u.reg} = ${u.pointer}${off < 0n ? '' : '+'}${off}, kernel believed ${b.type}(${parts.join(',')})`;
  }
  const believed = u.bound === 'var_off' ? `var_off=(0x${b.varOff!.value.toString(16)}; 0x${b.varOff!.mask.toString(16)})` : `${u.bound}=${fmt(field[u.bound])}`;
  return `insn ${u.insn} (${u.what}): R${u.reg} = 0x${u.value.toString(16)}, kernel believed ${believed}`;
}

function fmt(v: bigint | undefined): string {
  if (v === undefined) return '?';
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}
