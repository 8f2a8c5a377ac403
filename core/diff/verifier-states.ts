// What the kernel's verifier believed about each register at each instruction, read back from
// its log at level 2 (BPF_LOG_LEVEL2). The kernel prints (kernel/bpf/verifier.c do_check,
// kernel/bpf/log.c print_verifier_state / print_insn_state):
//   - the full state of the current frame where a path starts (`0: R1=ctx() R10=fp0`, and
//     `from X to Y: ...` when a pushed branch is popped or after a return from a subprogram),
//   - after each instruction only the registers it touched (`N: (op) insn ; R0=... R6=...`,
//     or on a line of its own, `N: frame1: R7=...`, when something was printed in between),
//   - the caller's and callee's full frames at a call (`caller:` / `callee:`) and at a return
//     (`returning from callee:` / `to caller at N:`),
//   - `N: safe` / `from X to Y: safe` where a path is pruned (an earlier state covers it).
// Registers that become NOT_INIT are never printed; the reconstruction clears R0-R5 after a
// helper or kfunc call (check_helper_call / check_kfunc_call clear the caller-saved registers;
// R0 is left out unless printed) and after a call to a global function (`... is global and
// assumed valid`). Before the walk, 7.2+ logs list the program several times (the stack
// liveness and use/def passes); the walk starts at the first `N: R...` state line.
// 6.12 marks liveness on register names (`R1_w=`); 7.3 appends a report after a reject.

export interface RegBelief {
  reg: number;
  /** `scalar` (constants too), `fp` (stack pointer), else the kernel's name: ctx, map_value, pkt, pkt_end, map_value_or_null, ... */
  type: string;
  /** a constant scalar's value as u64 */
  value?: bigint;
  smin?: bigint;
  smax?: bigint;
  umin?: bigint;
  umax?: bigint;
  s32min?: bigint;
  s32max?: bigint;
  u32min?: bigint;
  u32max?: bigint;
  varOff?: { value: bigint; mask: bigint };
  /** a pointer's fixed offset (`off=`, or the offset of `fp-16`) */
  off?: number;
  /** marked precise (`P`) */
  precise?: boolean;
  /** `id=` (scalar links, pointer ids) */
  id?: number;
  /** the frame a stack pointer points into when not the register's own (`fp[0]-16`) */
  frameno?: number;
}

export interface InsnBelief {
  insn: number;
  frame: number;
  /** full state BEFORE the insn on this path, sorted by register */
  regs: RegBelief[];
  /** index of the path (segment of the walk) this visit belongs to, in VerifierWalk.segments */
  path?: number;
}

/** One stretch of the verifier's depth-first walk: from where a path starts to where it ends. */
export interface WalkSegment {
  id: number;
  /** the walk it belongs to: 0 = main program, then one per global function (`Validating f() func#N...`) */
  walk: number;
  /** insn of the first visit (for a popped branch: `to`) */
  start: number;
  /** set for a popped branch: `from X to Y` */
  from?: { insn: number; to: number };
  visits: InsnBelief[];
  /** exit: the path ran to the program's (or global function's) exit; safe: pruned at `safeAt`; open: anything else (a reject, a cut log) */
  end: 'exit' | 'safe' | 'open';
  safeAt?: number;
}

export interface VerifierWalk {
  segments: WalkSegment[];
  /** insn where each walk starts (walk 0: main, 0) */
  walkStarts: number[];
}

const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const S32_MIN = -(1n << 31n);
const S32_MAX = (1n << 31n) - 1n;
const U32_MAX = (1n << 32n) - 1n;

function parseNum(text: string): bigint | undefined {
  if (/^-?0x[0-9a-f]+$/i.test(text)) return text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
  if (/^-?\d+$/.test(text)) return BigInt(text);
  return undefined;
}

/** every bound filled in: what the kernel prints leaves out the ones at their type's limits */
function unknownScalar(reg: number): RegBelief {
  return { reg, type: 'scalar', smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX, s32min: S32_MIN, s32max: S32_MAX, u32min: 0n, u32max: U32_MAX, varOff: { value: 0n, mask: U64_MAX } };
}

