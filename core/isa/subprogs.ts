// Subprograms of a listing without `.func` lines, found as the kernel finds them: every
// BPF-to-BPF call (`call pc+N`, src_reg BPF_PSEUDO_CALL) and every function-pointer load
// (`r1 = func_addr`, src_reg BPF_PSEUDO_FUNC) starts one at its target
// (add_subprog_and_kfunc / add_subprog in kernel/bpf/verifier.c). The kernel takes a function's
// argument count from BTF, which a pasted log does not have, so the count is read from the
// instructions: a function that loads incoming stack arguments (`rX = *(u64 *)(r11 +8k)`) has
// 5 + k of them; one without a branch shows exactly which of r1..r5 it reads before writing;
// for any other, 5 is assumed. Each inferred function says how its count was found.
import type { RawInsn } from './raw.ts';
import {
  BPF_ALU, BPF_ALU64, BPF_CALL, BPF_DW, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LD, BPF_LDX, BPF_MEM, BPF_MOV, BPF_NEG, BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC, BPF_REG_PARAMS, BPF_ST, BPF_STX, BPF_X, OPCODE_LD_IMM64, opClass, opOp, opSource,
} from './opcode.ts';

export interface InferredFunc {
  name: string;
  start: number;
  args: number;
  /** how `args` was found, for a comment in `disasm --source` */
  note: string;
}

/** Starts of every subprogram the calls and function-pointer loads name, besides 0. */
export function subprogramStarts(insns: readonly RawInsn[]): number[] {
  const starts = new Set<number>();
  insns.forEach((insn, i) => {
    const call = insn.code === (BPF_JMP | BPF_CALL) && insn.src === BPF_PSEUDO_CALL;
    const func = insn.code === OPCODE_LD_IMM64 && insn.src === BPF_PSEUDO_FUNC;
    if (call || func) starts.add(i + insn.imm + 1);
  });
  starts.delete(0);
  return [...starts].sort((a, b) => a - b);
}

/** Registers r1..r5 an instruction reads and the one it writes (-1: none). */
function regUse(insn: RawInsn): { reads: number[]; writes: number } {
  const cls = opClass(insn.code);
  const x = opSource(insn.code) === BPF_X;
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      const mov = opOp(insn.code) === BPF_MOV;
      const neg = opOp(insn.code) === BPF_NEG;
      const reads = [...(mov ? [] : [insn.dst]), ...(x && !neg ? [insn.src] : [])];
      return { reads, writes: insn.dst };
    }
    case BPF_LDX:
      return { reads: [insn.src], writes: insn.dst };
    case BPF_ST:
      return { reads: [insn.dst], writes: -1 };
    case BPF_STX:
      return { reads: [insn.dst, insn.src], writes: -1 };
    case BPF_LD:
      return { reads: [], writes: insn.code === OPCODE_LD_IMM64 ? insn.dst : 0 };
    case BPF_JMP:
    case BPF_JMP32:
      return { reads: [insn.dst, ...(x ? [insn.src] : [])], writes: -1 };
    default:
      return { reads: [], writes: -1 };
  }
}

/** The argument count of the function in [start, end), and how it was found. */
function argsOf(insns: readonly RawInsn[], start: number, end: number): { args: number; note: string } {
  let stackArgs = 0;
  for (let i = start; i < end; i++) {
    const insn = insns[i];
    if (insn.code === (BPF_LDX | BPF_MEM | BPF_DW) && insn.src === BPF_REG_PARAMS && insn.off > 0 && insn.off % 8 === 0) stackArgs = Math.max(stackArgs, insn.off / 8);
  }
  if (stackArgs > 0) return { args: Math.min(12, 5 + stackArgs), note: `loads stack argument ${5 + stackArgs} from r11 +${stackArgs * 8}` };
  const written = new Set<number>();
  let highest = 0;
  for (let i = start; i < end; i++) {
    const insn = insns[i];
    const cls = opClass(insn.code);
    const branches = (cls === BPF_JMP || cls === BPF_JMP32) && insn.code !== (BPF_JMP | BPF_CALL) && insn.code !== (BPF_JMP | BPF_EXIT);
    if (branches || (cls === BPF_JMP && insn.code === (BPF_JMP | BPF_JA))) return { args: 5, note: 'has branches, so the arguments it reads are unknown: 5 assumed' };
    if (insn.code === (BPF_JMP | BPF_EXIT)) break;
    if (insn.code === (BPF_JMP | BPF_CALL)) {
      for (let r = 1; r <= 5; r++) written.add(r); // a call leaves r1..r5 clobbered
      continue;
    }
    const use = regUse(insn);
    for (const r of use.reads) if (r >= 1 && r <= 5 && !written.has(r)) highest = Math.max(highest, r);
    if (use.writes >= 0) written.add(use.writes);
    if (insn.code === OPCODE_LD_IMM64) i++;
  }
  return { args: highest, note: highest === 0 ? 'reads no argument register' : `reads r${highest} before writing it` };
}

/**
 * The function table of a listing without `.func` lines: `main` (args=1) at 0, then a
 * `subprog_N` at each call target N, with the argument count the instructions show.
 */
export function inferFunctions(insns: readonly RawInsn[]): InferredFunc[] {
  const starts = subprogramStarts(insns).filter((s) => s > 0 && s < insns.length);
  const out: InferredFunc[] = [{ name: 'main', start: 0, args: 1, note: '' }];
  starts.forEach((start, k) => {
    const end = starts[k + 1] ?? insns.length;
    const { args, note } = argsOf(insns, start, end);
    out.push({ name: `subprog_${start}`, start, args, note: `called, not declared: ${note}` });
  });
  return out;
}
