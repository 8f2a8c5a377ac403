// Random multi-argument call graphs, valid by construction: a DAG of functions (no recursion)
// passing 0..12 arguments (scalars, pointers to the caller's stack, the ctx), each function
// folding every argument it receives into a checksum in r6 that reaches main's r0, so a
// mis-passed argument changes the test run's retval. A program may carry one mutation that
// breaks exactly one kernel rule (mutations.ts).
import type { Linkage, Program, ProgType } from '../program/index.ts';
import { Prng } from './prng.ts';
import { resolveGenOptions, type GenOptions } from './options.ts';
import { MUTATION_RULES, type MutationKind } from './mutations.ts';
import { ALU, E, JMP, R_FP, R_PARAMS, lower, tagged, type FuncIr, type Op, type SizeName } from './ir.ts';
import { expectedMessage } from './expect.ts';

export const GENERATOR_ID = 'bpfdiff-gen/2';

export type ArgKind = 'scalar' | 'stack' | 'ctx';

interface FuncPlan {
  index: number;
  name: string;
  level: number;
  args: number;
  linkage: Linkage;
  kinds: ArgKind[];
  parent: number;
  edges: Array<{ callee: number; sites: number; tree: boolean }>;
  hasCtx: boolean;
  /** 8-byte frame slots this function may use */
  slots: number;
}

interface SitePlan {
  id: number;
  caller: number;
  callee: number;
  /** must sit at the top level of the caller (not in a branch), so the walk surely reaches it */
  topLevel: boolean;
}

/** A u32 field of the ctx whose value the test run fixes, per program type. */
const CTX_SCALAR_FIELD: Record<ProgType, number> = {
  socket_filter: 0, // __sk_buff.len
  sched_cls: 0, // __sk_buff.len
  xdp: 16, // xdp_md.rx_queue_index
};

const W = [7, 8, 9] as const; // working registers, callee-saved
const CHECKSUM = 6;

const EDGE_IMM32 = [0, 1, -1, 0x7fffffff, -0x80000000, 2, 8, 64, 0x100, 0x10000, 0x40000000, -2, -8, 0xffff, 0x7f, -0x80];
const EDGE_IMM64: Array<[number, number]> = [
  [0, 0x80000000 | 0], // INT64_MIN
  [-1, 0x7fffffff], // INT64_MAX
  [-1, 0], // 0xffffffff
  [0, 1], // 2^32
  [-1, -1], // -1
  [0, 0x40000000], // 2^62
  [1, 0x80000000 | 0],
];

/** Mutations that need main's first callee to take stack arguments. */
const NEEDS_STACK_ARG_CALLEE = new Set<MutationKind>([
  'missing-stack-arg-store', 'call-between-store-and-call', 'no-restore-after-call', 'missing-store-after-unreliable',
  'load-after-store', 'load-after-call', 'too-many-args', 'global-many-args',
]);

export interface GeneratedProgramMeta {
  generator: string;
  seed: number;
  index: number;
  mutation?: MutationKind;
  /** the kernel function whose rule the mutation breaks */
  rule?: string;
  /** regular expression (source) for the reason line the 7.2 verifier prints */
  expect?: string;
}

/** Program `index` of the campaign `seed`; the same arguments give the same bytes everywhere. */
/** frames in the chain of a too-deep program: one more than the largest MAX_CALL_FRAMES (16) */
const TOO_DEEP_FRAMES = 17;

export function generateProgram(seed: number, index: number, options: Partial<GenOptions> | GenOptions = {}): Program {
  const opts = resolveGenOptions(options);
  const rng = Prng.forProgram(seed, index);
  let mutation: MutationKind | undefined = rng.chance(opts.mutationRate) ? rng.pick(opts.mutations) : undefined;
  const gen = new ProgramBuilder(rng, opts, mutation);
  const built = gen.build();
  mutation = built.mutation;
  const meta: GeneratedProgramMeta = { generator: GENERATOR_ID, seed, index };
  if (mutation) {
    meta.mutation = mutation;
    meta.rule = MUTATION_RULES[mutation].rule;
    meta.expect = built.expect;
  }
  const { insns, funcs } = lower(built.funcs);
  return {
    progType: opts.progType,
    insns,
    funcs,
    maps: [],
    input: new Uint8Array(64),
    meta: { ...meta },
  };
}

/** `count` programs starting at `first`, for batch use. */
export function generatePrograms(seed: number, count: number, options: Partial<GenOptions> = {}, first = 0): Program[] {
  const opts = resolveGenOptions(options);
  const out: Program[] = [];
  for (let i = 0; i < count; i++) out.push(generateProgram(seed, first + i, opts));
  return out;
}

class ProgramBuilder {
  private plans: FuncPlan[] = [];
  private sites: SitePlan[] = [];
  private nextLabel = 1;
  private expect = '';