function constScalar(reg: number, v: bigint): RegBelief {
  const u = BigInt.asUintN(64, v);
  const lo = BigInt.asUintN(32, u);
  return {
    reg,
    type: 'scalar',
    value: u,
    smin: BigInt.asIntN(64, u),
    smax: BigInt.asIntN(64, u),
    umin: u,
    umax: u,
    s32min: BigInt.asIntN(32, lo),
    s32max: BigInt.asIntN(32, lo),
    u32min: lo,
    u32max: lo,
    varOff: { value: u, mask: 0n },
  };
}

/** splits `a=1,b=(0x0; 0xff),c` at top-level commas */
function splitAttrs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

const RANGE_FIELDS: Record<string, { key: keyof RegBelief; conv: (v: bigint) => bigint }> = {
  smin: { key: 'smin', conv: (v) => BigInt.asIntN(64, v) },
  smax: { key: 'smax', conv: (v) => BigInt.asIntN(64, v) },
  umin: { key: 'umin', conv: (v) => BigInt.asUintN(64, v) },
  umax: { key: 'umax', conv: (v) => BigInt.asUintN(64, v) },
  smin32: { key: 's32min', conv: (v) => BigInt.asIntN(32, v) },
  smax32: { key: 's32max', conv: (v) => BigInt.asIntN(32, v) },
  umin32: { key: 'u32min', conv: (v) => BigInt.asUintN(32, v) },
  umax32: { key: 'u32max', conv: (v) => BigInt.asUintN(32, v) },
};

function applyAttr(b: RegBelief, attr: string): void {
  const varOff = /^var_off=\((0x[0-9a-f]+|-?\d+); (0x[0-9a-f]+|\d+)\)$/i.exec(attr);
  if (varOff) {
    b.varOff = { value: BigInt.asUintN(64, parseNum(varOff[1]!)!), mask: BigInt.asUintN(64, parseNum(varOff[2]!)!) };
    return;
  }
  const id = /^id=(\d+)([+-]\d+)?$/.exec(attr);
  if (id) {
    b.id = Number(id[1]);
    return;
  }
  // `smin=umin=smin32=5`: every name but the last takes the value
  const parts = attr.split('=');
  const value = parseNum(parts[parts.length - 1]!);
  if (value === undefined) return;
  for (const name of parts.slice(0, -1)) {
    const f = RANGE_FIELDS[name];
    if (f) (b as unknown as Record<string, bigint>)[f.key] = f.conv(value);
    else if (name === 'off') b.off = Number(BigInt.asIntN(64, value));
    else if (name === 'imm') b.varOff = { value: BigInt.asUintN(64, value), mask: 0n };
  }
}

/** One register's printed state (`P0x5`, `scalar(smin=0,...)`, `fp-16`, `fp[0]-16`, `ctx()`, `map_value(ks=4,vs=8)`). */
export function parseRegState(reg: number, text: string): RegBelief {
  let t = text;
  // only a scalar carries the mark, and no type name starts with a capital
  const precise = t.startsWith('P') ? true : undefined;
  if (precise) t = t.slice(1);
  const num = parseNum(t);
  if (num !== undefined) return { ...constScalar(reg, num), ...(precise ? { precise } : {}) };
  const fp = /^fp(?:\[(\d+)\])?(-?\d+|-?0x[0-9a-f]+)$/i.exec(t);
  if (fp) {
    const b: RegBelief = { reg, type: 'fp', off: Number(parseNum(fp[2]!)!) };
    if (fp[1] !== undefined) b.frameno = Number(fp[1]);
    return b;
  }
  const m = /^([a-z_][a-z0-9_]*)(?:\[(\d+)\])?\((.*)\)$/i.exec(t);
  if (!m) return { reg, type: t };
  const b: RegBelief = m[1] === 'scalar' ? unknownScalar(reg) : { reg, type: m[1]! };
  if (m[2] !== undefined) b.frameno = Number(m[2]);
  for (const attr of splitAttrs(m[3]!)) applyAttr(b, attr);
  if (precise) b.precise = true;
  return b;
}

