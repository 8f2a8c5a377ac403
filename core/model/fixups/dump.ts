// What the xlated dump shows of calls and address constants after the JIT: jit_subprogs'
// last step (kernel/bpf/fixups.c) leaves a subprogram call as (imm = pc offset, off = subprog
// id), and bpf_insn_prepare_dump (kernel/bpf/syscall.c) swaps them back to the legacy layout
// (imm = subprog id, off = pc offset, or 0 when it does not fit 16 bits). Also which
// instruction fields hold a kernel address (helper call immediates: fn - __bpf_call_base; the
// per-CPU variable address of an inlined helper), which no model can know: the comparison masks them.
import type { RawInsn } from '../../isa/raw.ts';
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL } from '../../isa/index.ts';

const CALL = BPF_JMP | BPF_CALL;

export function dumpCalls(insns: RawInsn[], starts: readonly number[]): RawInsn[] {
  return insns.map((insn, i) => {
    if (insn.code !== CALL || insn.src !== BPF_PSEUDO_CALL) return insn;
    const sub = starts.indexOf(i + insn.imm + 1);
    return { ...insn, imm: sub, off: insn.imm > 32767 || insn.imm < -32768 ? 0 : insn.imm };
  });
}

/** indices of instructions whose imm is a kernel address (helper calls, the inlined cpu_number address) */
export function addressImms(insns: readonly RawInsn[]): number[] {
  const out: number[] = [];
  insns.forEach((insn, i) => {
    if (insn.code === CALL && insn.src === 0) out.push(i);
    // BPF_MOV64_IMM(r0, &var) followed by BPF_MOV64_PERCPU_REG(r0, r0)
    const next = insns[i + 1];
    if (insn.code === 0xb7 && next && next.code === 0xbf && next.off === -1) out.push(i);
  });
  return out;
}