  constructor(
    private readonly rng: Prng,
    private readonly opts: GenOptions,
    private mutation: MutationKind | undefined,
  ) {}

  build(): { funcs: FuncIr[]; mutation?: MutationKind; expect: string } {
    this.planGraph();
    const funcs = this.plans.map((p) => this.body(p));
    if (this.mutation) this.applyMutation(funcs, this.mutation);
    return { funcs, mutation: this.mutation, expect: this.expect };
  }

  // ---- call graph -------------------------------------------------------------------------

  private planGraph(): void {
    const { rng, opts } = this;
    let n = rng.int(opts.funcs[0], opts.funcs[1]);
    const m = this.mutation;
    if (m && (NEEDS_STACK_ARG_CALLEE.has(m) || m === 'scalar-deref' || m === 'too-much-stack' || m === 'extra-stack-arg-store')) n = Math.max(n, 2);
    // 6.12 allows 8 frames, 7.2 and later 16 (MAX_CALL_FRAMES): a chain of up to `maxFrames` is
    // valid where the profile allows it, and the too-deep mutation passes every profile's limit.
    let maxFrames = Math.min(opts.maxFrames, 16);
    if (m === 'too-deep') {
      maxFrames = TOO_DEEP_FRAMES;
      n = Math.max(n, TOO_DEEP_FRAMES);
    } else if (m) {
      maxFrames = Math.min(maxFrames, 8);
    }
    const cap = Math.min(n, maxFrames);
    let frames = m === 'too-deep' ? TOO_DEEP_FRAMES : rng.int(Math.max(1, Math.ceil(cap / 2)), cap);
    if (n >= 2) frames = Math.max(frames, 2);

    // Levels: a spine main→f1→…→f(frames-1) fixes the depth; the rest hang below random levels.
    const levels: number[] = [];
    for (let i = 0; i < frames; i++) levels.push(i);
    for (let i = frames; i < n; i++) levels.push(rng.int(1, frames - 1));
    const order = levels.map((level, i) => ({ level, spine: i < frames, i })).sort((a, b) => a.level - b.level || Number(b.spine) - Number(a.spine) || a.i - b.i);
    const stackBytes = Math.min(128, Math.floor(512 / frames / 16) * 16);

    this.plans = order.map((o, index) => ({
      index,
      name: index === 0 ? 'main' : `f${index}`,
      level: o.level,
      args: 0,
      linkage: 'static' as Linkage,
      kinds: [],
      parent: -1,
      edges: [],
      hasCtx: index === 0,
      slots: stackBytes / 8,
    }));
    const byLevel = (l: number): FuncPlan[] => this.plans.filter((p) => p.level === l);
    for (const p of this.plans.slice(1)) {
      // The spine node of the previous level comes first among its level (sort order above).
      const parents = byLevel(p.level - 1);
      const isSpine = order[p.index].spine;
      const parent = isSpine ? parents[0] : rng.pick(parents);
      p.parent = parent.index;
      parent.edges.push({ callee: p.index, sites: 1, tree: true });
    }
    // Fan-in: extra callers from any lower level.
    for (const p of this.plans.slice(1)) {
      if (!rng.chance(opts.fanRate)) continue;
      const candidates = this.plans.filter((c) => c.level < p.level && c.index !== p.parent && !c.edges.some((e) => e.callee === p.index));
      if (candidates.length > 0) rng.pick(candidates).edges.push({ callee: p.index, sites: 1, tree: false });
    }
    for (const p of this.plans) for (const e of p.edges) e.sites = rng.int(opts.callSites[0], opts.callSites[1]);

    this.planSignatures();
    this.boundPaths();

    // Sites: the tree edge's first site is top-level so every function is surely walked.
    for (const p of this.plans) {
      for (const e of p.edges) {
        for (let s = 0; s < e.sites; s++) this.sites.push({ id: this.sites.length, caller: p.index, callee: e.callee, topLevel: e.tree && s === 0 });
      }
    }
  }

