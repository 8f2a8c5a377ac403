// State pruning (kernel/bpf/states.c): bpf_is_state_visited keeps the explored states of each
// prune point and drops a path whose state one of them contains (states_equal: regsafe,
// stacksafe, refsafe, check_ids); an equal state on a path that is still being explored is an
// infinite loop.
import { EINVAL } from './messages.ts';
import { reject, unknown, type CheckResult } from './precheck.ts';
import { cover, coverageOn } from './coverage.ts';
import { C32, C64, cnumEquals } from './scalar/cnum.ts';
import { tnumEquals, tnumIn } from './scalar/tnum.ts';
import { BPF_REG_FP } from '../isa/index.ts';
import { cloneState, forEachReg, notInitReg, type Reg, type VState } from './state.ts';

/**
 * State comparisons before the model gives up with `unknown`: a loop the kernel walks to its
 * 1M-insn limit keeps a growing list of states at its head, and comparing against all of them
 * makes the walk quadratic where the kernel's C is merely slow. With the kernel's eviction of
 * states that keep missing, a 17-function program the kernel verifies in 159k insns needs
 * between 100k and 150k comparisons (100k gave `unknown` on 9 of 10,000 programs of seed 1).
 */
const COMPARE_BUDGET = 1_000_000;

/** an explored state (struct bpf_verifier_state_list) */
interface Checkpoint {
  parent: Checkpoint | undefined;
  /** live paths below this checkpoint */
  branches: number;
  insn: number;
  /** the explored_states bucket it went into (bpf_explored_state: insn ^ the current frame's callsite) */
  bucket: number;
  state: VState;
  /** pruning hits and misses at this state's insn (the kernel's hit_cnt, miss_cnt) */
  hits: number;
  /** its dead registers were cleared (6.12's clean_live_states, once the state is complete) */
  cleaned?: boolean;
  misses: number;
}

/** a path being walked: its state and the checkpoint it last passed */
export interface Path {
  st: VState;
  cp: Checkpoint | undefined;
}

/** The explored states of one verification, per instruction (env->explored_states). */
export class ExploredStates {
  private readonly explored = new Map<number, Checkpoint[]>();
  private compared = 0;
  private prevJmps = 0;
  private prevProcessed = 0;

  /**
   * `clearSingular`: the kernel clears singular scalar ids on each state it keeps (7.x);
   * `insnCount`: the program's length, the size of the kernel's explored_states hash table;
   * `cleanComplete`: clears the dead registers of an explored state whose paths all ended, before
   * it is compared (6.12's clean_live_states; 7.x cleans the current state at each prune point instead)
   */
  constructor(
    private readonly clearSingular = false,
    private readonly insnCount = 1,
    private readonly cleanComplete?: (st: VState, idx: number) => void,
  ) {}

  /**
   * bpf_explored_state: the kernel keeps the states of insn `idx` in the hash bucket of
   * (idx ^ callsite of the current frame) % prog len, and looks only at that bucket's states of
   * `idx`: a state of another function instance (another callsite) is neither compared with nor
   * counted by the heuristics below, unless the two callsites share a bucket.
   */
  private bucketOf(idx: number, st: VState): number {
    return ((idx ^ st.frames[st.frames.length - 1]!.callsite) >>> 0) % this.insnCount;
  }

  /** bpf_is_state_visited: `processed` and `jmps` are the walk's insn and jump counts so far */
  visit(path: Path, idx: number, processed: number, jmps: number): CheckResult | 'pruned' | undefined {
    const list = this.explored.get(idx) ?? [];
    const cur = path.st;
    const bucket = this.bucketOf(idx, cur);
    // the kernel only keeps a new state after at least 2 jumps and 8 insns since the last one
    let addNew = jmps - this.prevJmps >= 2 && processed - this.prevProcessed >= 8;
    this.compared += list.length;
    if (this.compared > COMPARE_BUDGET) return unknown(`loop exploration: more than ${COMPARE_BUDGET} state comparisons at ${processed} insns`);
    // newest first, as the kernel adds each new state at the head of the insn's list
    for (let i = list.length - 1; i >= 0; i--) {
      const cp = list[i]!;
      if (cp.bucket !== bucket) continue;
      if (cp.branches > 0) {
        if (statesEqual(cp.state, cur, true)) return reject(EINVAL, `infinite loop detected at insn ${idx}`);
        if (jmps - this.prevJmps < 20 && processed - this.prevProcessed < 100) addNew = false;
      } else {
        if (this.cleanComplete && !cp.cleaned) {
          this.cleanComplete(cp.state, idx);
          cp.cleaned = true;
        }
        if (statesEqual(cp.state, cur, false)) {
          cp.hits++;
          cover('is_state_visited:pruned');
          if (coverageOn()) coverPruneMatch(cp.state, cur);
          return 'pruned';
        }
      }
      // a miss counts only when a new state will be kept; a state that keeps missing is dropped
      // from the list (is_state_visited's eviction: miss_cnt > hit_cnt * 3 + 3)
      if (addNew) cp.misses++;
      if (cp.misses > cp.hits * 3 + 3) {
        cover('is_state_visited:evicted');
        list.splice(i, 1);
      }
    }
    if (!addNew) return undefined;
    this.prevJmps = jmps;
    this.prevProcessed = processed;
    cover('is_state_visited:new-state');
    if (this.clearSingular) clearSingularIds(cur);
    const cp: Checkpoint = { parent: path.cp, branches: 1, insn: idx, bucket, state: cloneState(cur), hits: 0, misses: 0 };
    list.push(cp);
    // a list evicted down to nothing is still the one in the map; only a new list needs adding
    if (list.length === 1) this.explored.set(idx, list);
    path.cp = cp;
    return undefined;
  }
}

