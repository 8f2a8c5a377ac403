// The program while bpf_check rewrites it: instructions, the per-instruction facts the walk left
// (a slice of struct bpf_insn_aux_data) and the subprogram starts. Patching and removal mirror
// bpf_patch_insn_data / bpf_patch_insn_single + bpf_adj_branches (kernel/bpf/core.c) and
// verifier_remove_insns + adjust_subprog_starts_after_remove (kernel/bpf/fixups.c).
import type { RawInsn } from '../../isa/raw.ts';
import { OPCODE_LD_IMM64 as LD_IMM64 } from '../../isa/index.ts';
import { BPF_CALL, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC } from '../../isa/index.ts';

interface InsnAux {
  seen: boolean;
  /** pointer type the memory operand had on every path ('mixed' when paths disagree) */
  ptrType?: string;
  /** map index in R1 at a helper call; -1 when paths passed different maps */
  callMap?: number;
  /** the kernel function that wrote this instruction (undefined: it is the program's own) */
  origin?: string;
  /** zext_dst: a 32-bit cmpxchg whose R0 a path read as 64 bits */
  zextDst?: boolean;
}

export interface XProg {
  insns: RawInsn[];
  aux: InsnAux[];
  /** subprog_info[].start, plus the fake 'exit' subprog at the end */
  starts: number[];
  /** the original subprog index of each entry of `starts` (minus the fake one) */
  subIds: number[];
}

const isPseudoFunc = (i: RawInsn) => i.code === LD_IMM64 && i.src === BPF_PSEUDO_FUNC;

/** bpf_adj_branches: every jump and pc-relative call that crosses [pos, endOld) moves by endNew - endOld */
function adjBranches(insns: RawInsn[], pos: number, endOld: number, endNew: number): void {
  const delta = endNew - endOld;
  const adj = (curr: number, v: number): number => {
    if (curr < pos && curr + v + 1 >= endOld) return v + delta;
    if (curr >= endNew && curr + v + 1 < endNew) return v - delta;
    return v;
  };
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    if (isPseudoFunc(insn)) {
      insns[i] = { ...insn, imm: adj(i, insn.imm) };
      continue;
    }
    const c = insn.code & 0x07;
    const o = insn.code & 0xf0;
    if ((c !== BPF_JMP && c !== BPF_JMP32) || o === BPF_EXIT) continue;
    if (o === BPF_CALL) {
      if (insn.src === BPF_PSEUDO_CALL) insns[i] = { ...insn, imm: adj(i, insn.imm) };
    } else if (insn.code === (BPF_JMP32 | BPF_JA)) {
      insns[i] = { ...insn, imm: adj(i, insn.imm) };
    } else {
      insns[i] = { ...insn, off: adj(i, insn.off) };
    }
  }
}

/** bpf_patch_insn_data: `patch` replaces the instruction at `pos`; returns the new delta (patch.length - 1) */
export function patchInsn(x: XProg, pos: number, patch: RawInsn[], origin: string): number {
  const cnt = patch.length;
  const original = x.insns[pos];
  x.insns.splice(pos, 1, ...patch);
  // adjust_insn_aux_data: the old aux moves to the last patched insn, the others share its `seen`
  const old = x.aux[pos]!;
  if (patch[cnt - 1] !== original) old.origin = origin;
  if (cnt === 1) return 0;
  const fresh: InsnAux[] = Array.from({ length: cnt - 1 }, () => ({ seen: old.seen, origin }));
  x.aux.splice(pos, 0, ...fresh);
  // adjust_subprog_starts
  for (let i = 0; i < x.starts.length; i++) if (x.starts[i]! > pos) x.starts[i]! += cnt - 1;
  adjBranches(x.insns, pos, pos + 1, pos + cnt);
  return cnt - 1;
}

/** verifier_remove_insns: drops [off, off + cnt), whole subprograms included */
export function removeInsns(x: XProg, off: number, cnt: number): void {
  x.insns.splice(off, cnt);
  x.aux.splice(off, cnt);
  adjBranches(x.insns, off, off + cnt, off);
  // adjust_subprog_starts_after_remove (starts holds the fake exit subprog last)
  const subCnt = x.starts.length - 1;
  let i = 0;
  while (i < subCnt && x.starts[i]! < off) i++;
  let j = i;
  while (j < subCnt && x.starts[j]! < off + cnt) j++;
  if (x.starts[j] !== off + cnt) j--;
  if (j > i) {
    x.starts.splice(i, j - i);
    x.subIds.splice(i, j - i);
  } else if (x.starts[i] === off) {
    i++;
  }
  for (; i < x.starts.length; i++) x.starts[i]! -= cnt;
}