  private planSignatures(): void {
    const { rng, opts } = this;
    const m = this.mutation;
    for (const p of this.plans) {
      if (p.index === 0) {
        p.args = 1;
        p.kinds = ['ctx'];
        continue;
      }
      p.args = rng.weighted(opts.argWeights);
      if (p.args <= 5 && rng.chance(opts.globalRate)) p.linkage = 'global';
    }
    const f1 = this.plans[1];
    if (f1 && m) {
      if (NEEDS_STACK_ARG_CALLEE.has(m)) {
        f1.linkage = 'static';
        if (f1.args < 6) f1.args = rng.int(6, 12);
      }
      if (m === 'too-many-args') f1.args = 12;
      if (m === 'global-many-args') f1.linkage = 'global';
      if (m === 'scalar-deref') {
        f1.linkage = 'static';
        f1.args = Math.max(1, f1.args);
      }
    }
    // Pointer kinds: ctx only where every caller holds the ctx; at most two pointers per function.
    for (const p of this.plans.slice(1)) {
      const callers = this.plans.filter((c) => c.edges.some((e) => e.callee === p.index));
      const ctxOk = callers.every((c) => c.hasCtx);
      let pointers = 0;
      p.kinds = [];
      for (let i = 0; i < p.args; i++) {
        let kind: ArgKind = 'scalar';
        if (p.linkage === 'static' && pointers < 2 && rng.chance(opts.pointerArgRate)) {
          kind = ctxOk && rng.chance(0.35) ? 'ctx' : 'stack';
          pointers++;
        }
        p.kinds.push(kind);
      }
      const scalarOnly = m && p.index === 1 && (m === 'missing-stack-arg-store' || m === 'call-between-store-and-call' || m === 'no-restore-after-call' || m === 'load-after-store' || m === 'load-after-call' || m === 'too-many-args');
      if (scalarOnly || p.linkage === 'global') p.kinds = p.kinds.map(() => 'scalar');
      if (m && p.index === 1 && (m === 'scalar-deref' || m === 'missing-store-after-unreliable')) {
        const at = p.args > 5 && rng.chance(0.6) ? rng.int(5, p.args - 1) : rng.int(0, Math.min(p.args, 5) - 1);
        p.kinds = p.kinds.map((k) => (k === 'ctx' ? 'scalar' : k));
        p.kinds[at] = 'stack';
      }
      p.hasCtx = p.kinds.includes('ctx');
    }
  }

  /** Keeps the number of call paths the verifier walks small: each static callee is walked once per path. */
  private boundPaths(): void {
    const LIMIT = 48;
    for (let round = 0; round < 40; round++) {
      const paths = this.plans.map(() => 0);
      paths[0] = 1;
      for (const p of this.plans) {
        if (p.linkage === 'global') paths[p.index] = Math.max(paths[p.index], 1);
        for (const e of p.edges) if (this.plans[e.callee].linkage !== 'global') paths[e.callee] += paths[p.index] * e.sites;
      }
      const worst = paths.reduce((a, b) => Math.max(a, b), 0);
      if (worst <= LIMIT) return;
      // Trim the heaviest multi-site edge, or drop a non-tree edge.
      const all = this.plans.flatMap((p) => p.edges.map((e) => ({ p, e })));
      const multi = all.filter(({ e }) => e.sites > 1).sort((a, b) => paths[b.p.index] * b.e.sites - paths[a.p.index] * a.e.sites);
      if (multi.length > 0) {
        multi[0].e.sites--;
        continue;
      }
      const extra = all.filter(({ e }) => !e.tree);
      if (extra.length === 0) return;
      const victim = extra[extra.length - 1];
      victim.p.edges = victim.p.edges.filter((e) => e !== victim.e);
    }
  }

  // ---- bodies -----------------------------------------------------------------------------

  private label(): number {
    return this.nextLabel++;
  }

  private body(p: FuncPlan): FuncIr {
    const fb = new FuncBody(this, p, this.rng, this.opts);
    return { name: p.name, args: p.args, linkage: p.linkage, ops: fb.build(this.sites.filter((s) => s.caller === p.index)) };
  }

  newLabel(): number {
    return this.label();
  }

  plan(i: number): FuncPlan {
    return this.plans[i];
  }

  // ---- mutations --------------------------------------------------------------------------

