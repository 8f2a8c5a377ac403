// check_ld_abs (kernel/bpf/verifier.c): LD_ABS / LD_IND, the cBPF carry-over packet loads. Only
// skb programs have them (may_access_skb); R6 must hold the unmodified ctx; a reference still held
// in main refuses them (gen_ld_abs may end the program); they clobber R1-R5 and leave an unknown
// R0. In a subprogram the hidden `exit` with R0 = 0 that bpf_gen_ld_abs emits for a failed load is
// walked too: the path forks, one side returning 0 to the caller (prepare_func_exit). The field
// checks (reserved fields) are check_insn_fields' on 7.x (precheck.ts); 6.12 makes them here.
import type { RawInsn } from '../isa/raw.ts';
import { BPF_IND, opMode, opSize, BPF_DW } from '../isa/index.ts';
import type { ProgType } from '../program/types.ts';
import { cover } from './coverage.ts';
import { checkArgPtrOff } from './helper-call.ts';
import { EACCES, EINVAL, msg } from './messages.ts';
import { referenceLeak } from './pointers.ts';
import { reject, type CheckResult } from './precheck.ts';
import type { Profile } from './profile.ts';
import { cloneState, curFrame, knownScalar, notInitReg, unknownScalar, type VState } from './state.ts';

/** may_access_skb (sched_act too, which bpfdiff does not load) */
const SKB_TYPES: ReadonlySet<ProgType> = new Set<ProgType>(['socket_filter', 'sched_cls']);

/**
 * The walk of one LD_ABS/LD_IND at `st.insnIdx`: a verdict, or undefined with `st` moved on (to
 * the next instruction, or back to the caller on a subprogram's hidden-exit side, the other side
 * given to `fork`).
 */
export function checkLdAbs(st: VState, insn: RawInsn, progType: ProgType, profile: Profile, fork: (other: VState) => void, exit: (st: VState) => CheckResult | undefined): CheckResult | undefined {
  if (!SKB_TYPES.has(progType)) return reject(EINVAL, 'BPF_LD_[ABS|IND] instructions not allowed for this program type');
  const indirect = opMode(insn.code) === BPF_IND;
  if (!profile.features.insnFieldsCheckedBeforeWalk && (insn.dst !== 0 || insn.off !== 0 || opSize(insn.code) === BPF_DW || (!indirect && insn.src !== 0)))
    return reject(EINVAL, 'BPF_LD_[ABS|IND] uses reserved fields');
  const regs = curFrame(st).regs;
  if (regs[6]!.type === 'not_init') return reject(EACCES, msg.notReadOk(6));
  // check_reference_leak looks at main only
  const leak = st.frames.length === 1 ? referenceLeak(st, profile, profile.messages.ldAbsReferenceLeak) : undefined;
  if (leak) return reject(EINVAL, leak);
  if (regs[6]!.type !== 'ptr_to_ctx') return reject(EINVAL, 'at the time of BPF_LD_ABS|IND R6 != pointer to skb');
  if (indirect && regs[insn.src]!.type === 'not_init') return reject(EACCES, msg.notReadOk(insn.src));
  const off = checkArgPtrOff(regs[6]!, 'R6');
  if (off) return off;
  cover(indirect ? 'check_ld_abs:ind' : 'check_ld_abs:abs');
  for (let r = 1; r <= 5; r++) regs[r] = notInitReg();
  regs[0] = unknownScalar();
  st.insnIdx += 1;
  if (st.frames.length === 1) return undefined;
  // the subprogram's hidden exit: this path returns 0 to the caller, the pushed one goes on
  cover('check_ld_abs:subprog-exit');
  fork(cloneState(st));
  regs[0] = knownScalar(0n);
  return exit(st);
}
