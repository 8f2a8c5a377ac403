// Mutations that make a program malformed before the walk: the structural passes of bpf_check
// (kernel/bpf/verifier.c check_subprogs, check_and_resolve_insns → resolve_pseudo_ldimm64 and
// check_insn_fields; kernel/bpf/cfg.c bpf_check_cfg; sort_subprogs_topo's recursion check) and
// the two exit checks of a subprogram (prepare_func_exit, process_bpf_exit_full). Each is what a
// hand-written or miscompiled program gets wrong: a jump past its function, a function that falls
// through, dead code, a jump into an ld_imm64, a malformed ld_imm64, a write to r10, recursion,
// a pointer to the callee's own stack returned.
import { BPF_ADD, BPF_ALU64, BPF_JCOND, BPF_JEQ, BPF_JGT, BPF_JMP, BPF_K, BPF_MOV, BPF_X, E, OPCODE_LD_IMM64, R_FP, type FuncIr, type Op } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, reached, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { READ_REGS, W } from './values.ts';

const insn = (code: number, dst: number, src: number, off: number, imm: number): Op => ({ kind: 'insn', insn: { code, dst, src, off, imm } });

function atExit(f: FuncIr, ...ops: Op[]): void {
  f.ops.splice(exitAt(f), 0, ...ops);
}

/** the index of a function's last op (its exit) */
const lastExit = (f: FuncIr): number => f.ops.length - 1;

/** a move into r10, an ALU op on it, or a load into it */
function fpWrite(c: MutationCtx): string {
  const { rng } = c;
  const variants: Op[] = [E.movReg(R_FP, rng.pick(READ_REGS)), E.aluImm(BPF_ADD, R_FP, rng.pick([8, -8, 16])), E.movImm(R_FP, 0), E.ldx('DW', R_FP, R_FP, -8)];
  atExit(reached(c), E.st('DW', R_FP, -8, 0), rng.pick(variants));
  return '^frame pointer is read only$';
}

/** a conditional jump whose target lies past the end of its function (or before its start) */
function jumpOutOfRange(c: MutationCtx): string {
  const { rng } = c;
  const off = rng.pick([0x7fff, 0x4000, -0x8000]);
  atExit(reached(c), insn(BPF_JMP | BPF_JGT | BPF_K, rng.pick(W), 0, off, rng.pick([0, 1, 0x100])));
  return '^jump out of range from insn \\d+ to -?\\d+$';
}

/** a function whose last instruction is not its exit: a move after the exit */
function fallsThrough(c: MutationCtx): string {
  const f = reached(c);
  f.ops.push(E.movImm(0, c.rng.pick([0, 1, -1])));
  return '^last insn is not an exit or jmp$';
}

/** an instruction no path reaches: jumped over unconditionally */
function unreachableInsn(c: MutationCtx): string {
  const l = c.newLabel();
  atExit(reached(c), E.ja(l), E.movImm(c.rng.pick(W), c.rng.i32()), E.label(l));
  return '^unreachable insn \\d+$';
}

/** a conditional jump that lands on the second half of an ld_imm64 */
function jumpIntoLdImm64(c: MutationCtx): string {
  const { rng } = c;
  const r = rng.pick(W);
  atExit(reached(c), insn(BPF_JMP | BPF_JEQ | BPF_K, r, 0, 1, rng.pick([0, 1, -1])), E.ld64(r, rng.i32(), rng.i32()));
  return '^jump into the middle of ldimm64 insn \\d+$';
}

/** an ld_imm64 whose second half is an instruction, or that carries an offset */
function ldImm64Malformed(c: MutationCtx): string {
  const { rng } = c;
  const r = rng.pick(W);
  if (rng.chance(0.5)) {
    atExit(reached(c), insn(OPCODE_LD_IMM64, r, 0, 0, rng.i32()), E.movImm(r, rng.i32()));
    return '^invalid bpf_ld_imm64 insn$';
  }
  atExit(reached(c), insn(OPCODE_LD_IMM64, r, 0, rng.pick([1, -1, 8]), rng.i32()), insn(0, 0, 0, 0, rng.i32()));
  return '^BPF_LD_IMM64 uses reserved fields$';
}

