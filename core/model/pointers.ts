// What the verifier learns about pointers from branches and helper calls: NULL checks
// (mark_ptr_or_null_regs), packet ranges (find_good_pkt_pointers, mark_pkt_end,
// is_pkt_ptr_branch_taken, try_match_pkt_pointers), the packet pointers a helper invalidates
// (clear_all_pkt_pointers), and references (acquire_reference, release_reference,
// check_reference_leak). Every one of them reaches all frames, spilled registers and the
// outgoing stack-argument slots.
import { BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT } from '../isa/index.ts';
import { fillMessage } from './messages.ts';
import { cover } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import type { Profile } from './profile.ts';
import { markKnown, markUnknown, smax, smin, umax } from './scalar/bounds.ts';
import { flipOpcode } from './scalar/branch.ts';
import { tnumIsConst } from './scalar/tnum.ts';
import { AT_PKT_END, BEYOND_PKT_END, NOT_NULL_TYPE, forEachReg, isPktPointerAny, nextId, type Reg, type RegType, type VState } from './state.ts';

const BPF_MAX_VAR_OFF = 1n << 29n;
const MAX_PACKET_OFF = 0xffffn;

/**
 * reg_not_null: pointer kinds that are never NULL (stack, ctx and packet pointers are not among
 * them); a socket a bpf_skc_to_* cast returned only while referenced (is_trusted_reg)
 */
export function regNotNull(r: Reg, st: VState): boolean {
  if (smin(r) <= -BPF_MAX_VAR_OFF || smax(r) >= BPF_MAX_VAR_OFF) return false;
  const t = r.type;
  if (t === 'btf_sock') return isReferenced(st, r);
  return t === 'sock' || t === 'tcp_sock' || t === 'map_value' || t === 'sock_common' || t === 'map_ptr';
}

/** mark_ptr_not_null_reg */
export function markPtrNotNull(r: Reg): void {
  r.type = NOT_NULL_TYPE[r.type] ?? r.type;
}

/**
 * mark_ptr_or_null_regs: after `if (rX == 0)` every copy of rX (same id) is either a known zero or
 * the pointer without its NULL possibility. In the NULL branch a reference acquired with that id
 * was never really taken.
 */
export function markPtrOrNullRegs(st: VState, id: number, isNull: boolean): void {
  if (isNull && releaseReferenceState(st, id)) cover('mark_ptr_or_null_regs:null-branch-drops-ref');
  forEachReg(st, (r) => {
    if (r.id !== id || NOT_NULL_TYPE[r.type] === undefined) return;
    if (isNull) {
      markKnown(r, 0n);
      r.type = 'scalar';
    } else markPtrNotNull(r);
  });
}

/** clear_all_pkt_pointers: packet data may have moved; privileged, the pointers become unknown scalars */
export function clearAllPktPointers(st: VState): void {
  cover('clear_all_pkt_pointers:cleared');
  forEachReg(st, (r) => {
    if (isPktPointerAny(r.type)) markUnknown(r);
  });
}

// ---- packet ranges ---------------------------------------------------------------------------------

/** find_good_pkt_pointers: `dst` (a packet pointer) is known to be at most pkt_end */
function findGoodPktPointers(st: VState, dst: Reg, type: RegType, rangeRightOpen: boolean): void {
  const hi = umax(dst);
  if (hi === 0n && rangeRightOpen) return;
  if (hi > MAX_PACKET_OFF) return;
  const range = Number(hi) + (rangeRightOpen ? 1 : 0);
  cover('find_good_pkt_pointers:range');
  const id = dst.id;
  forEachReg(st, (r) => {
    if (r.type === type && r.id === id && r.range < range) r.range = range;
  });
}

/** mark_pkt_end: `regno` of the current frame lies at (or beyond) pkt_end on this branch */
function markPktEnd(st: VState, regno: number, rangeOpen: boolean): void {
  const r = st.frames[st.frames.length - 1]!.regs[regno]!;
  if (r.type !== 'pkt') return;
  cover('mark_pkt_end:beyond-or-at');
  r.range = rangeOpen ? BEYOND_PKT_END : AT_PKT_END;
}

/** reg_is_init_pkt_pointer */
const isInitPktPointer = (r: Reg, type: RegType): boolean => r.type === type && r.id === 0 && tnumIsConst(r.varOff) && r.varOff.value === 0n;

/** is_pkt_ptr_branch_taken: a comparison with pkt_end decided by an earlier one */
export function pktPtrBranchTaken(dst: Reg, src: Reg, opcode: number): -1 | 0 | 1 {
  let pkt: Reg;
  if (src.type === 'pkt_end') pkt = dst;
  else if (dst.type === 'pkt_end') {
    pkt = src;
    opcode = flipOpcode(opcode);
  } else return -1;
  if (pkt.range >= 0) return -1;
  switch (opcode) {
    case BPF_JLE:
    case BPF_JGT:
      if (pkt.range === BEYOND_PKT_END) return opcode === BPF_JGT ? 1 : 0;
      break;
    case BPF_JLT:
    case BPF_JGE:
      if (pkt.range === BEYOND_PKT_END || pkt.range === AT_PKT_END) return opcode === BPF_JGE ? 1 : 0;
      break;
  }
  return -1;
}

