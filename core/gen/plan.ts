// Planning: the call graph (a DAG of functions, no recursion), each function's signature
// (argument count, linkage, which arguments are pointers) and the call sites, before any
// instruction is drawn. Mutations that need a particular shape (a stack-argument callee, a
// 17-frame chain) steer the plan here.
import type { Linkage, MapDecl } from '../program/index.ts';
import type { Prng } from './prng.ts';
import { PACKET_BYTES, PKT_ARG_MIN_SLOTS, PKT_FIELDS } from './body-packet.ts';
import type { ProgramOptions } from './options.ts';
import type { MutationKind } from './mutations.ts';
import { arrayMapIndex } from './map-decls.ts';
import { planGlobalPtrArgs, type MemArg } from './body-global-ptr.ts';

/** what an argument is: a scalar, a pointer to the caller's stack, the ctx, a pointer to an array map's value, a bounds-checked packet pointer, or a global function's memory argument (body-global-ptr.ts) */
export type ArgKind = 'scalar' | 'stack' | 'ctx' | 'map' | 'pkt' | 'mem';

export interface FuncPlan {
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
  /** for each argument of kind 'map': the index (in ProgramPlan.maps) of the array map whose value it points to */
  argMaps: number[];
  /** for each argument of kind 'pkt': the bytes past it the caller's bounds check covers */
  argPkt: number[];
  /** for each argument of kind 'mem' (global functions): its size and whether it is tagged arg:nonnull */
  argMem: MemArg[];
}

export interface SitePlan {
  id: number;
  caller: number;
  callee: number;
  /** must sit at the top level of the caller (not in a branch), so the walk surely reaches it */
  topLevel: boolean;
}

export interface ProgramPlan {
  funcs: FuncPlan[];
  sites: SitePlan[];
  /** the program's maps; map features append to it while they draw (none unless their rates are > 0) */
  maps: MapDecl[];
}

/** Mutations that need main's first callee to take stack arguments. */
const NEEDS_STACK_ARG_CALLEE = new Set<MutationKind>([
  'missing-stack-arg-store', 'call-between-store-and-call', 'no-restore-after-call', 'missing-store-after-unreliable',
  'load-after-store', 'load-after-call', 'too-many-args', 'global-many-args',
]);

/**
 * Frame slots a function needs before its callees may take map-value pointers: the caller keeps
 * the ctx, two received pointers, a local and a slot per looked-up pointer (body-maps.ts). Every
 * function of a program has the same budget; deep chains (the too-deep mutation) have too little.
 */
const MAP_ARG_MIN_SLOTS = 6;

/** frames in the chain of a too-deep program: one more than the largest MAX_CALL_FRAMES (16) */
const TOO_DEEP_FRAMES = 17;

/** The call graph, signatures and call sites of one program. */
export function planProgram(rng: Prng, opts: ProgramOptions, mutation: MutationKind | undefined): ProgramPlan {
  const funcs = planGraph(rng, opts, mutation);
  const maps: MapDecl[] = [];
  planSignatures(funcs, rng, opts, mutation, maps);
  boundPaths(funcs);
  // Sites: the tree edge's first site is top-level so every function is surely walked.
  const sites: SitePlan[] = [];
  for (const p of funcs) {
    for (const e of p.edges) {
      for (let s = 0; s < e.sites; s++) sites.push({ id: sites.length, caller: p.index, callee: e.callee, topLevel: e.tree && s === 0 });
    }
  }
  return { funcs, sites, maps };
}

/** Outgoing stack slots the calls of function `i` need (max over its call sites). */
export function outgoingNeed(plan: ProgramPlan, i: number): number {
  let need = 0;
  for (const s of plan.sites) if (s.caller === i) need = Math.max(need, plan.funcs[s.callee].args - 5);
  return need;
}

/** Functions by level, spanning-tree edges, fan-in edges and the sites per edge. */
function planGraph(rng: Prng, opts: ProgramOptions, m: MutationKind | undefined): FuncPlan[] {
  let n = rng.int(opts.funcs[0], opts.funcs[1]);
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

  const plans: FuncPlan[] = order.map((o, index) => ({
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
    argMaps: [],
    argPkt: [],
    argMem: [],
  }));
  const byLevel = (l: number): FuncPlan[] => plans.filter((p) => p.level === l);
  for (const p of plans.slice(1)) {
    // The spine node of the previous level comes first among its level (sort order above).
    const parents = byLevel(p.level - 1);
    const parent = order[p.index].spine ? parents[0] : rng.pick(parents);
    p.parent = parent.index;
    parent.edges.push({ callee: p.index, sites: 1, tree: true });
  }
  // Fan-in: extra callers from any lower level.
  for (const p of plans.slice(1)) {
    if (!rng.chance(opts.fanRate)) continue;
    const candidates = plans.filter((c) => c.level < p.level && c.index !== p.parent && !c.edges.some((e) => e.callee === p.index));
    if (candidates.length > 0) rng.pick(candidates).edges.push({ callee: p.index, sites: 1, tree: false });
  }
  for (const p of plans) for (const e of p.edges) e.sites = rng.int(opts.callSites[0], opts.callSites[1]);
  return plans;
}