interface StateText {
  frame?: number;
  regs: RegBelief[];
}

/** ` frame1: R1=fp[0]-16 R10=fp0 fp-8=ctx() refs=1` → frame 1 and its registers (stack slots are skipped) */
export function parseStateText(text: string): StateText {
  const out: StateText = { regs: [] };
  const frame = /^\s*frame(\d+):/.exec(text);
  let rest = text;
  if (frame) {
    out.frame = Number(frame[1]);
    rest = text.slice(frame[0].length);
  }
  // tokens separated by spaces outside parentheses
  let depth = 0;
  let cur = '';
  const tokens: string[] = [];
  for (const ch of rest) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (/\s/.test(ch) && depth === 0) {
      if (cur) tokens.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) tokens.push(cur);
  for (const tok of tokens) {
    const r = /^R(\d+)(?:_[rwD]+)?=(.*)$/.exec(tok);
    if (r) out.regs.push(parseRegState(Number(r[1]), r[2]!));
  }
  return out;
}

const INSN_LINE = /^(\d+): \(([0-9a-f]{2})\) (.*?)(?:\s+;(.*))?$/;
const STATE_LINE = /^(\d+):((?: frame\d+:)?(?: .*)?)$/;
const FROM_LINE = /^from (\d+) to (\d+)(?: \(speculative execution\))?:(.*)$/;

/** Reads a level-2 log line by line into the walk's segments (one instance per log). */
class WalkReader {
  readonly segments: WalkSegment[] = [];
  readonly walkStarts: number[] = [];
  private readonly frames = new Map<number, Map<number, RegBelief>>();
  private cur = 0;
  private seg: WalkSegment | undefined;
  private walk = -1;
  private started = false;
  private walkPending = false;
  /** a block header whose next line is a full frame state */
  private pending: 'caller' | 'callee' | 'returning' | 'tocaller' | undefined;
  /** after `to caller at N:`, the kernel prints the caller's state as `from EXIT to N` on the same path */
  private returnTo: number | undefined;
  done = false;

  private frameRegs(f: number): Map<number, RegBelief> {
    let m = this.frames.get(f);
    if (!m) this.frames.set(f, (m = new Map()));
    return m;
  }

  private setFull(st: StateText): void {
    const f = st.frame ?? 0;
    this.frames.set(f, new Map(st.regs.map((r) => [r.reg, r])));
    this.cur = f;
  }

  private applyDelta(st: StateText): void {
    const f = st.frame ?? 0;
    if (f !== this.cur && !this.frames.has(f)) this.frames.set(f, new Map());
    this.cur = f;
    const m = this.frameRegs(f);
    for (const r of st.regs) m.set(r.reg, r);
  }

  private newSegment(start: number, from?: { insn: number; to: number }): WalkSegment {
    this.seg = { id: this.segments.length, walk: this.walk, start, visits: [], end: 'open', ...(from ? { from } : {}) };
    this.segments.push(this.seg);
    return this.seg;
  }

  private clearCallerSaved(): void {
    const m = this.frameRegs(this.cur);
    for (let r = 0; r <= 5; r++) m.delete(r);
  }