  private applyMutation(funcs: FuncIr[], m: MutationKind): void {
    const { rng } = this;
    const main = funcs[0];
    const f1 = this.plans[1];
    const treeSite = f1 ? this.sites.find((s) => s.caller === 0 && s.callee === 1 && s.topLevel) : undefined;
    const siteOps = (f: FuncIr, site: number): { stores: number[]; regMark: number; call: number } => {
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
    };
    const exitAt = (f: FuncIr): number => f.ops.findIndex((op) => op.kind === 'mark' && op.tag.role === 'exitBegin');
    const entryEnd = (f: FuncIr): number => f.ops.findIndex((op) => op.kind === 'mark' && op.tag.role === 'entryEnd');
    const reached = (): number => rng.int(0, funcs.length - 1); // every function is walked (tree sites are top-level)
    const expect = (s: string): void => {
      this.expect = s;
    };
    const n1 = f1?.args ?? 0;

    switch (m) {
      case 'missing-stack-arg-store': {
        const { stores } = siteOps(main, treeSite!.id);
        const drop = rng.pick(stores);
        const slot = (main.ops[drop] as { tag: { slot: number } }).tag.slot;
        main.ops.splice(drop, 1);
        expect(expectedMessage.missingStore(n1, slot));
        break;
      }
      case 'call-between-store-and-call': {
        const { regMark } = siteOps(main, treeSite!.id);
        main.ops.splice(regMark, 0, E.callHelper(rng.pick(this.opts.helpers)));
        expect(expectedMessage.missingStore(n1, 1));
        break;
      }
      case 'no-restore-after-call':
      case 'missing-store-after-unreliable': {
        const { regMark, call } = siteOps(main, treeSite!.id);
        const again: Op[] = main.ops.slice(regMark + 1, call).map((op) => ({ ...op, tag: undefined }) as Op);
        if (m === 'no-restore-after-call') {
          main.ops.splice(call + 1, 0, ...again, E.call(1), ...FuncBody.foldOps(rng, 0));
          expect(expectedMessage.missingStore(n1, 1));
        } else {
          // A fresh caller that never stored a stack argument calls f1, whose BTF the first
          // call (passing a pointer where BTF says int) marked unreliable.
          const setup: Op[] = [];
          for (let r = 1; r <= Math.min(n1, 5); r++) setup.push(E.movImm(r, rng.pick(EDGE_IMM32)));
          const probeIndex = funcs.length;
          funcs.push({ name: `f${probeIndex}`, args: 0, linkage: 'static', ops: [E.movImm(CHECKSUM, 0), ...setup, E.call(1), E.movReg(0, 0), E.exit()] });
          const probeCall: Op[] = [E.call(probeIndex), ...FuncBody.foldOps(rng, 0)];
          main.ops.splice(call + 1, 0, ...probeCall);
          expect(expectedMessage.missingStore(n1, 1));
          // The 7.2 kernel skips the check for unreliable BTF; what follows is what to watch.
          this.expect = `${this.expect}|R\\d+ !read_ok`;
        }
        break;
      }
      case 'extra-stack-arg-store': {
        // The function with the fewest outgoing slots needed, so one more still fits in 7.
        let best = 0;
        let bestNeed = 99;
        funcs.forEach((_, i) => {
          const need = this.outgoingNeed(i);
          if (need < bestNeed) {
            best = i;
            bestNeed = need;
          }
        });
        const f = funcs[best];
        const slot = rng.int(bestNeed + 1, 7);
        const at = exitAt(f);
        f.ops.splice(at, 0, rng.chance(0.5) ? E.st('u64', R_PARAMS, -8 * slot, rng.pick(EDGE_IMM32)) : E.stx('u64', R_PARAMS, -8 * slot, rng.pick(W)));
        expect(expectedMessage.extraStore(best, slot));
        break;
      }
      case 'load-after-store': {
        const f = funcs[1];
        const at = exitAt(f);
        f.ops.splice(at, 0, E.st('u64', R_PARAMS, -8, 1), E.ldx('u64', 0, R_PARAMS, 8), E.movImm(0, 0));
        expect(expectedMessage.loadAfter());
        break;
      }
      case 'load-after-call': {
        const f = funcs[1];
        const at = exitAt(f);
        f.ops.splice(at, 0, E.callHelper(rng.pick(this.opts.helpers)), E.ldx('u64', 0, R_PARAMS, 8 * rng.int(1, n1 - 5)), E.movImm(0, 0));
        expect(expectedMessage.loadAfter());
        break;
      }
      case 'load-past-incoming': {
        const fi = reached();
        const f = funcs[fi];
        const incoming = Math.max(0, f.args - 5);
        const at = entryEnd(f);
        // Right after the entry's own r11 loads, before any store or call.
        const slot = incoming + rng.int(1, 2);
        f.ops.splice(at, 0, E.ldx('u64', 0, R_PARAMS, 8 * slot));
        expect(expectedMessage.readPast(8 * slot, 8 * incoming));
        break;
      }
      case 'store-past-max': {
        const f = funcs[reached()];
        const off = -8 * rng.int(8, 10);
        f.ops.splice(exitAt(f), 0, rng.chance(0.5) ? E.st('u64', R_PARAMS, off, 7) : E.stx('u64', R_PARAMS, off, rng.pick(W)));
        expect(expectedMessage.writePastMax(off));
        break;
      }
      case 'r11-bad-offset': {
        const f = funcs[reached()];
        const variants: Op[] = [
          E.stx('u64', R_PARAMS, -8 * rng.int(1, 7) + rng.pick([-4, -2, 3]), rng.pick(W)),
          E.st('u64', R_PARAMS, 8 * rng.int(1, 7), 1),
          E.stx('u64', R_PARAMS, 0, rng.pick(W)),
          E.ldx('u64', 0, R_PARAMS, -8 * rng.int(1, 7)),
          E.ldx('u64', 0, R_PARAMS, 8 * rng.int(1, 7) + 4),
          E.ldx('u64', 0, R_PARAMS, 0),
        ];
        f.ops.splice(exitAt(f), 0, rng.pick(variants), E.movImm(0, 0));
        expect(expectedMessage.r11Invalid());
        break;
      }
      case 'r11-wrong-size': {
        const f = funcs[reached()];
        const size = rng.pick<SizeName>(['u32', 'u16', 'u8']);
        const variants: Op[] = [
          E.stx(size, R_PARAMS, -8 * rng.int(1, 7), rng.pick(W)),
          E.st(size, R_PARAMS, -8 * rng.int(1, 7), 3),
          E.ldx(size, 0, R_PARAMS, 8 * rng.int(1, 7)),
          E.atomicAdd(R_PARAMS, -8, rng.pick(W)),
        ];
        f.ops.splice(exitAt(f), 0, rng.pick(variants), E.movImm(0, 0));
        expect(expectedMessage.r11Invalid());
        break;
      }
      case 'r11-misuse': {
        const f = funcs[reached()];
        const l = this.newLabel();
        const variants: Op[][] = [
          [E.aluImm(ALU.ADD, R_PARAMS, 8)],
          [E.movReg(0, R_PARAMS)],
          [E.movReg(R_PARAMS, rng.pick(W))],
          [E.aluReg(ALU.XOR, rng.pick(W), R_PARAMS)],
          [E.jumpReg(JMP.JGT, rng.pick(W), R_PARAMS, l), E.label(l)],
          [E.stx('u64', R_FP, -8, R_PARAMS)],
        ];
        f.ops.splice(exitAt(f), 0, ...rng.pick(variants), E.movImm(0, 0));
        expect(expectedMessage.r11Invalid());
        break;
      }
      case 'too-many-args': {
        // f1 takes 12; the caller passes a 13th in an 8th slot, as a C caller with one argument too many would.
        const { regMark } = siteOps(main, treeSite!.id);
        main.ops.splice(regMark, 0, rng.chance(0.5) ? E.st('u64', R_PARAMS, -64, 13) : E.stx('u64', R_PARAMS, -64, rng.pick(W)));
        expect(expectedMessage.writePastMax(-64));
        break;
      }
      case 'global-many-args':
        expect(expectedMessage.globalManyArgs(1, 'f1', n1));
        break;
      case 'too-deep':
        expect(expectedMessage.tooDeep());
        break;
      case 'too-much-stack':
        main.ops.splice(entryEnd(main), 0, E.st('u64', R_FP, -512, 0));
        expect(expectedMessage.tooMuchStack());
        break;
      case 'scalar-deref': {
        // At main's tree site, pass a scalar where f1 dereferences its stack-pointer argument.
        const at = f1.kinds.indexOf('stack');
        const { stores, regMark, call } = siteOps(main, treeSite!.id);
        const value = rng.pick(EDGE_IMM32.filter((v) => v !== 0));
        void regMark;
        if (at >= 5) {
          const i = stores.find((j) => (main.ops[j] as { tag: { slot: number } }).tag.slot === at - 4)!;
          main.ops.splice(i, 1, tagged(E.st('u64', R_PARAMS, -8 * (at - 4), value), { role: 'argStore', site: treeSite!.id, slot: at - 4 }));
        } else {
          main.ops.splice(call, 0, E.movImm(at + 1, value));
        }
        expect(expectedMessage.scalarDeref());
        break;
      }
    }
  }