/**
 * bpf_clear_singular_ids (kernel/bpf/verifier.c, called by is_state_visited on the state it keeps):
 * a scalar whose id no other scalar of the state shares is independent, so its id (and delta) are
 * dropped. A later `rX = rY` of it then takes a fresh id from env->id_gen, which shifts every id
 * given out after it (the `Unreleased reference id=N` a reference leak names).
 */
export function clearSingularIds(st: VState): void {
  const count = new Map<number, number>();
  forEachReg(st, (r) => {
    if (r.type === 'scalar' && r.id) count.set(r.id, (count.get(r.id) ?? 0) + 1);
  });
  forEachReg(st, (r) => {
    if (r.type !== 'scalar' || !r.id || count.get(r.id) !== 1) return;
    cover('bpf_clear_singular_ids:cleared');
    r.id = 0;
    r.delta = 0;
    r.linked32 = undefined;
  });
}

/** after a prune: what kind of match it took (looked at only when coverage is being recorded) */
function coverPruneMatch(old: VState, cur: VState): void {
  for (let i = 0; i < old.frames.length; i++) {
    const a = old.frames[i]!, b = cur.frames[i]!;
    for (let r = 0; r < BPF_REG_FP; r++) {
      const o = a.regs[r]!, c = b.regs[r]!;
      if (o.type === 'scalar' && !sameBounds(o, c)) cover('regsafe:scalar-range');
      else if (o.type !== 'scalar' && o.type !== 'not_init') cover('regsafe:pointer');
    }
    for (const s of a.stack) if (s.types[7] === 'spill') cover('stacksafe:spill');
  }
}

/** bpf_update_branch_counts: a path ended; checkpoints with no live path below are complete */
export function finishPath(cp: Checkpoint | undefined): void {
  let node = cp;
  while (node) {
    node.branches--;
    if (node.branches > 0) break;
    node = node.parent;
  }
}

/** check_ids: the pointer ids of the old state map one-to-one onto those of the current one */
const idPairs: number[] = [];
function checkIds(oldId: number, curId: number): boolean {
  if ((oldId === 0) !== (curId === 0)) return false;
  if (oldId === 0) return true;
  for (let i = 0; i < idPairs.length; i += 2) {
    if (idPairs[i] === oldId) return idPairs[i + 1] === curId;
    if (idPairs[i + 1] === curId) return false;
  }
  idPairs.push(oldId, curId);
  return true;
}

/** the kernel's idmap->tmp_id_gen: a fresh id for a current scalar without one, above any real id */
let tmpId = 0;
const TMP_ID_BASE = 1 << 30;
/** a linked scalar's id with its BPF_ADD_CONST flag (delta kept, 32- or 64-bit), a key of its own in the id map */
const addConstKey = (id: number, linked32: boolean) => id + (linked32 ? 2 : 1) * 2 ** 40;

/** check_scalar_ids: an old scalar without an id matches any; with one, the ids must map one-to-one */
function checkScalarIds(old: Reg, cur: Reg): boolean {
  if (!old.id) return true;
  const curId = cur.id || TMP_ID_BASE + ++tmpId;
  if (old.linked32 !== undefined) {
    if (!checkIds(addConstKey(old.id, old.linked32), addConstKey(curId, cur.linked32 ?? old.linked32))) return false;
  }
  return checkIds(old.id, curId);
}

