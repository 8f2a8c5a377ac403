// The ALU and ALU64 cases of do_jit() in arch/x86/net/bpf_jit_comp.c, with the helpers they
// share with other concerns: emit_mov_imm32, emit_mov_imm64, emit_mov_reg, emit_movsx_reg,
// maybe_emit_mod, maybe_emit_1mod, the div/mod sequence, shifts by CL or BMI2's
// shlx/shrx/sarx (emit_3vex, emit_shiftx), bswap/ror/movzx for BPF_END, and
// the per-CPU address move (BPF_MOV64_PERCPU_REG).
import type { RawInsn } from '../isa/raw.ts';
import { BPF_ALU64 as ALU64, BPF_X as SRC_X } from '../isa/index.ts';
import { JitError, type FuncState } from './types.ts';
import {
  AUX, R0, R3, R4, SIMPLE_ALU, add1mod, add1reg, add2mod, add2reg, hex, isEreg, isImm8, isSimm32, isUimm32,
  type Emitter,
} from './x86.ts';

/** maybe_emit_mod */
export function maybeEmitMod(e: Emitter, dst: number, src: number, is64: boolean): void {
  if (is64) e.b(add2mod(0x48, dst, src));
  else if (isEreg(dst) || isEreg(src)) e.b(add2mod(0x40, dst, src));
}

/** maybe_emit_1mod */
export function maybeEmit1mod(e: Emitter, reg: number, is64: boolean): void {
  if (is64) e.b(add1mod(0x48, reg));
  else if (isEreg(reg)) e.b(add1mod(0x40, reg));
}

/** EMIT_mov: 64-bit register move, nothing when dst == src */
export function emitMov(e: Emitter, dst: number, src: number): void {
  if (dst !== src) e.b(add2mod(0x48, dst, src), 0x89, add2reg(0xc0, dst, src));
}

/** emit_mov_imm32 */
function emitMovImm32(e: Emitter, signPropagate: boolean, dst: number, imm32: number): void {
  if (signPropagate && (imm32 | 0) < 0) {
    e.b(add1mod(0x48, dst), 0xc7, add1reg(0xc0, dst));
    e.u32(imm32);
    return;
  }
  if ((imm32 | 0) === 0) {
    if (isEreg(dst)) e.b(add2mod(0x40, dst, dst));
    e.b(0x31, add2reg(0xc0, dst, dst));
    return;
  }
  if (isEreg(dst)) e.b(add1mod(0x40, dst));
  e.b(add1reg(0xb8, dst));
  e.u32(imm32);
}

/**
 * emit_mov_imm64. Returns the image offset of the 8 immediate bytes when it chose movabs
 * (the caller decides whether they are a run-time address), else -1.
 */
export function emitMovImm64(e: Emitter, dst: number, hi: number, lo: number): number {
  const imm64 = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  if (isUimm32(imm64)) emitMovImm32(e, false, dst, lo);
  else if (isSimm32(BigInt.asIntN(64, imm64))) emitMovImm32(e, true, dst, lo);
  else {
    e.b(add1mod(0x48, dst), add1reg(0xb8, dst));
    const at = e.len;
    e.u32(lo);
    e.u32(hi);
    return at;
  }
  return -1;
}

/** emit_mov_reg */
export function emitMovReg(e: Emitter, is64: boolean, dst: number, src: number): void {
  if (is64) {
    emitMov(e, dst, src);
    return;
  }
  if (isEreg(dst) || isEreg(src)) e.b(add2mod(0x40, dst, src));
  e.b(0x89, add2reg(0xc0, dst, src));
}

/** emit_movsx_reg */
function emitMovsxReg(e: Emitter, bits: number, is64: boolean, dst: number, src: number): void {
  if (is64) {
    if (bits === 8) e.b(add2mod(0x48, src, dst), 0x0f, 0xbe, add2reg(0xc0, src, dst));
    else if (bits === 16) e.b(add2mod(0x48, src, dst), 0x0f, 0xbf, add2reg(0xc0, src, dst));
    else if (bits === 32) e.b(add2mod(0x48, src, dst), 0x63, add2reg(0xc0, src, dst));
  } else if (bits === 8) {
    e.b(add2mod(0x40, src, dst), 0x0f, 0xbe, add2reg(0xc0, src, dst));
  } else if (bits === 16) {
    if (isEreg(dst) || isEreg(src)) e.b(add2mod(0x40, src, dst));
    e.b(add2mod(0x0f, src, dst), 0xbf, add2reg(0xc0, src, dst));
  }
}