/** Argument counts and linkage, then which arguments are pointers (to the caller's stack, or the ctx). */
function planSignatures(plans: FuncPlan[], rng: Prng, opts: ProgramOptions, m: MutationKind | undefined, maps: MapDecl[]): void {
  for (const p of plans) {
    if (p.index === 0) {
      p.args = 1;
      p.kinds = ['ctx'];
      continue;
    }
    p.args = rng.weighted(opts.argWeights);
    if (p.args <= 5 && rng.chance(opts.globalRate)) p.linkage = 'global';
  }
  const f1 = plans[1];
  if (f1 && m) steerFirstCallee(f1, rng, m);
  // Pointer kinds: ctx only where every caller holds the ctx; at most two pointers per function.
  for (const p of plans.slice(1)) {
    const callers = plans.filter((c) => c.edges.some((e) => e.callee === p.index));
    const ctxOk = callers.every((c) => c.hasCtx);
    let pointers = 0;
    p.kinds = [];
    for (let i = 0; i < p.args; i++) {
      let kind: ArgKind = 'scalar';
      if (p.linkage === 'static' && pointers < 2 && rng.chance(opts.pointerArgRate)) {
        kind = ctxOk && rng.chance(0.35) ? 'ctx' : 'stack';
        pointers++;
      } else if (p.linkage === 'static' && pointers < 2 && p.slots >= MAP_ARG_MIN_SLOTS && rng.chance(opts.mapArgRate)) {
        kind = 'map';
        p.argMaps[i] = arrayMapIndex(maps, rng);
        pointers++;
      } else if (p.linkage === 'static' && pointers < 2 && ctxOk && p.slots >= PKT_ARG_MIN_SLOTS && PKT_FIELDS[opts.progType] && rng.chance(opts.packetArgRate)) {
        kind = 'pkt';
        p.argPkt[i] = rng.int(1, PACKET_BYTES);
        pointers++;
      }
      p.kinds.push(kind);
    }
    const scalarOnly = m && p.index === 1 && (m === 'missing-stack-arg-store' || m === 'call-between-store-and-call' || m === 'no-restore-after-call' || m === 'load-after-store' || m === 'load-after-call' || m === 'too-many-args');
    if (scalarOnly || p.linkage === 'global') p.kinds = p.kinds.map(() => 'scalar');
    if (p.linkage === 'global' && !scalarOnly && opts.globalPtrArgRate > 0) planGlobalPtrArgs(p, rng, opts, ctxOk);
    if (m && p.index === 1 && (m === 'scalar-deref' || m === 'missing-store-after-unreliable')) {
      const at = p.args > 5 && rng.chance(0.6) ? rng.int(5, p.args - 1) : rng.int(0, Math.min(p.args, 5) - 1);
      p.kinds = p.kinds.map((k) => (k === 'ctx' ? 'scalar' : k));
      p.kinds[at] = 'stack';
    }
    p.hasCtx = p.kinds.includes('ctx');
  }
}

/** The signature main's first callee needs for mutation `m`. */
function steerFirstCallee(f1: FuncPlan, rng: Prng, m: MutationKind): void {
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

/** Keeps the number of call paths the verifier walks small: each static callee is walked once per path. */
function boundPaths(plans: FuncPlan[]): void {
  const LIMIT = 48;
  for (let round = 0; round < 40; round++) {
    const paths = plans.map(() => 0);
    paths[0] = 1;
    for (const p of plans) {
      if (p.linkage === 'global') paths[p.index] = Math.max(paths[p.index], 1);
      for (const e of p.edges) if (plans[e.callee].linkage !== 'global') paths[e.callee] += paths[p.index] * e.sites;
    }
    const worst = paths.reduce((a, b) => Math.max(a, b), 0);
    if (worst <= LIMIT) return;
    // Trim the heaviest multi-site edge, or drop a non-tree edge.
    const all = plans.flatMap((p) => p.edges.map((e) => ({ p, e })));
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