/**
 * regsafe's SCALAR_VALUE links (states.c): an old scalar with an id needs the same BPF_ADD_CONST
 * kind and delta in the current one and an id mapping; an old one without an id is independent,
 * so any link in the current state only adds constraints.
 */
function scalarLinksSafe(old: Reg, cur: Reg): boolean {
  if (old.id && old.linked32 !== cur.linked32) return false;
  if (old.linked32 !== undefined && old.delta !== cur.delta) return false;
  return checkScalarIds(old, cur);
}

const sameBounds = (old: Reg, cur: Reg): boolean => tnumEquals(old.varOff, cur.varOff) && cnumEquals(old.r64, cur.r64) && cnumEquals(old.r32, cur.r32);
const withinBounds = (old: Reg, cur: Reg): boolean =>
  C64.isSubset(old.r64, cur.r64) && C32.isSubset(old.r32, cur.r32) && tnumIn(old.varOff, cur.varOff);

/** regs_exact */
function regsExact(old: Reg, cur: Reg): boolean {
  if (old.type !== cur.type || !sameBounds(old, cur) || old.frameno !== cur.frameno || old.mapIdx !== cur.mapIdx || old.range !== cur.range || old.btf !== cur.btf) return false;
  if (old.type === 'scalar') return old.delta === cur.delta && (old.id === 0) === (cur.id === 0);
  return checkIds(old.id, cur.id) && checkIds(old.refObjId ?? 0, cur.refObjId ?? 0);
}

/** regsafe: a path reaching `cur` is safe when one from `old` was */
function regsafe(old: Reg, cur: Reg, exact: boolean): boolean {
  if (exact) return regsExact(old, cur);
  if (old.type === 'not_init') return true;
  if (old.type !== cur.type) return false;
  switch (old.type) {
    case 'scalar':
      return scalarLinksSafe(old, cur) && withinBounds(old, cur);
    case 'map_value':
      return old.mapIdx === cur.mapIdx && withinBounds(old, cur) && checkIds(old.id, cur.id);
    case 'pkt':
    case 'pkt_meta':
      // at least the old range; AT_PKT_END / BEYOND_PKT_END only as they were
      if (old.range < 0 || cur.range < 0 ? old.range !== cur.range : old.range > cur.range) return false;
      if (!checkIds(old.id, cur.id)) return false;
      if (old.id && old.r64.base !== cur.r64.base) return false;
      return withinBounds(old, cur);
    default:
      return regsExact(old, cur);
  }
}

function statesEqual(old: VState, cur: VState, exact: boolean): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  idPairs.length = 0;
  tmpId = 0;
  // refsafe
  if (old.refs.length !== cur.refs.length) return false;
  for (let i = 0; i < old.refs.length; i++) if (!checkIds(old.refs[i]!.id, cur.refs[i]!.id)) return false;
  for (let i = 0; i < old.frames.length; i++) {
    const a = old.frames[i]!, b = cur.frames[i]!;
    if (a.callsite !== b.callsite || a.subprog !== b.subprog) return false;
    for (let r = 0; r < BPF_REG_FP; r++) if (!regsafe(a.regs[r]!, b.regs[r]!, exact)) return false;
    if (!a.noStackArgLoad && b.noStackArgLoad) return false;
    if (exact && a.noStackArgLoad !== b.noStackArgLoad) return false;
    const nArgs = Math.max(a.outArgs.length, b.outArgs.length);
    for (let s = 0; s < nArgs; s++) {
      const ra = a.outArgs[s] ?? notInitReg(), rb = b.outArgs[s] ?? notInitReg();
      if (exact ? !regsafe(ra, rb, true) : ra.type !== 'not_init' && !regsafe(ra, rb, false)) return false;
      if (!exact && ra.type === 'not_init' && rb.type !== 'not_init') return false;
    }
    const n = Math.max(a.stack.length, b.stack.length);
    for (let s = 0; s < n; s++) {
      const sa = a.stack[s], sb = b.stack[s];
      for (let k = 0; k < 8; k++) {
        const ta = sa?.types[k] ?? 'invalid', tb = sb?.types[k] ?? 'invalid';
        if (exact) {
          if (ta !== tb) return false;
          continue;
        }
        if (ta === 'invalid') continue;
        if (ta === 'misc') continue;
        if (ta !== tb) return false;
      }
      if (sa && sa.types[7] === 'spill') {
        if (!sb || !regsafe(sa.spilled, sb.spilled, exact)) return false;
      }
    }
  }
  return true;
}
