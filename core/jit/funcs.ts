// The function table of a rewritten program. jit_subprogs() splits the program at each
// subprogram's start. In the kernel's xlated dump (bpf_insn_prepare_dump,
// prepare_dump_pseudo_call) a BPF-to-BPF call carries the callee's subprogram index in imm and
// its pc-relative offset in off; in a loaded program the offset is in imm and off is 0. Either
// way the starts can be read back from the program itself.
import type { RawInsn } from '../isa/raw.ts';
import { BPF_PSEUDO_CALL as PSEUDO_CALL } from '../isa/index.ts';
import type { JitFunc } from './types.ts';

const PSEUDO_FUNC = 4;

/** The instruction a BPF-to-BPF call at `i` jumps to, in either layout. */
export const callTarget = (insn: RawInsn, i: number): number => i + (insn.off !== 0 ? insn.off : insn.imm) + 1;

/** Starts of the functions of a rewritten program: 0 and every call or callback target, sorted. */
export function funcStartsOf(insns: readonly RawInsn[]): number[] {
  const starts = new Set<number>([0]);
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    if (insn.code === 0x85 && insn.src === PSEUDO_CALL) starts.add(callTarget(insn, i));
    if (insn.code === 0x18) {
      if (insn.src === PSEUDO_FUNC) starts.add(i + insn.imm + 1);
      i++;
    }
  }
  return [...starts].sort((a, b) => a - b);
}

/** Per-function facts from the verifier (bpf_subprog_info), in function order. */
interface SubprogFacts {
  stackDepth: number;
  /** stack_arg_cnt and bpf_in_stack_arg_cnt */
  stackArgCnt?: number;
  inStackArgs?: number;
}

/** JitFunc records for a rewritten program from its function starts and the verifier's facts. */
export function jitFuncs(starts: readonly number[], facts: readonly SubprogFacts[]): JitFunc[] {
  return starts.map((start, k) => {
    const f = facts[k];
    return {
      start,
      stackDepth: f?.stackDepth ?? 0,
      outStackArgs: f ? (f.stackArgCnt ?? 0) - (f.inStackArgs ?? 0) : 0,
    };
  });
}