  /** Outgoing stack slots the calls of function `i` need (max over its call sites). */
  private outgoingNeed(i: number): number {
    let need = 0;
    for (const s of this.sites) if (s.caller === i) need = Math.max(need, this.plans[s.callee].args - 5);
    return need;
  }
}

/** One function's body: entry (fold every argument), statements and call sites, exit (fold, return). */
class FuncBody {
  private ops: Op[] = [];
  private readonly ptrSlots: number[] = []; // offsets (negative) of spilled received stack pointers
  private ctxSlot = 0;
  private readonly locals: number[] = []; // offsets of scalar locals

  constructor(
    private readonly pb: ProgramBuilder,
    private readonly p: FuncPlan,
    private readonly rng: Prng,
    private readonly opts: GenOptions,
  ) {
    let next = 1;
    if (p.hasCtx) this.ctxSlot = -8 * next++;
    for (const k of p.kinds) if (k === 'stack') this.ptrSlots.push(-8 * next++);
    // A few locals keep programs small; the frame budget bounds them on deep chains.
    const localCount = Math.max(1, Math.min(rng.int(2, 5), p.slots - next + 1));
    for (let i = 0; i < localCount; i++) this.locals.push(-8 * next++);
  }

  build(sites: SitePlan[]): Op[] {
    this.entry();
    this.statements(sites);
    this.exit();
    return this.ops;
  }

  private emit(...ops: Op[]): void {
    this.ops.push(...ops);
  }

