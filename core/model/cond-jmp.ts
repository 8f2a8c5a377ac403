// Conditional jumps (check_cond_jmp_op in kernel/bpf/verifier.c): deciding the branch when the
// operands allow (is_branch_taken), else forking the path with both edges' refined registers,
// linked scalars learning the refined bounds (sync_linked_regs) and pointer comparisons
// resolving NULL and packet ranges.
import type { RawInsn } from '../isa/raw.ts';
import {
  BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JMP32, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_X,
  opClass, opOp, opSource,
} from '../isa/index.ts';
import { cover } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import { EACCES, EFAULT, EINVAL, msg } from './messages.ts';
import { markPtrNotNull, markPtrOrNullRegs, pktPtrBranchTaken, regNotNull, tryMatchPktPointers } from './pointers.ts';
import { reject, type CheckResult } from './precheck.ts';
import { boundsInsane } from './scalar/bounds.ts';
import { collectLinkedRegs, syncLinkedRegs, unlinkedReg, type LinkedReg, type LinkedRegsRules } from './linked-regs.ts';
import { flipOpcode, regSetMinMax612, scalarBranchTaken, type BranchRegs } from './scalar/branch.ts';
import { tnumIsConst } from './scalar/tnum.ts';
import { cloneState, curFrame, isPktPointerAny, knownScalarImm, mayBeNull, type Reg, type VState } from './state.ts';

const NULL_CHECK_RULES: Partial<Record<Reg['type'], CheckRuleId>> = {
  map_value_or_null: 'mark_ptr_or_null_regs:map-value',
  sock_or_null: 'mark_ptr_or_null_regs:socket',
  sock_common_or_null: 'mark_ptr_or_null_regs:sock-common',
  tcp_sock_or_null: 'mark_ptr_or_null_regs:tcp-sock',
  mem_or_null: 'mark_ptr_or_null_regs:mem',
  btf_sock_or_null: 'mark_ptr_or_null_regs:btf-sock',
};

/** the rule of each comparison, [64-bit, 32-bit] */
const JMP_RULES: Record<number, readonly [CheckRuleId, CheckRuleId]> = {
  [BPF_JEQ]: ['check_cond_jmp_op:jeq', 'check_cond_jmp_op:jeq32'],
  [BPF_JNE]: ['check_cond_jmp_op:jne', 'check_cond_jmp_op:jne32'],
  [BPF_JGT]: ['check_cond_jmp_op:jgt', 'check_cond_jmp_op:jgt32'],
  [BPF_JGE]: ['check_cond_jmp_op:jge', 'check_cond_jmp_op:jge32'],
  [BPF_JLT]: ['check_cond_jmp_op:jlt', 'check_cond_jmp_op:jlt32'],
  [BPF_JLE]: ['check_cond_jmp_op:jle', 'check_cond_jmp_op:jle32'],
  [BPF_JSGT]: ['check_cond_jmp_op:jsgt', 'check_cond_jmp_op:jsgt32'],
  [BPF_JSGE]: ['check_cond_jmp_op:jsge', 'check_cond_jmp_op:jsge32'],
  [BPF_JSLT]: ['check_cond_jmp_op:jslt', 'check_cond_jmp_op:jslt32'],
  [BPF_JSLE]: ['check_cond_jmp_op:jsle', 'check_cond_jmp_op:jsle32'],
  [BPF_JSET]: ['check_cond_jmp_op:jset', 'check_cond_jmp_op:jset32'],
};

/** check_cond_jmp_op: decides the branch or forks the path; `fork` takes the state that jumps;
 *  `legacy612`: scalar edges decided and refined as 6.12 does (Profile.features.boundsSync7x false) */
