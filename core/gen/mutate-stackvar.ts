// Mutations of variable-offset stack access (body-stackvar.ts), put in main before its exit
// where r1-r3 are free: an index that was never bounded (a ctx field, up to 2^32 - 1), one with
// no lower bound at all (shifted into the upper half), one bounded one element too far (the
// access reaches past the frame's top), and one bounded only from above by a signed JMP32
// comparison, then sign-extended. check_reg_sane_offset, check_stack_access_within_bounds
// (kernel/bpf/verifier.c) reject them.
import { BPF_AND, BPF_JGT, BPF_JSGT, BPF_LSH, BPF_MOV, BPF_SUB, E, type Op } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { elementPointer } from './body-stackvar.ts';
import { CTX_SCALAR_FIELD } from './values.ts';

/** main keeps the ctx in its first slot (body.ts layoutFrame) */
const MAIN_CTX_SLOT = -8;

/** r1 = a u32 field of the ctx: the verifier knows only that it is below 2^32 */
const ctxField = (c: MutationCtx): Op[] => [E.ldx('DW', 1, 10, MAIN_CTX_SLOT), E.ldx('W', 1, 1, CTX_SCALAR_FIELD[c.opts.progType])];

function inMain(c: MutationCtx, index: (skip: number) => Op[]): void {
  const skip = c.newLabel();
  const base = -8 * c.rng.int(2, 4);
  const access = c.rng.chance(0.5) ? E.ldx('B', 3, 2, 0) : E.st('B', 2, 0, 1);
  c.main.ops.splice(exitAt(c.main), 0, ...index(skip), ...elementPointer(base), access, E.label(skip), E.movImm(0, 0));
}

const rw = '(read from|write to)';

function unboundedIndex(c: MutationCtx): string {
  inMain(c, () => ctxField(c));
  return `^invalid unbounded variable-offset ${rw} stack R\\d+$`;
}

function unboundedMin(c: MutationCtx): string {
  inMain(c, () => [...ctxField(c), E.aluImm(BPF_LSH, 1, 32)]);
  return '^math between fp pointer and register with unbounded min value is not allowed$';
}

/** an index up to -base: the last byte lands at fp + 0, past the frame */
function outOfRange(c: MutationCtx): string {
  inMain(c, (skip) => [...ctxField(c), E.jumpImm(BPF_JGT, 1, 64, skip)]);
  return `^invalid variable-offset ${rw} stack R\\d+ var_off=\\(0x[0-9a-f]+; 0x[0-9a-f]+\\) off=0 size=1$`;
}

/** `if w1 s> 7` leaves w1 down to S32_MIN; sign-extended, the index reaches 2^31 below the frame */
function signedUpperOnly(c: MutationCtx): string {
  inMain(c, (skip) => [...ctxField(c), E.jumpImm(BPF_JSGT, 1, 7, skip, false), E.aluReg(BPF_MOV, 1, 1, true, 32)]);
  return '^value -\\d+ makes fp pointer be out of bounds$';
}

/** an index scaled for bytes but accessed 8 at a time: the stack is always strictly aligned */
function misaligned(c: MutationCtx): string {
  const skip = c.newLabel();
  c.main.ops.splice(exitAt(c.main), 0, ...ctxField(c), E.aluImm(BPF_AND, 1, 7), ...elementPointer(-16), E.ldx('DW', 3, 2, 0), E.label(skip), E.movImm(0, 0));
  return '^misaligned stack access off \\(0x[0-9a-f]+; 0x[0-9a-f]+\\)(\\+-?\\d+)?\\+0 size 8$';
}

/** fp minus a bounded variable: the kernel lets a variable only be added to a stack pointer */
function subtractIndex(c: MutationCtx): string {
  c.main.ops.splice(exitAt(c.main), 0, ...ctxField(c), E.aluImm(BPF_AND, 1, 8), E.movReg(2, 10), E.aluReg(BPF_SUB, 2, 1), E.ldx('DW', 3, 2, -8), E.movImm(0, 0));
  return '^R\\d+ subtraction from stack pointer prohibited$';
}

export const STACKVAR_MUTATORS = {
  'stackvar-unbounded-index': unboundedIndex,
  'stackvar-unbounded-min': unboundedMin,
  'stackvar-out-of-range': outOfRange,
  'stackvar-signed-upper-only': signedUpperOnly,
  'stackvar-misaligned': misaligned,
  'stackvar-subtract-index': subtractIndex,
} satisfies Partial<Record<MutationKind, Mutator>>;