/** ModR/M base (b3) and the short rax form (b2) of add/sub/and/or/xor with an immediate */
const ALU_IMM: Readonly<Record<number, readonly [number, number]>> = {
  0x00: [0xc0, 0x05], 0x10: [0xe8, 0x2d], 0x50: [0xe0, 0x25], 0x40: [0xc8, 0x0d], 0xa0: [0xf0, 0x35],
};

/** the `dst op= imm32` group: add/sub/and/or/xor with imm8, the short rax form or imm32 */
function emitAluImm(e: Emitter, op: number, is64: boolean, dst: number, imm32: number): void {
  maybeEmit1mod(e, dst, is64);
  const [b3, b2] = ALU_IMM[op]!;
  if (isImm8(imm32)) e.b(0x83, add1reg(b3, dst), imm32);
  else if (dst === R0) {
    e.b(b2);
    e.u32(imm32);
  } else {
    e.b(0x81, add1reg(b3, dst));
    e.u32(imm32);
  }
}

/** BPF_DIV / BPF_MOD (off 1: signed): rax/rdx juggling around div or idiv */
function emitDivMod(e: Emitter, insn: RawInsn, is64: boolean): void {
  const dst = insn.dst;
  let src = insn.src;
  if (dst !== R0) e.b(0x50); // push rax
  if (dst !== R3) e.b(0x52); // push rdx
  if (insn.code & SRC_X) {
    if (src === R0 || src === R3) {
      emitMov(e, AUX, src);
      src = AUX;
    }
  } else {
    e.b(0x49, 0xc7, 0xc3); // mov r11, imm32
    e.u32(insn.imm);
    src = AUX;
  }
  if (dst !== R0) emitMovReg(e, is64, R0, dst);
  if (insn.off === 0) {
    e.b(0x31, 0xd2); // xor edx, edx
    maybeEmit1mod(e, src, is64);
    e.b(0xf7, add1reg(0xf0, src)); // div
  } else {
    if (is64) e.b(0x48, 0x99); // cqo
    else e.b(0x99); // cdq
    maybeEmit1mod(e, src, is64);
    e.b(0xf7, add1reg(0xf8, src)); // idiv
  }
  const op = insn.code & 0xf0;
  if (op === 0x90 && dst !== R3) emitMovReg(e, is64, dst, R3);
  else if (op === 0x30 && dst !== R0) emitMovReg(e, is64, dst, R0);
  if (dst !== R3) e.b(0x5a); // pop rdx
  if (dst !== R0) e.b(0x58); // pop rax
}

/** emit_3vex + emit_shiftx: shlx/shrx/sarx dst, dst, src */
function emitShiftx(e: Emitter, dst: number, src: number, is64: boolean, pp: number): void {
  const r = isEreg(dst);
  const vvvv = hex(src) | (isEreg(src) ? 8 : 0);
  const b1 = ((r ? 0 : 1) << 7) | (1 << 6) | ((r ? 0 : 1) << 5) | 2;
  const b2 = ((is64 ? 1 : 0) << 7) | ((~vvvv & 0xf) << 3) | (pp & 3);
  e.b(0xc4, b1, b2, 0xf7, add2reg(0xc0, dst, dst));
}

/** shifts by a register: BMI2 when the CPU has it and the count is not already in rcx, else via cl */
function emitShiftReg(s: FuncState, insn: RawInsn, is64: boolean): void {
  const e = s.e;
  const op = insn.code & 0xf0;
  let dst = insn.dst;
  const src = insn.src;
  if (s.cpu.bmi2 && src !== R4) {
    emitShiftx(e, dst, src, is64, op === 0x60 ? 1 : op === 0x70 ? 3 : 2);
    return;
  }
  if (src !== R4) {
    if (dst === R4) {
      emitMov(e, AUX, dst);
      dst = AUX;
    } else e.b(0x51); // push rcx
    emitMov(e, R4, src);
  }
  maybeEmit1mod(e, dst, is64);
  e.b(0xd3, add1reg(SIMPLE_ALU[op]!, dst));
  if (src !== R4) {
    if (insn.dst === R4) emitMov(e, insn.dst, AUX);
    else e.b(0x59); // pop rcx
  }
}