export function checkCondJmpOp(
  st: VState, insn: RawInsn, idx: number, fork: (other: VState) => void, linkedRules: LinkedRegsRules, legacy612 = false,
): CheckResult | undefined {
  const regs = curFrame(st).regs;
  const o = opOp(insn.code);
  if (o > 0xd0) return reject(EINVAL, `invalid BPF_JMP/JMP32 opcode ${o.toString(16)}`);
  if (regs[insn.dst]!.type === 'not_init') return reject(EACCES, msg.notReadOk(insn.dst));
  const isX = opSource(insn.code) === BPF_X;
  if (isX && regs[insn.src]!.type === 'not_init') return reject(EACCES, msg.notReadOk(insn.src));
  const jmp32 = opClass(insn.code) === BPF_JMP32;
  const rules = JMP_RULES[o];
  if (rules) cover(rules[jmp32 ? 1 : 0]);
  if (isX) cover(insn.src === insn.dst ? 'check_cond_jmp_op:same-reg' : 'check_cond_jmp_op:reg-reg');
  // 7.x gathers linked registers before deciding the branch (and clears the ids past the limit)
  const linked: LinkedReg[] = [];
  if (linkedRules.live) collectLinked(st, insn, isX, linked, linkedRules);
  const dst = regs[insn.dst]!;
  const srcReg = isX ? regs[insn.src]! : knownScalarImm(insn.imm);
  const b: BranchRegs = { true1: { ...dst }, true2: { ...srcReg }, false1: { ...dst }, false2: { ...srcReg } };
  let pred: -1 | 0 | 1;
  const sameReg = isX && insn.src === insn.dst;
  if (dst.type === 'scalar' && srcReg.type === 'scalar') pred = scalarBranchTaken(dst, srcReg, sameReg, o, jmp32, b, legacy612);
  else pred = pointerBranchTaken(st, dst, srcReg, o, jmp32);
  const target = idx + insn.off + 1;
  if (pred === 1) {
    cover('is_branch_taken:always');
    if (target <= idx) cover('do_check:back-edge-walked');
    st.insnIdx = target;
    return undefined;
  }
  if (pred === 0) {
    cover('is_branch_taken:never');
    st.insnIdx = idx + 1;
    return undefined;
  }
  cover('check_cond_jmp_op:fork');
  if (!linkedRules.live) {
    // 6.12 gathers them only here, from the registers the branch copies were made of
    collectLinked(st, insn, isX, linked, linkedRules);
    if (regs[insn.dst]!.id !== dst.id) [b.true1, b.false1] = [unlinkedReg(b.true1), unlinkedReg(b.false1)];
    if (isX && regs[insn.src]!.id !== srcReg.id) [b.true2, b.false2] = [unlinkedReg(b.true2), unlinkedReg(b.false2)];
  }
  if (target <= idx) cover('do_check:back-edge-walked');
  if (dst.type !== 'scalar' || srcReg.type !== 'scalar') cover('check_cond_jmp_op:pointer-compare');
  if (!legacy612) {
    for (const r of [b.true1, b.true2, b.false1, b.false2]) if (r.type === 'scalar' && boundsInsane(r)) return reject(EFAULT, 'verifier bug: REG INVARIANTS VIOLATION');
  } else if (dst.type === 'scalar' && srcReg.type === 'scalar' && regSetMinMax612(b, o, jmp32, sameReg) > 0) {
    cover('reg_set_min_max:invariant-violation');
  }
  const other = cloneState(st);
  const oregs = curFrame(other).regs;
  regs[insn.dst] = b.false1;
  if (isX) regs[insn.src] = b.false2;
  oregs[insn.dst] = b.true1;
  if (isX) oregs[insn.src] = b.true2;
  if (isX && insn.src === insn.dst) {
    // both names refer to one register: the kernel writes dst last
    regs[insn.dst] = b.false1;
    oregs[insn.dst] = b.true1;
  }
  const srcLinked = isX && regs[insn.src]!.type === 'scalar' && regs[insn.src]!.id !== 0;
  const dstLinked = regs[insn.dst]!.type === 'scalar' && regs[insn.dst]!.id !== 0;
  if (srcLinked || dstLinked) cover('sync_linked_regs:linked');
  if (srcLinked) {
    syncLinkedRegs(st, regs[insn.src]!, linked, legacy612);
    syncLinkedRegs(other, oregs[insn.src]!, linked, legacy612);
  }
  if (dstLinked) {
    syncLinkedRegs(st, regs[insn.dst]!, linked, legacy612);
    syncLinkedRegs(other, oregs[insn.dst]!, linked, legacy612);
  }
  if (!jmp32 && dst.type !== 'scalar') learnFromPointerJmp(insn, o, dst, srcReg, st, other);
  other.insnIdx = target;
  st.insnIdx = idx + 1;
  fork(other);
  return undefined;
}