  static foldOps(rng: Prng, v: number): Op[] {
    const k = rng.u32() | 1;
    switch (rng.int(0, 2)) {
      case 0:
        return [E.aluReg(ALU.XOR, CHECKSUM, v), E.aluImm(ALU.MUL, CHECKSUM, k)];
      case 1:
        return [E.aluImm(ALU.MUL, CHECKSUM, k), E.aluReg(ALU.ADD, CHECKSUM, v)];
      default:
        return [E.aluReg(ALU.ADD, CHECKSUM, v), E.aluImm(ALU.MUL, CHECKSUM, k)];
    }
  }

  private fold(v: number): void {
    this.emit(...FuncBody.foldOps(this.rng, v));
  }

  private imm32(): number {
    return this.rng.chance(0.6) ? this.rng.pick(EDGE_IMM32) : this.rng.i32();
  }

  private entry(): void {
    const { rng, p } = this;
    // r6 starts from a per-function constant so equal arguments in different functions differ.
    if (rng.chance(0.2)) {
      const [lo, hi] = rng.pick(EDGE_IMM64);
      this.emit(E.ld64(CHECKSUM, lo, hi));
    } else this.emit(E.movImm(CHECKSUM, rng.i32()));

    const order = rng.shuffle([...Array(p.args).keys()]);
    const working: number[] = [...W];
    const uninitLocals = [...this.locals];
    let ptrIndex = 0;
    const ptrSlotOfArg = new Map<number, number>();
    p.kinds.forEach((k, i) => {
      if (k === 'stack') ptrSlotOfArg.set(i, this.ptrSlots[ptrIndex++]);
    });
    let ctxSpilled = false;
    for (const i of order) {
      let v: number;
      if (i < 5) v = i + 1;
      else {
        v = 0;
        this.emit(tagged(E.ldx('u64', 0, R_PARAMS, 8 * (i - 4)), { role: 'argLoad', slot: i - 4 }));
      }
      const kind = p.kinds[i];
      if (kind === 'scalar') {
        this.fold(v);
        if (working.length > 0 && rng.chance(0.6)) this.emit(E.movReg(working.splice(rng.int(0, working.length - 1), 1)[0], v));
        else if (uninitLocals.length > 0 && rng.chance(0.5)) this.emit(E.stx('u64', R_FP, uninitLocals.splice(rng.int(0, uninitLocals.length - 1), 1)[0], v));
      } else if (kind === 'stack') {
        this.emit(E.stx('u64', R_FP, ptrSlotOfArg.get(i)!, v));
        this.emit(tagged(E.ldx('u64', 0, v, 0), { role: 'deref' }));
        this.fold(0);
      } else {
        if (!ctxSpilled) {
          this.emit(E.stx('u64', R_FP, this.ctxSlot, v));
          ctxSpilled = true;
        }
        this.emit(E.ldx('u32', 0, v, CTX_SCALAR_FIELD[this.opts.progType]));
        this.fold(0);
      }
    }
    for (const r of working) {
      if (rng.chance(0.3)) {
        const [lo, hi] = rng.pick(EDGE_IMM64);
        this.emit(E.ld64(r, lo, hi));
      } else this.emit(E.movImm(r, this.imm32()));
    }
    for (const off of uninitLocals) {
      if (rng.chance(0.5)) this.emit(E.st('u64', R_FP, off, this.imm32()));
      else this.emit(E.stx('u64', R_FP, off, rng.pick([CHECKSUM, ...W])));
    }
    this.emit(E.mark('entryEnd'));
  }

  private statements(sites: SitePlan[]): void {
    const { rng, opts } = this;
    type Unit = { site?: SitePlan };
    const units: Unit[] = [];
    const fillers = rng.int(opts.bodySize[0], opts.bodySize[1]);
    for (let i = 0; i < fillers; i++) units.push({});
    for (const s of sites) units.splice(rng.int(0, units.length), 0, { site: s });
    let i = 0;
    while (i < units.length) {
      if (rng.chance(opts.loopRate)) this.loop();
      if (rng.chance(opts.helperCallRate)) this.emit(E.callHelper(rng.pick(opts.helpers)));
      if (rng.chance(opts.branchRate)) {
        let k = rng.int(1, 3);
        let j = i;
        while (j < units.length && j < i + k && !units[j].site?.topLevel) j++;
        k = j - i;
        if (k > 0) {
          this.branch(units.slice(i, j));
          i = j;
          continue;
        }
      }
      this.unit(units[i]);
      i++;
    }
  }

  private unit(u: { site?: SitePlan }): void {
    if (u.site) this.callSite(u.site);
    else this.filler(false);
  }

