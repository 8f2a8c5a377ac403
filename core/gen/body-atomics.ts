// Atomic read-modify-writes on a stack local beyond gen/2's atomic add: and, or and xor, the
// fetch forms of all four, xchg and cmpxchg, on 64 and 32 bits (check_atomic_rmw in
// kernel/bpf/verifier.c: the fetch forms and xchg write the old value back into the source
// register, cmpxchg compares with and writes R0). The old values are folded into the checksum,
// so a wrong atomic in the kernel's JIT or the interpreter changes the retval.
import { AtomicImm, BPF_ADD, BPF_AND, BPF_FETCH, BPF_OR, BPF_XOR, E, R_FP } from '../isa/index.ts';
import type { BodyCtx } from './body-ctx.ts';
import { READ_REGS } from './values.ts';

/** a statement: may use r0-r4 */
export function atomicStatement(ctx: BodyCtx): void {
  const { rng } = ctx;
  const size = rng.chance(0.6) ? 'DW' : 'W';
  // a 32-bit access lands on either half of an 8-byte local
  const off = rng.pick(ctx.frame.locals) + (size === 'W' ? 4 * rng.int(0, 1) : 0);
  ctx.emit(E.movReg(1, rng.pick(READ_REGS)));
  switch (rng.int(0, 3)) {
    case 0:
      ctx.emit(E.atomic(size, R_FP, off, 1, rng.pick([BPF_AND, BPF_OR, BPF_XOR])));
      break;
    case 1:
      ctx.emit(E.atomic(size, R_FP, off, 1, rng.pick([BPF_ADD, BPF_AND, BPF_OR, BPF_XOR]) | BPF_FETCH));
      ctx.fold(1);
      break;
    case 2:
      ctx.emit(E.atomic(size, R_FP, off, 1, AtomicImm.XCHG));
      ctx.fold(1);
      break;
    default:
      // after a 32-bit cmpxchg whose R0 is read as 64 bits (the fold) the kernel inserts a zero
      // extension of R0, on x86-64 too (bpf_opt_subreg_zext_lo32_rnd_hi32, is_cmpxchg_insn; the
      // model predicts it: core/model/fixups/zext.ts)
      ctx.emit(E.movReg(0, rng.pick(READ_REGS)));
      ctx.emit(E.atomic(size, R_FP, off, 1, AtomicImm.CMPXCHG));
      ctx.fold(0);
  }
}
