// Arithmetic on the frame pointer that a privileged loader may do (allow_ptr_leaks), none of it
// dereferenced: pointer minus pointer (an unknown scalar to the verifier, the distance at run
// time, folded into the checksum), pointer plus a bounded scalar and scalar plus pointer
// (adjust_ptr_min_max_vals; subtracting from the frame pointer is prohibited), and a 32-bit move,
// a sign-extending move or a negation of the pointer, which leave an unknown scalar (check_alu_op
// in kernel/bpf/verifier.c). Only the distance is folded: the others hold kernel addresses,
// which differ from run to run.
import { BPF_ADD, BPF_AND, BPF_MOV, BPF_NEG, BPF_SUB, E, R_FP } from '../isa/index.ts';
import type { BodyCtx } from './body-ctx.ts';
import { W } from './values.ts';

/** a statement: may use r0-r4 */
export function ptrArithStatement(ctx: BodyCtx): void {
  const { rng } = ctx;
  switch (rng.int(0, 5)) {
    case 0: {
      const d = 8 * rng.int(1, 8);
      ctx.emit(E.movReg(1, R_FP), E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, -d), E.aluReg(BPF_SUB, 1, 2));
      ctx.fold(1);
      break;
    }
    case 1: // a bounded variable added to the frame pointer (subtracting from it is prohibited)
      ctx.emit(E.movReg(2, rng.pick(W)), E.aluImm(BPF_AND, 2, 7), E.movReg(1, R_FP), E.aluReg(BPF_ADD, 1, 2));
      break;
    case 2:
      ctx.emit(E.movImm(1, -8 * rng.int(1, 4)), E.aluReg(BPF_ADD, 1, R_FP));
      break;
    case 3:
      ctx.emit(E.movReg(1, R_FP, false));
      break;
    case 4:
      ctx.emit(E.aluReg(BPF_MOV, 1, R_FP, true, rng.pick([8, 16, 32])));
      break;
    default:
      ctx.emit(E.movReg(1, R_FP), E.aluImm(BPF_NEG, 1, 0));
  }
}