/** an ld_imm64 with a source the kernel does not know, or a map by index without fd_array */
function ldImm64BadSrc(c: MutationCtx): string {
  const { rng } = c;
  const r = rng.pick(W);
  if (rng.chance(0.5)) {
    atExit(reached(c), { kind: 'ld64', dst: r, lo: 0, hi: 0, src: rng.pick([7, 8, 9]) });
    return '^unrecognized bpf_ld_imm64 insn$';
  }
  // BPF_PSEUDO_MAP_IDX(_VALUE): the loader passes no fd_array
  atExit(reached(c), { kind: 'ld64', dst: r, lo: 0, hi: 0, src: rng.pick([5, 6]) });
  return '^fd_idx without fd_array is invalid$';
}

/** may_goto with an immediate, or an address-space cast between spaces other than 0 and 1 */
function reservedJcondOrCast(c: MutationCtx): string {
  const { rng } = c;
  if (rng.chance(0.5)) {
    const imm = rng.pick([1, 2, -1]);
    atExit(reached(c), insn(BPF_JMP | BPF_JCOND, 0, 0, 0, imm));
    return `^invalid may_goto imm ${imm}$`;
  }
  atExit(reached(c), insn(BPF_ALU64 | BPF_MOV | BPF_X, rng.pick(W), rng.pick(W), 1, rng.pick([2, 0x20001, 0x10002, 0])));
  return '^addr_space_cast insn can only convert between address space 1 and 0$';
}

/** a function that calls itself */
function recursiveCall(c: MutationCtx): string {
  const k = c.rng.int(0, c.funcs.length - 1);
  atExit(c.funcs[k], E.call(k));
  return '^recursive call from \\S+ to \\S+$';
}

/**
 * A subprogram returns a pointer to its own stack: a static callee's caller would be left with a
 * dangling pointer (prepare_func_exit), a global callee must return a scalar (process_bpf_exit_full).
 */
function returnStackPointer(c: MutationCtx): string {
  if (c.funcs.length < 2) return fpWrite(c);
  const k = c.rng.int(1, c.funcs.length - 1);
  const f = c.funcs[k];
  f.ops.splice(lastExit(f), 0, E.movReg(0, R_FP), E.aluImm(BPF_ADD, 0, -8 * c.rng.int(1, 2)));
  return f.linkage === 'global' ? '^At subprogram exit the register R0 is not a scalar value \\(fp\\)$' : '^cannot return stack pointer to the caller$';
}

/**
 * A callee whose BTF prototype has 13 or more parameters (the kernel's limit is 12). After the
 * parameter-count line, btf_check_func_arg_match still checks the caller's outgoing slots for the
 * count kept in the 4-bit arg_cnt (13 -> 8 slots, whose line comes last; 16 and 20 wrap to 0 and 4).
 */
function tooManyParams(c: MutationCtx): string {
  if (c.funcs.length < 2) return fpWrite(c);
  const few = c.funcs.map((f, k) => ({ f, k })).filter(({ f, k }) => k > 0 && f.args <= 5);
  const { f } = few.length > 0 ? c.rng.pick(few) : { f: c.funcs[c.rng.int(1, c.funcs.length - 1)] };
  const n = c.rng.pick([13, 16, 20]);
  // a global function's BTF types list one per argument (FuncDecl.argTypes): the new ones are scalars
  if (f.argTypes) f.argTypes = [...f.argTypes, ...Array<'scalar'>(n - f.args).fill('scalar')];
  f.args = n;
  return `^(kernel supports at most 12 parameters, function ${f.name} has ${n}|callee expects ${n} args, stack arg\\d+ is not initialized)$`;
}

export const MALFORMED_MUTATORS = {
  'fp-write': fpWrite,
  'jump-out-of-range': jumpOutOfRange,
  'falls-through': fallsThrough,
  'unreachable-insn': unreachableInsn,
  'jump-into-ldimm64': jumpIntoLdImm64,
  'ldimm64-malformed': ldImm64Malformed,
  'ldimm64-bad-src': ldImm64BadSrc,
  'insn-reserved-field': reservedJcondOrCast,
  'recursive-call': recursiveCall,
  'return-stack-pointer': returnStackPointer,
  'too-many-params': tooManyParams,
} satisfies Partial<Record<MutationKind, Mutator>>;