/** BPF_END: to big endian (ALU) or bswap (ALU64) */
function emitSwap(e: Emitter, dst: number, bits: number): void {
  if (bits === 16) {
    e.b(0x66);
    if (isEreg(dst)) e.b(0x41);
    e.b(0xc1, add1reg(0xc8, dst), 8); // ror ax, 8
    if (isEreg(dst)) e.b(0x45, 0x0f, 0xb7);
    else e.b(0x0f, 0xb7);
    e.b(add2reg(0xc0, dst, dst)); // movzx eax, ax
  } else if (bits === 32) {
    if (isEreg(dst)) e.b(0x41, 0x0f);
    else e.b(0x0f);
    e.b(add1reg(0xc8, dst)); // bswap eax
  } else if (bits === 64) {
    e.b(add1mod(0x48, dst), 0x0f, add1reg(0xc8, dst)); // bswap rax
  }
}

/** BPF_ALU | BPF_END | BPF_FROM_LE: zero-extend to the width */
function emitToLe(e: Emitter, dst: number, bits: number): void {
  if (bits === 16) {
    if (isEreg(dst)) e.b(0x45, 0x0f, 0xb7);
    else e.b(0x0f, 0xb7);
    e.b(add2reg(0xc0, dst, dst));
  } else if (bits === 32) {
    if (isEreg(dst)) e.b(0x45);
    e.b(0x89, add2reg(0xc0, dst, dst));
  }
}

/** BPF_MOV64_PERCPU_REG: mov dst, src; add dst, gs:[&this_cpu_off] */
function emitPercpuAddr(s: FuncState, dst: number, src: number): void {
  const e = s.e;
  emitMov(e, dst, src);
  e.b(0x65, add2mod(0x48, 0, dst), 0x03, add2reg(0x04, 0, dst), 0x25);
  if (s.kernel.thisCpuOff === undefined) e.mark(e.len, 4, 'percpu-off');
  e.u32(s.kernel.thisCpuOff ?? 0);
}

/** One ALU/ALU64 instruction. */
export function jitAlu(s: FuncState, insn: RawInsn, idx: number): void {
  const e = s.e;
  const is64 = (insn.code & 0x07) === ALU64;
  const op = insn.code & 0xf0;
  const x = (insn.code & SRC_X) !== 0;
  const { dst, src, imm } = insn;
  switch (op) {
    case 0x00: case 0x10: case 0x50: case 0x40: case 0xa0: // add sub and or xor
      if (x) {
        maybeEmitMod(e, dst, src, is64);
        e.b(SIMPLE_ALU[op]!, add2reg(0xc0, dst, src));
      } else emitAluImm(e, op, is64, dst, imm);
      return;
    case 0xb0: // mov
      if (!x) emitMovImm32(e, is64, dst, imm);
      else if (is64 && insn.off === -1) emitPercpuAddr(s, dst, src);
      else if (is64 && insn.off === 1) throw new JitError(idx, 'addr_space_cast (arena) is not modelled');
      else if (insn.off === 0) emitMovReg(e, is64, dst, src);
      else emitMovsxReg(e, insn.off, is64, dst, src);
      return;
    case 0x80: // neg
      maybeEmit1mod(e, dst, is64);
      e.b(0xf7, add1reg(0xd8, dst));
      return;
    case 0x30: case 0x90: // div mod
      emitDivMod(e, insn, is64);
      return;
    case 0x20: // mul
      if (!x) {
        maybeEmitMod(e, dst, dst, is64);
        if (isImm8(imm)) e.b(0x6b, add2reg(0xc0, dst, dst), imm);
        else {
          e.b(0x69, add2reg(0xc0, dst, dst));
          e.u32(imm);
        }
      } else {
        maybeEmitMod(e, src, dst, is64);
        e.b(0x0f, 0xaf, add2reg(0xc0, src, dst));
      }
      return;
    case 0x60: case 0x70: case 0xc0: // lsh rsh arsh
      if (x) emitShiftReg(s, insn, is64);
      else {
        maybeEmit1mod(e, dst, is64);
        const b3 = SIMPLE_ALU[op]!;
        if (imm === 1) e.b(0xd1, add1reg(b3, dst));
        else e.b(0xc1, add1reg(b3, dst), imm);
      }
      return;
    case 0xd0: // end
      if (is64 || x) emitSwap(e, dst, imm);
      else emitToLe(e, dst, imm);
      return;
    default:
      throw new JitError(idx, `unknown ALU opcode 0x${insn.code.toString(16)}`);
  }
}
