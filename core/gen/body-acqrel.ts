// Load-acquire and store-release on a stack local (BPF_STX | BPF_ATOMIC with imm BPF_LOAD_ACQ or
// BPF_STORE_REL, 6.15+; check_atomic_load and check_atomic_store in kernel/bpf/verifier.c): 1, 2,
// 4 or 8 bytes at an offset aligned to the size. The loaded value (zero-extended) and the stored
// one read back are folded into the checksum, so a JIT that gets the width or the extension
// wrong changes the retval.
import { AtomicImm, BPF_ATOMIC, BPF_STX, E, R_FP, SIZE_BYTES, Size, type Op, type SizeName } from '../isa/index.ts';
import type { BodyCtx } from './body-ctx.ts';
import { READ_REGS } from './values.ts';

const atomicOp = (size: SizeName, dst: number, src: number, off: number, imm: number): Op => ({ kind: 'insn', insn: { code: BPF_STX | BPF_ATOMIC | Size[size], dst, src, off, imm } });

/** a statement: r0 = load_acquire(local), or store_release(local, reg) and the local read back */
export function acqRelStatement(ctx: BodyCtx): void {
  const { rng } = ctx;
  const size = rng.pick<SizeName>(['DW', 'W', 'H', 'B']);
  const bytes = SIZE_BYTES[size];
  const off = rng.pick(ctx.frame.locals) + bytes * rng.int(0, 8 / bytes - 1);
  if (rng.chance(0.5)) {
    ctx.emit(atomicOp(size, 0, R_FP, off, AtomicImm.LOAD_ACQ));
  } else {
    ctx.emit(E.movReg(1, rng.pick(READ_REGS)), atomicOp(size, R_FP, 1, off, AtomicImm.STORE_REL), E.ldx(size, 0, R_FP, off));
  }
  ctx.fold(0);
}
