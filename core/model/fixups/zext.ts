// bpf_opt_subreg_zext_lo32_rnd_hi32 (kernel/bpf/fixups.c) as x86-64 runs it: the JIT needs no
// zero-extension (bpf_jit_needs_zext is false), but a 32-bit BPF_CMPXCHG whose R0 a path read as 64
// bits (insn_aux_data.zext_dst, recorded by the walk: ../subreg-def.ts) gets BPF_ZEXT_REG(r0) after
// it, since some architectures load R0 only when the comparison succeeds. The pass runs after
// do_misc_fixups, on the program as the earlier passes left it.
import type { RawInsn } from '../../isa/raw.ts';
import { BPF_ALU, BPF_ATOMIC, BPF_CMPXCHG, BPF_MOV, BPF_STX, BPF_X, opClass, opMode } from '../../isa/index.ts';
import { cover } from '../cover/sink.ts';
import { patchInsn, type XProg } from './xprog.ts';

const isCmpxchg = (i: RawInsn): boolean => opClass(i.code) === BPF_STX && opMode(i.code) === BPF_ATOMIC && i.imm === BPF_CMPXCHG;

/** BPF_ZEXT_REG(dst): a 32-bit mov of the register to itself, marked by imm 1 */
const zextReg = (dst: number): RawInsn => ({ code: BPF_ALU | BPF_MOV | BPF_X, dst, src: dst, off: 0, imm: 1 });

export function cmpxchgZext(x: XProg): void {
  for (let i = 0; i < x.insns.length; i++) {
    const insn = x.insns[i]!;
    if (!x.aux[i]!.zextDst || !isCmpxchg(insn)) continue;
    cover('bpf_opt_subreg_zext_lo32_rnd_hi32:cmpxchg');
    i += patchInsn(x, i, [insn, zextReg(0)], 'bpf_opt_subreg_zext_lo32_rnd_hi32');
  }
}
