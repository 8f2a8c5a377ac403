// Variable stack offsets: the function's scalar locals (contiguous, always initialized) as an
// array, indexed by a working register brought into bounds by a mask, an unsigned comparison, a
// pair of signed comparisons or their JMP32 forms, then read or written at fp + base + index.
// The rules exercised: adjust_ptr_min_max_vals and check_reg_sane_offset for the pointer
// arithmetic, check_stack_access_within_bounds, check_stack_read_var_off and
// check_stack_write_var_off for the access, check_ptr_alignment (the stack is always strict) for
// the index's low bits (kernel/bpf/verifier.c).
import { BPF_AND, BPF_JGT, BPF_JSGT, BPF_JSLT, BPF_LSH, E, R_FP, SIZE_BYTES, BPF_ADD, type Op, type SizeName } from '../isa/index.ts';
import type { BodyCtx, Frame } from './body-ctx.ts';
import type { Prng } from './prng.ts';
import { READ_REGS, imm32 } from './values.ts';

/** registers of a stack-array statement: the index, the element pointer, the value read */
const R_IDX = 1, R_PTR = 2, R_VAL = 3;

/** the array the locals form: its lowest offset and its size in bytes */
function localArray(frame: Frame): { base: number; bytes: number } {
  const base = Math.min(...frame.locals);
  return { base, bytes: 8 * frame.locals.length };
}

export const hasLocals = (ctx: BodyCtx): boolean => ctx.frame.locals.length > 0;

const LOG2: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

/**
 * Ops that leave in r1 an index into `elems` elements of `size` bytes, scaled to bytes (aligned to
 * `size`), jumping to `skip` when out of bounds; the index comes from a working register.
 */
function boundedIndex(rng: Prng, size: SizeName, elems: number, skip: number): Op[] {
  const bytes = SIZE_BYTES[size];
  const shift = LOG2[bytes];
  const src = rng.pick(READ_REGS);
  switch (rng.int(0, 4)) {
    case 0: {
      // a mask: the largest 2^k - 1 below the element count, then scaled
      let mask = 0;
      while (mask * 2 + 1 < elems) mask = mask * 2 + 1;
      return [E.movReg(R_IDX, src), E.aluImm(BPF_AND, R_IDX, mask), ...scale(shift)];
    }
    case 1: // unsigned 64-bit bound
      return [E.movReg(R_IDX, src), E.jumpImm(BPF_JGT, R_IDX, elems - 1, skip), ...scale(shift)];
    case 2: // signed 64-bit bounds on both sides
      return [E.movReg(R_IDX, src), E.jumpImm(BPF_JSGT, R_IDX, elems - 1, skip), E.jumpImm(BPF_JSLT, R_IDX, 0, skip), ...scale(shift)];
    case 3: // JMP32 unsigned bound on the zero-extended low half
      return [E.movReg(R_IDX, src, false), E.jumpImm(BPF_JGT, R_IDX, elems - 1, skip, false), ...scale(shift)];
    default: // JMP32 signed bounds on the zero-extended low half
      return [E.movReg(R_IDX, src, false), E.jumpImm(BPF_JSGT, R_IDX, elems - 1, skip, false), E.jumpImm(BPF_JSLT, R_IDX, 0, skip, false), ...scale(shift)];
  }
}

const scale = (shift: number): Op[] => (shift > 0 ? [E.aluImm(BPF_LSH, R_IDX, shift)] : []);

/** r2 = fp + base + r1 */
export const elementPointer = (base: number): Op[] => [E.movReg(R_PTR, R_FP), E.aluImm(BPF_ADD, R_PTR, base), E.aluReg(BPF_ADD, R_PTR, R_IDX)];

/** One read or write of the locals' array at a bounded variable index. */
export function stackVarStatement(ctx: BodyCtx): void {
  const { rng, emit } = ctx;
  const { base, bytes } = localArray(ctx.frame);
  const size = rng.pick<SizeName>(bytes >= 16 ? ['DW', 'W', 'H', 'B'] : ['DW', 'W', 'B']);
  const elems = bytes / SIZE_BYTES[size];
  const skip = ctx.newLabel();
  emit(...boundedIndex(rng, size, elems, skip), ...elementPointer(base));
  if (rng.chance(0.5)) {
    emit(E.ldx(size, R_VAL, R_PTR, 0, size !== 'DW' && rng.chance(ctx.opts.ldsxRate)));
    ctx.fold(R_VAL);
  } else emit(rng.chance(0.4) ? E.st(size, R_PTR, 0, imm32(rng)) : E.stx(size, R_PTR, 0, rng.pick(READ_REGS)));
  emit(E.label(skip));
}
