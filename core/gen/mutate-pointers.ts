// Mutations that misuse a pointer the program holds: the ctx at a negative or variable offset
// (__check_ptr_off_reg in kernel/bpf/verifier.c), an atomic on the ctx (check_atomic_rmw →
// atomic_ptr_type_ok), a pointer spilled with fewer than 8 bytes and a stack pointer written into
// the caller's frame (check_stack_write_fixed_off). The ctx ones sit at main's entry, where r1
// still holds the ctx.
import { BPF_ADD, BPF_AND, E, R_FP, type Op } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, reached, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { CTX_SCALAR_FIELD } from './values.ts';

/** ops run at main's entry, r1 being the ctx */
function atMainEntry(c: MutationCtx, ...ops: Op[]): void {
  c.main.ops.splice(0, 0, ...ops);
}

/** a copy of the ctx moved back by 8, read at +8: the field it points at is a valid one */
function ctxNegativeOff(c: MutationCtx): string {
  const back = c.rng.pick([4, 8, 16]);
  atMainEntry(c, E.movReg(2, 1), E.aluImm(BPF_ADD, 2, -back), E.ldx('W', 0, 2, back + CTX_SCALAR_FIELD[c.opts.progType]));
  return `^negative offset ctx ptr R2 off=-${back} disallowed$`;
}

/** a copy of the ctx moved by a masked ctx field, then read */
function ctxVariableOff(c: MutationCtx): string {
  const mask = c.rng.pick([4, 8, 12]);
  atMainEntry(c, E.ldx('W', 2, 1, CTX_SCALAR_FIELD[c.opts.progType]), E.aluImm(BPF_AND, 2, mask), E.movReg(3, 1), E.aluReg(BPF_ADD, 3, 2), E.ldx('W', 0, 3, 0));
  return '^variable ctx access var_off=\\(0x0; 0x[0-9a-f]+\\) disallowed$';
}

/** an atomic add (or fetch-add, xchg) on a ctx field */
function atomicOnCtx(c: MutationCtx): string {
  const { rng } = c;
  const imm = rng.pick([BPF_ADD, BPF_ADD | 1, 0xe1]);
  atMainEntry(c, E.movImm(2, 1), E.atomic('W', 1, CTX_SCALAR_FIELD[c.opts.progType], 2, imm));
  return '^BPF_ATOMIC stores into R1 ctx is not allowed$';
}

/** a stack pointer spilled with a 4-, 2- or 1-byte store */
function pointerSpillNarrow(c: MutationCtx): string {
  const { rng } = c;
  const f = reached(c);
  f.ops.splice(exitAt(f), 0, E.movReg(1, R_FP), E.aluImm(BPF_ADD, 1, -8), E.stx(rng.pick(['W', 'H', 'B'] as const), R_FP, -8, 1));
  return '^invalid size of register spill$';
}

/** a callee writes a pointer to its own stack through the stack pointer its caller passed in r1-r5 */
function stackPointerToCaller(c: MutationCtx): string {
  const withArg = c.plan.funcs.flatMap((p) => p.kinds.slice(0, 5).map((k, i) => ({ p, i, k }))).filter((x) => x.k === 'stack');
  if (withArg.length === 0) return pointerSpillNarrow(c);
  const { p, i } = c.rng.pick(withArg);
  c.funcs[p.index].ops.splice(0, 0, E.movReg(0, R_FP), E.aluImm(BPF_ADD, 0, -8), E.stx('DW', i + 1, 0, 0));
  return '^cannot spill pointers to stack into stack frame of the caller$';
}

export const POINTER_MUTATORS = {
  'ctx-negative-off': ctxNegativeOff,
  'ctx-variable-off': ctxVariableOff,
  'atomic-on-ctx': atomicOnCtx,
  'pointer-spill-narrow': pointerSpillNarrow,
  'stack-ptr-to-caller': stackPointerToCaller,
} satisfies Partial<Record<MutationKind, Mutator>>;
