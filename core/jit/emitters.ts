// Which function of arch/x86/net/bpf_jit_comp.c emits the native code of a BPF instruction: the
// name a JIT divergence signature carries, so one codegen bug is one finding whatever bytes it
// produced. A position before the first instruction is emit_prologue's.
import type { RawInsn } from '../isa/raw.ts';

const BPF_REG_PARAMS = 11;

function aluEmitter(insn: RawInsn): string {
  const op = insn.code & 0xf0;
  const x = (insn.code & 0x08) !== 0;
  if (op === 0xb0) {
    if (!x) return 'emit_mov_imm32';
    return insn.off === 0 ? 'emit_mov_reg' : insn.off === -1 ? 'emit_percpu_mov' : 'emit_movsx_reg';
  }
  if (op === 0x30 || op === 0x90) return 'emit_div_mod';
  if (op === 0x60 || op === 0x70 || op === 0xc0) return x ? 'emit_shift_reg' : 'emit_shift_imm';
  if (op === 0xd0) return 'emit_bswap';
  if (op === 0x20) return 'emit_mul';
  if (op === 0x80) return 'emit_neg';
  return x ? 'emit_alu_reg' : 'emit_alu_imm';
}

function jmpEmitter(insn: RawInsn): string {
  const op = insn.code & 0xf0;
  if (op === 0x00) return 'emit_jmp';
  if (op === 0x80) return insn.src === 1 ? 'emit_call(subprog)' : insn.imm === 12 && insn.src === 0 ? 'emit_bpf_tail_call' : 'emit_call';
  if (op === 0x90) return 'emit_epilogue';
  if (op === 0xf0) return 'emit_bpf_tail_call';
  return 'emit_cond_jmp';
}

/** The kernel function behind `insn`'s native code (undefined: the prologue). */
export function kernelEmitterOf(insn: RawInsn | undefined): string {
  if (insn === undefined) return 'emit_prologue';
  const cls = insn.code & 0x07;
  const mode = insn.code & 0xe0;
  switch (cls) {
    case 0x00:
      return 'emit_mov_imm64';
    case 0x01:
      if (insn.src === BPF_REG_PARAMS) return 'emit_ldx(stack arg)';
      return mode === 0x80 ? 'emit_ldsx' : 'emit_ldx';
    case 0x02:
      if (mode === 0xc0) return 'emit_nospec';
      return insn.dst === BPF_REG_PARAMS ? 'emit_st(stack arg)' : 'emit_st';
    case 0x03:
      if (mode === 0xc0) return 'emit_atomic';
      return insn.dst === BPF_REG_PARAMS ? 'emit_stx(stack arg)' : 'emit_stx';
    case 0x04:
    case 0x07:
      return aluEmitter(insn);
    default:
      return jmpEmitter(insn);
  }
}