  line(line: string): void {
    // precision backtracking, about half of a 7.2 log: no state of the walk in it
    if (line.startsWith('mark_precise')) return;
    if (!this.started) {
      if (!/^\d+: (?:frame\d+: )?R\d+/.test(line)) return;
      this.started = true;
      this.walk = 0;
      this.walkPending = true;
    }
    if (this.pending) {
      const kind = this.pending;
      this.pending = undefined;
      if (line.startsWith(' ')) {
        const st = parseStateText(line);
        // `returning from callee:` shows the callee's last frame: nothing to keep
        if (kind === 'caller') this.frames.set(st.frame ?? 0, new Map(st.regs.map((r) => [r.reg, r])));
        else if (kind !== 'returning') this.setFull(st);
        return;
      }
    }
    if (line.startsWith('processed ')) {
      this.done = true;
      return;
    }
    if (/^Validating \S+\(\) func#\d+\.\.\.$/.test(line)) {
      this.walk++;
      this.walkPending = true;
      this.seg = undefined;
      this.frames.clear();
      return;
    }
    const insn = INSN_LINE.exec(line);
    if (insn) return this.insnLine(Number(insn[1]), insn[2]!, insn[3]!, insn[4]);
    const safe = /^(\d+): safe$/.exec(line);
    if (safe) {
      if (this.seg) Object.assign(this.seg, { end: 'safe', safeAt: Number(safe[1]) });
      return;
    }
    const from = FROM_LINE.exec(line);
    if (from) return this.fromLine(Number(from[1]), Number(from[2]), from[3]!);
    const state = STATE_LINE.exec(line);
    if (state && (state[2] === '' || /^ (frame\d+:|R\d+)/.test(state[2]!))) {
      const st = parseStateText(state[2]!);
      if (!this.walkPending) return this.applyDelta(st);
      this.walkPending = false;
      this.walkStarts.push(Number(state[1]));
      this.frames.clear();
      this.setFull(st);
      this.newSegment(Number(state[1]));
      return;
    }
    const to = /^to caller at (\d+):$/.exec(line);
    if (line === 'caller:') this.pending = 'caller';
    else if (line === 'callee:') this.pending = 'callee';
    else if (line === 'returning from callee:') this.pending = 'returning';
    else if (to) {
      this.pending = 'tocaller';
      this.returnTo = Number(to[1]);
    } else if (/^Func#\d+ \('.*'\) is global and assumed valid\.$/.test(line)) this.clearCallerSaved();
  }

  private insnLine(idx: number, code: string, text: string, delta: string | undefined): void {
    const seg = this.seg ?? this.newSegment(idx);
    const regs = [...this.frameRegs(this.cur).values()].sort((a, b) => a.reg - b.reg);
    seg.visits.push({ insn: idx, frame: this.cur, regs, path: seg.id });
    // a helper or kfunc call (not `call pc+N`): R0-R5 are rewritten, R0 printed only sometimes
    if (code === '85' && !/^call pc[+-]/.test(text)) this.clearCallerSaved();
    // the register an instruction writes (`r9 &= ...`, `w7 = (s8)w9`, `r0 = *(u64 *)...`) is
    // dropped unless printed after it: 7.2 does not always print it (an ALU op on a constant
    // its constant-folding pass knows), and the old belief would be stale
    const written = /^[rw](\d+) \S*= /.exec(text);
    if (written) this.frameRegs(this.cur).delete(Number(written[1]));
    if (delta !== undefined) this.applyDelta(parseStateText(delta));
    if (code === '95' && this.cur === 0) seg.end = 'exit';
  }

  private fromLine(x: number, y: number, rest: string): void {
    const continues = this.returnTo === y && this.seg !== undefined;
    this.returnTo = undefined;
    if (rest.trim() === 'safe') {
      if (continues) {
        // pruned right where the subprogram returned: the same path ends
        Object.assign(this.seg!, { end: 'safe', safeAt: y });
      } else Object.assign(this.newSegment(y, { insn: x, to: y }), { end: 'safe', safeAt: y });
      this.seg = undefined;
      return;
    }
    const st = parseStateText(rest);
    if (!continues) {
      // a popped branch: only its own frame is printed; the callers' come back at the return
      for (const f of [...this.frames.keys()]) if (f !== (st.frame ?? 0)) this.frames.delete(f);
      this.newSegment(y, { insn: x, to: y });
    }
    this.setFull(st);
  }
}

/** The level-2 log as the verifier's walk: paths (segments) of instruction visits with full states. */
export function parseVerifierWalk(log: string): VerifierWalk {
  const reader = new WalkReader();
  for (const line of log.split('\n')) {
    reader.line(line);
    if (reader.done) break;
  }
  return { segments: reader.segments, walkStarts: reader.walkStarts };
}

/** Every instruction visit of the level-2 log with the full register state before it, in walk order. */
export function parseVerifierStates(log: string): InsnBelief[] {
  return parseVerifierWalk(log).segments.flatMap((s) => s.visits);
}
