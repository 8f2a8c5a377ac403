// The signed and sign-extending instructions of ISA v4 as fillers of their own, each with its
// own rate: sdiv/smod (off 1 on BPF_DIV/BPF_MOD), movsx (off 8/16/32 on BPF_MOV|BPF_X), ldsx
// (BPF_MEMSX loads of 1, 2 or 4 bytes) and the byte swaps. The verifier's rules they exercise
// are the transfer functions of adjust_scalar_min_max_vals (scalar_min_max_sdiv/smod are not
// tracked: the result is unknown), coerce_reg_to_size_sx / coerce_subreg_to_size_sx for movsx,
// set_sext64_default_val / coerce_reg_to_size_sx for ldsx in check_mem_access, and the
// BPF_END case of adjust_scalar_min_max_vals (kernel/bpf/verifier.c).
import { BPF_DIV, BPF_MOD, BPF_MOV, E, R_FP, SIZE_BYTES, type SizeName } from '../isa/index.ts';
import type { BodyCtx } from './body-ctx.ts';
import { READ_REGS, W, imm32 } from './values.ts';

export function sdivFiller(ctx: BodyCtx): void {
  const { rng } = ctx;
  const op = rng.chance(0.5) ? BPF_DIV : BPF_MOD;
  const w64 = rng.chance(0.6);
  if (rng.chance(0.5)) ctx.emit(E.aluReg(op, rng.pick(W), rng.pick(READ_REGS), w64, 1));
  else {
    // -1 divides INT_MIN into an overflow the kernel defines (the result is the dividend)
    const imm = rng.chance(0.3) ? -1 : imm32(rng) || 7;
    ctx.emit(E.aluImm(op, rng.pick(W), imm, w64, 1));
  }
}

export function movsxFiller(ctx: BodyCtx): void {
  const { rng } = ctx;
  const w64 = rng.chance(0.6);
  ctx.emit(E.aluReg(BPF_MOV, rng.pick(W), rng.pick(READ_REGS), w64, rng.pick(w64 ? [8, 16, 32] : [8, 16])));
}

/** a sign-extending load from a scalar local */
export function ldsxFiller(ctx: BodyCtx): void {
  const { rng } = ctx;
  const size = rng.pick<SizeName>(['B', 'H', 'W']);
  const bytes = SIZE_BYTES[size];
  const off = rng.pick(ctx.frame.locals) + bytes * rng.int(0, 8 / bytes - 1);
  ctx.emit(E.ldx(size, rng.pick(W), R_FP, off, true));
}

export function bswapFiller(ctx: BodyCtx): void {
  const { rng } = ctx;
  ctx.emit(E.endian(rng.pick(['bswap', 'bswap', 'be', 'le'] as const), rng.pick(W), rng.pick([16, 32, 64] as const)));
}