  private condJump(label: number): Op {
    const { rng } = this;
    const ops = [JMP.JEQ, JMP.JNE, JMP.JGT, JMP.JGE, JMP.JLT, JMP.JLE, JMP.JSGT, JMP.JSGE, JMP.JSLT, JMP.JSLE, JMP.JSET];
    const w64 = rng.chance(0.7);
    if (rng.chance(0.5)) return E.jumpReg(rng.pick(ops), rng.pick(W), rng.pick([CHECKSUM, ...W]), label, w64);
    return E.jumpImm(rng.pick(ops), rng.pick([CHECKSUM, ...W]), this.imm32(), label, w64);
  }

  private branch(units: Array<{ site?: SitePlan }>): void {
    const end = this.pb.newLabel();
    if (units.length >= 2 && this.rng.chance(0.4)) {
      const split = this.rng.int(1, units.length - 1);
      const other = this.pb.newLabel();
      this.emit(this.condJump(other));
      units.slice(0, split).forEach((u) => this.unit(u));
      this.emit(E.ja(end), E.label(other));
      units.slice(split).forEach((u) => this.unit(u));
    } else {
      this.emit(this.condJump(end));
      units.forEach((u) => this.unit(u));
    }
    this.emit(E.label(end));
  }

  private loop(): void {
    const { rng } = this;
    const head = this.pb.newLabel();
    // r5 counts; loop bodies hold no calls, so nothing clobbers it.
    this.emit(E.movImm(5, rng.int(1, 6)), E.label(head));
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) this.filler(true);
    if (rng.chance(0.5)) this.emit(E.aluImm(ALU.ADD, 5, -1), E.jumpImm(JMP.JNE, 5, 0, head));
    else this.emit(E.aluImm(ALU.SUB, 5, 1, false), E.jumpImm(JMP.JSGT, 5, 0, head, false));
  }

  private filler(inLoop: boolean): void {
    const { rng } = this;
    const kinds = ['aluReg', 'aluImm', 'special', 'spill', 'fill', 'atomic', 'fold', 'ptrWrite', 'ptrRead', 'ctxRead'] as const;
    if (rng.chance(this.opts.atomicRate)) {
      this.emit(E.atomicAdd(R_FP, rng.pick(this.locals), rng.pick([CHECKSUM, ...W])));
      return;
    }
    const weights = [4, 4, 2, 2, 2, 0, 2, this.ptrSlots.length > 0 ? 1 : 0, this.ptrSlots.length > 0 ? 1 : 0, this.ctxSlot !== 0 && !inLoop ? 1 : 0];
    const kind = kinds[rng.weighted(weights)];
    const dst = rng.pick(W);
    const w64 = rng.chance(0.7);
    const aluOps = [ALU.ADD, ALU.SUB, ALU.MUL, ALU.DIV, ALU.OR, ALU.AND, ALU.LSH, ALU.RSH, ALU.MOD, ALU.XOR, ALU.MOV, ALU.ARSH];
    switch (kind) {
      case 'aluReg': {
        const op = rng.pick(aluOps);
        const signed = (op === ALU.DIV || op === ALU.MOD) && rng.chance(0.4);
        this.emit(E.aluReg(op, dst, rng.pick([CHECKSUM, ...W]), w64, signed ? 1 : 0));
        break;
      }
      case 'aluImm': {
        const op = rng.pick(aluOps);
        let imm = this.imm32();
        let off = 0;
        if (op === ALU.LSH || op === ALU.RSH || op === ALU.ARSH) imm = rng.int(0, w64 ? 63 : 31);
        if (op === ALU.DIV || op === ALU.MOD) {
          if (imm === 0) imm = -1;
          if (rng.chance(0.4)) off = 1;
        }
        this.emit(E.aluImm(op, dst, imm, w64, off));
        break;
      }
      case 'special': {
        switch (rng.int(0, 4)) {
          case 0:
            this.emit(E.aluImm(ALU.NEG, dst, 0, w64));
            break;
          case 1: // be/le on ALU, unconditional bswap on ALU64
            this.emit({ kind: 'insn', insn: { code: (rng.chance(0.5) ? 0x07 : 0x04 | (rng.chance(0.5) ? 0x08 : 0)) | ALU.END, dst, src: 0, off: 0, imm: rng.pick([16, 32, 64]) } });
            break;
          case 2: // movsx
            this.emit(E.aluReg(ALU.MOV, dst, rng.pick([CHECKSUM, ...W]), w64, w64 ? rng.pick([8, 16, 32]) : rng.pick([8, 16])));
            break;
          default: {
            const [lo, hi] = rng.pick(EDGE_IMM64);
            this.emit(E.ld64(dst, lo, hi));
          }
        }
        break;
      }
      case 'spill': {
        const size = rng.pick<SizeName>(['u64', 'u64', 'u32', 'u16', 'u8']);
        const off = this.localOff(size);
        if (rng.chance(0.3)) this.emit(E.st(size, R_FP, off, this.imm32()));
        else this.emit(E.stx(size, R_FP, off, rng.pick([CHECKSUM, ...W])));
        break;
      }
      case 'fill': {
        const size = rng.pick<SizeName>(['u64', 'u64', 'u32', 'u16', 'u8']);
        this.emit(E.ldx(size, dst, R_FP, this.localOff(size), size !== 'u64' && rng.chance(0.3)));
        break;
      }
      case 'atomic':
        this.emit(E.atomicAdd(R_FP, rng.pick(this.locals), rng.pick([CHECKSUM, ...W])));
        break;
      case 'fold':
        if (rng.chance(0.5)) this.fold(rng.pick(W));
        else {
          this.emit(E.ldx('u64', 0, R_FP, rng.pick(this.locals)));
          this.fold(0);
        }
        break;
      case 'ptrWrite':
        this.emit(E.ldx('u64', 0, R_FP, rng.pick(this.ptrSlots)));
        this.emit(rng.chance(0.5) ? E.stx('u64', 0, 0, rng.pick([CHECKSUM, ...W])) : E.st('u64', 0, 0, this.imm32()));
        break;
      case 'ptrRead':
        this.emit(E.ldx('u64', 0, R_FP, rng.pick(this.ptrSlots)), E.ldx('u64', 0, 0, 0));
        this.fold(0);
        break;
      case 'ctxRead':
        this.emit(E.ldx('u64', 0, R_FP, this.ctxSlot), E.ldx('u32', 0, 0, CTX_SCALAR_FIELD[this.opts.progType]));
        this.fold(0);
        break;
    }
  }

  /** an offset inside a scalar local, aligned for `size` */
  private localOff(size: SizeName): number {
    const base = this.rng.pick(this.locals);
    const bytes = { u8: 1, u16: 2, u32: 4, u64: 8 }[size];
    return base + bytes * this.rng.int(0, 8 / bytes - 1);
  }

  /** the value of one argument into register `r` (r0 for stack-argument stores) */
  private argValue(kind: ArgKind, r: number): Op[] {
    const { rng } = this;
    if (kind === 'ctx') return [E.ldx('u64', r, R_FP, this.ctxSlot)];
    if (kind === 'stack') {
      if (this.ptrSlots.length > 0 && rng.chance(0.3)) return [E.ldx('u64', r, R_FP, rng.pick(this.ptrSlots))];
      return [E.movReg(r, R_FP), E.aluImm(ALU.ADD, r, rng.pick(this.locals))];
    }
    switch (rng.int(0, 2)) {
      case 0:
        return [E.movReg(r, rng.pick([CHECKSUM, ...W]))];
      case 1:
        return [E.movImm(r, this.imm32())];
      default:
        return [E.ldx('u64', r, R_FP, rng.pick(this.locals))];
    }
  }

  private callSite(s: SitePlan): void {
    const { rng } = this;
    const callee = this.pb.plan(s.callee);
    const slots = rng.shuffle([...Array(Math.max(0, callee.args - 5)).keys()].map((k) => k + 1));
    for (const slot of slots) {
      const kind = callee.kinds[slot + 4];
      const tag = { role: 'argStore' as const, site: s.id, slot };
      if (kind === 'scalar' && rng.chance(0.35)) {
        this.emit(tagged(E.st('u64', R_PARAMS, -8 * slot, this.imm32()), tag));
      } else if (kind === 'scalar' && rng.chance(0.5)) {
        this.emit(tagged(E.stx('u64', R_PARAMS, -8 * slot, rng.pick([CHECKSUM, ...W])), tag));
      } else {
        this.emit(...this.argValue(kind, 0), tagged(E.stx('u64', R_PARAMS, -8 * slot, 0), tag));
      }
    }
    this.emit({ kind: 'mark', tag: { role: 'regArg', site: s.id } });
    const regs = rng.shuffle([...Array(Math.min(5, callee.args)).keys()]);
    for (const i of regs) this.emit(...this.argValue(callee.kinds[i], i + 1));
    this.emit(tagged(E.call(s.callee), { role: 'call', site: s.id }));
    this.fold(0);
    if (rng.chance(0.3)) this.emit(E.movReg(rng.pick(W), 0));
  }

  private exit(): void {
    const { rng, p } = this;
    this.emit(E.mark('exitBegin'));
    for (const r of rng.shuffle([...W])) this.fold(r);
    for (const off of this.locals) {
      this.emit(E.ldx('u64', 0, R_FP, off));
      this.fold(0);
    }
    this.emit(E.movReg(0, CHECKSUM));
    if (p.index === 0) {
      // 64-bit checksum folded into the 32 bits the test run returns.
      this.emit(E.movReg(1, CHECKSUM), E.aluImm(ALU.RSH, 1, 32), E.aluReg(ALU.XOR, 0, 1));
    }
    this.emit(E.exit());
  }
}