const PKT_VS_END: Record<number, CheckRuleId> = {
  [BPF_JGT]: 'try_match_pkt_pointers:pkt-gt-end', [BPF_JGE]: 'try_match_pkt_pointers:pkt-ge-end',
  [BPF_JLT]: 'try_match_pkt_pointers:pkt-lt-end', [BPF_JLE]: 'try_match_pkt_pointers:pkt-le-end',
};
const END_VS_PKT: Record<number, CheckRuleId> = {
  [BPF_JGT]: 'try_match_pkt_pointers:end-gt-pkt', [BPF_JGE]: 'try_match_pkt_pointers:end-ge-pkt',
  [BPF_JLT]: 'try_match_pkt_pointers:end-lt-pkt', [BPF_JLE]: 'try_match_pkt_pointers:end-le-pkt',
};

/**
 * try_match_pkt_pointers: `if (dst op src)` between a packet pointer and pkt_end (or pkt_meta and
 * pkt) gives the packet pointers of one branch a range. `fall` is the fall-through state, `taken`
 * the jump target's; dst/src are the registers before the jump. Returns whether it matched.
 */
export function tryMatchPktPointers(op: number, dstno: number, srcno: number, dst: Reg, src: Reg, fall: VState, taken: VState): boolean {
  const fwd = (dst.type === 'pkt' && src.type === 'pkt_end') || (dst.type === 'pkt_meta' && isInitPktPointer(src, 'pkt'));
  const rev = (dst.type === 'pkt_end' && src.type === 'pkt') || (isInitPktPointer(dst, 'pkt') && src.type === 'pkt_meta');
  if (!fwd && !rev) return false;
  if (dst.type === 'pkt_meta' || src.type === 'pkt_meta') cover('try_match_pkt_pointers:meta-vs-pkt');
  else cover((fwd ? PKT_VS_END : END_VS_PKT)[op] ?? 'try_match_pkt_pointers:eq-or-ne');
  switch (op) {
    case BPF_JGT:
      // pkt' > pkt_end: the fall-through has pkt' <= pkt_end
      if (fwd) {
        findGoodPktPointers(fall, dst, dst.type, false);
        markPktEnd(taken, dstno, true);
      } else {
        findGoodPktPointers(taken, src, src.type, true);
        markPktEnd(fall, srcno, false);
      }
      return true;
    case BPF_JLT:
      if (fwd) {
        findGoodPktPointers(taken, dst, dst.type, true);
        markPktEnd(fall, dstno, false);
      } else {
        findGoodPktPointers(fall, src, src.type, false);
        markPktEnd(taken, srcno, true);
      }
      return true;
    case BPF_JGE:
      if (fwd) {
        findGoodPktPointers(fall, dst, dst.type, true);
        markPktEnd(taken, dstno, false);
      } else {
        findGoodPktPointers(taken, src, src.type, false);
        markPktEnd(fall, srcno, true);
      }
      return true;
    case BPF_JLE:
      if (fwd) {
        findGoodPktPointers(taken, dst, dst.type, false);
        markPktEnd(fall, dstno, true);
      } else {
        findGoodPktPointers(fall, src, src.type, true);
        markPktEnd(taken, srcno, false);
      }
      return true;
    default:
      return false;
  }
}

// ---- references ------------------------------------------------------------------------------------

/** acquire_reference: a new reference id, remembered with the acquiring instruction */
export function acquireReference(st: VState, insnIdx: number): number {
  const id = nextId();
  cover('acquire_reference:acquired');
  st.refs.push({ id, insnIdx });
  return id;
}

/** the reference a pointer belongs to: reg->ref_obj_id (6.12 casts), else its id */
export const refIdOf = (r: Reg): number => r.refObjId || r.id;

export const isReferenced = (st: VState, r: Reg): boolean => refIdOf(r) !== 0 && st.refs.some((ref) => ref.id === refIdOf(r));

/** release_reference_nomark */
function releaseReferenceState(st: VState, id: number): boolean {
  const i = st.refs.findIndex((ref) => ref.id === id);
  if (i < 0) return false;
  st.refs.splice(i, 1);
  return true;
}

/** release_reference: the reference is gone and so is every copy of the pointer (privileged: unknown scalars) */
export function releaseReference(st: VState, id: number): void {
  if (releaseReferenceState(st, id)) cover('release_reference:released');
  forEachReg(st, (r) => {
    if (r.id === id || r.refObjId === id) markUnknown(r);
  });
}

/** check_reference_leak at an exit of frame 0: the reason line, naming one of the references still held */
export function referenceLeak(st: VState, profile: Profile, template = profile.messages.referenceLeakAtExit): string | undefined {
  if (st.refs.length === 0) return undefined;
  const ref = st.refs[profile.messages.leakedReference === 'first' ? 0 : st.refs.length - 1]!;
  return fillMessage(template, { id: ref.id, insn: ref.insnIdx });
}
