// The privileged dead-code passes of bpf_check (kernel/bpf/fixups.c), in their order:
// bpf_opt_hard_wire_dead_code_branches, bpf_opt_remove_dead_code, bpf_opt_remove_nops.
import type { RawInsn } from '../../isa/raw.ts';
import { BPF_CALL, BPF_EXIT, BPF_JA, BPF_JCOND, BPF_JMP, BPF_JMP32 } from '../../isa/index.ts';
import { removeInsns, type XProg } from './xprog.ts';
import { cover } from '../cover/sink.ts';


/** bpf_insn_is_cond_jump */
function isCondJump(code: number): boolean {
  const o = code & 0xf0;
  if ((code & 0x07) === BPF_JMP32) return o !== BPF_JA;
  if ((code & 0x07) !== BPF_JMP) return false;
  return o !== BPF_JA && o !== BPF_EXIT && o !== BPF_CALL;
}

const ja = (off: number): RawInsn => ({ code: BPF_JMP | BPF_JA, dst: 0, src: 0, off, imm: 0 });

/** bpf_opt_hard_wire_dead_code_branches: a conditional jump with one dead side becomes `goto` or a nop */
export function hardWireDeadCodeBranches(x: XProg): void {
  for (let i = 0; i < x.insns.length; i++) {
    const insn = x.insns[i]!;
    if (!isCondJump(insn.code)) continue;
    if (!x.aux[i + 1]?.seen) {
      cover('bpf_opt_hard_wire_dead_code_branches:goto');
      x.insns[i] = ja(insn.off);
    } else if (!x.aux[i + 1 + insn.off]?.seen) {
      cover('bpf_opt_hard_wire_dead_code_branches:nop');
      x.insns[i] = ja(0);
    } else continue;
    x.aux[i]!.origin = 'bpf_opt_hard_wire_dead_code_branches';
  }
}

/** bpf_opt_remove_dead_code: every run of instructions no path reached is removed */
export function removeDeadCode(x: XProg): void {
  for (let i = 0; i < x.insns.length; i++) {
    let j = 0;
    while (i + j < x.insns.length && !x.aux[i + j]!.seen) j++;
    if (j) {
      cover('bpf_opt_remove_dead_code:removed');
      removeInsns(x, i, j);
    }
  }
}

const isNop = (i: RawInsn) => i.code === (BPF_JMP | BPF_JA) && i.dst === 0 && i.src === 0 && i.off === 0 && i.imm === 0;
const isMayGoto0 = (i: RawInsn) => i.code === (BPF_JMP | BPF_JCOND) && i.dst === 0 && i.src === 0 && i.off === 0 && i.imm === 0;

/** bpf_opt_remove_nops: `goto +0` and `may_goto +0` go */
export function removeNops(x: XProg): void {
  for (let i = 0; i < x.insns.length; i++) {
    const insn = x.insns[i]!;
    const mayGoto0 = isMayGoto0(insn);
    if (!mayGoto0 && !isNop(insn)) continue;
    cover('bpf_opt_remove_nops:removed');
    removeInsns(x, i, 1);
    // go back one insn to catch may_goto +1; may_goto +0
    i -= mayGoto0 && i > 0 ? 2 : 1;
  }
}
