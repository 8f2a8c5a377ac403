// Mutations of the gen/3 atomic statements (body-atomics.ts) and of two checks beside them in
// check_alu_op and check_helper_call (kernel/bpf/verifier.c): an atomic on 1 or 2 bytes
// (check_atomic_rmw: only 4 and 8), an atomic operation code the kernel does not know
// (check_atomic), a shift by the register width or more (check_alu_op), a call of a helper id
// past the last one (check_helper_call). Each sits before main's exit, which the walk reaches.
import { AtomicImm, BPF_ARSH, BPF_LSH, BPF_RSH, BPF_SUB, E, R_FP, Size, type Op } from '../isa/index.ts';
import { BPF_ATOMIC, BPF_STX } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, reached, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { READ_REGS, W } from './values.ts';

const insn = (code: number, dst: number, src: number, off: number, imm: number): Op => ({ kind: 'insn', insn: { code, dst, src, off, imm } });

function atExit(c: MutationCtx, ...ops: Op[]): void {
  const f = reached(c);
  f.ops.splice(exitAt(f), 0, ...ops);
}

/** an atomic add (or fetch/xchg) on a byte or a half word of the stack */
function atomicBadSize(c: MutationCtx): string {
  const { rng } = c;
  const op = rng.pick([AtomicImm.ADD, AtomicImm.ADD | AtomicImm.FETCH, AtomicImm.XCHG]);
  atExit(c, E.st('DW', R_FP, -8, 0), insn(BPF_STX | BPF_ATOMIC | rng.pick([Size.B, Size.H]), R_FP, rng.pick(READ_REGS), -8, op));
  return '^invalid atomic operand size$';
}

/** an atomic with an operation code that is no atomic operation (sub, or a fetch flag on xchg) */
function atomicBadOp(c: MutationCtx): string {
  const { rng } = c;
  const imm = rng.pick([BPF_SUB, BPF_SUB | AtomicImm.FETCH, 0x70, 0x90]);
  atExit(c, E.st('DW', R_FP, -8, 0), insn(BPF_STX | BPF_ATOMIC | Size.DW, R_FP, rng.pick(READ_REGS), -8, imm));
  return `^BPF_ATOMIC uses invalid atomic opcode ${imm.toString(16).padStart(2, '0')}$`;
}

/** a shift by an immediate of the register's width or more */
function shiftOutOfRange(c: MutationCtx): string {
  const { rng } = c;
  const w64 = rng.chance(0.5);
  const imm = rng.pick(w64 ? [64, 65, 127] : [32, 33, 63]);
  atExit(c, E.aluImm(rng.pick([BPF_LSH, BPF_RSH, BPF_ARSH]), rng.pick(W), imm, w64));
  return `^invalid shift ${imm}$`;
}

/** a call of a helper id past the last helper */
function helperUnknown(c: MutationCtx): string {
  const id = c.rng.pick([100_000, 999_999, 0x7fffffff]);
  atExit(c, E.callHelper(id));
  return `^invalid func unknown#${id}$`;
}

export const ATOMIC_MUTATORS = {
  'atomic-bad-size': atomicBadSize,
  'atomic-bad-op': atomicBadOp,
  'shift-out-of-range': shiftOutOfRange,
  'helper-unknown': helperUnknown,
} satisfies Partial<Record<MutationKind, Mutator>>;