/**
 * check_cond_jmp_op after the fork, for a pointer in dst: pointer == pointer lifts a NULL
 * possibility, `if (p == 0)` resolves one in both branches, a comparison with pkt_end gives
 * packet pointers their range. `st` falls through, `other` takes the jump.
 */
function learnFromPointerJmp(insn: RawInsn, o: number, dst: Reg, srcReg: Reg, st: VState, other: VState): void {
  const isX = opSource(insn.code) === BPF_X;
  if (isX && srcReg.type !== 'scalar' && (o === BPF_JEQ || o === BPF_JNE)) {
    const eq = curFrame(o === BPF_JEQ ? other : st).regs;
    if (regNotNull(dst, st) && mayBeNull(srcReg.type)) {
      cover('mark_ptr_not_null_reg:ptr-eq-ptr');
      markPtrNotNull(eq[insn.src]!);
    }
    if (regNotNull(srcReg, st) && mayBeNull(dst.type)) {
      cover('mark_ptr_not_null_reg:ptr-eq-ptr');
      markPtrNotNull(eq[insn.dst]!);
    }
  }
  const againstZero = isX ? srcReg.type === 'scalar' && tnumIsConst(srcReg.varOff) && srcReg.varOff.value === 0n : insn.imm === 0;
  if ((o === BPF_JEQ || o === BPF_JNE) && mayBeNull(dst.type) && againstZero) {
    cover('mark_ptr_or_null_regs:null-check');
    const typed = NULL_CHECK_RULES[dst.type];
    if (typed) cover(typed);
    markPtrOrNullRegs(st, dst.id, o === BPF_JNE);
    markPtrOrNullRegs(other, dst.id, o === BPF_JEQ);
  } else if (isX) {
    tryMatchPktPointers(o, insn.dst, insn.src, dst, srcReg, st, other);
  }
}

/** is_branch_taken when a pointer is involved: only packet pointers against pkt_end and a non-NULL pointer against 0 */
function pointerBranchTaken(st: VState, dst: Reg, srcReg: Reg, o: number, jmp32: boolean): -1 | 0 | 1 {
  if (isPktPointerAny(dst.type) && isPktPointerAny(srcReg.type) && !jmp32) {
    const taken = pktPtrBranchTaken(dst, srcReg, o);
    if (taken >= 0) cover('is_pkt_ptr_branch_taken:decided');
    return taken;
  }
  // the low 32 bits of a valid pointer may well be zero
  if (jmp32) return -1;
  const isConst = (r: Reg): boolean => r.type === 'scalar' && tnumIsConst(r.varOff);
  let r1 = dst, r2 = srcReg, opc = o;
  if (!isConst(r2)) {
    opc = flipOpcode(opc);
    [r1, r2] = [r2, r1];
  }
  if (!isConst(r2) || !regNotNull(r1, st) || r2.varOff.value !== 0n) return -1;
  if (opc === BPF_JEQ || opc === BPF_JNE) cover('is_branch_taken:non-null-pointer');
  return opc === BPF_JEQ ? 0 : opc === BPF_JNE ? 1 : -1;
}

/** collect_linked_regs for src (a register) and then dst, into one list, as check_cond_jmp_op does */
function collectLinked(st: VState, insn: RawInsn, isX: boolean, linked: LinkedReg[], rules: LinkedRegsRules): void {
  const regs = curFrame(st).regs;
  const src = regs[insn.src]!;
  if (isX && src.type === 'scalar' && src.id) collectLinkedRegs(st, src.id, linked, rules);
  const dst = regs[insn.dst]!;
  if (dst.type === 'scalar' && dst.id) collectLinkedRegs(st, dst.id, linked, rules);
}
