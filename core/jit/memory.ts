// Loads and stores of do_jit() in arch/x86/net/bpf_jit_comp.c: emit_ldx, emit_ldsx, emit_stx,
// the BPF_ST immediate stores, emit_insn_suffix, the BPF_NOSPEC lfence, and 7.2's
// stack-argument lowering of r11 (BPF_REG_PARAMS): a store to r11-8 becomes a move into R9,
// stores to r11-16.. go to the outgoing area at [rsp] (addressed from rbp), a load of r11+8 is
// a move from R9 and loads of r11+16.. read [rbp+16..] above the return address.
import type { RawInsn } from '../isa/raw.ts';
import { BPF_MEM as MODE_MEM, BPF_MEMSX as MODE_MEMSX, MODE_NOSPEC, BPF_B as SIZE_B, BPF_H as SIZE_H, BPF_W as SIZE_W } from '../isa/index.ts';
import { emitMov, emitMovImm64 } from './alu.ts';
import { JitError, type FuncState } from './types.ts';
import { FP, PARAMS, X86_R9, add1mod, add1reg, add2mod, add2reg, isEreg, isEreg8l, isImm8, type Emitter } from './x86.ts';

/** bpf_size_to_x86_bytes */
const immBytes = (size: number): number => (size === SIZE_W ? 4 : size === SIZE_H ? 2 : size === SIZE_B ? 1 : 4);

/** emit_insn_suffix: ModR/M with a disp8 or disp32 */
export function emitInsnSuffix(e: Emitter, ptr: number, val: number, off: number): void {
  if (isImm8(off)) e.b(add2reg(0x40, ptr, val), off);
  else {
    e.b(add2reg(0x80, ptr, val));
    e.u32(off);
  }
}

/** emit_ldx */
export function emitLdx(e: Emitter, size: number, dst: number, src: number, off: number): void {
  if (size === SIZE_B) e.b(add2mod(0x48, src, dst), 0x0f, 0xb6);
  else if (size === SIZE_H) e.b(add2mod(0x48, src, dst), 0x0f, 0xb7);
  else if (size === SIZE_W) {
    if (isEreg(dst) || isEreg(src)) e.b(add2mod(0x40, src, dst), 0x8b);
    else e.b(0x8b);
  } else e.b(add2mod(0x48, src, dst), 0x8b);
  emitInsnSuffix(e, src, dst, off);
}

/** emit_ldsx */
function emitLdsx(e: Emitter, size: number, dst: number, src: number, off: number): void {
  if (size === SIZE_B) e.b(add2mod(0x48, src, dst), 0x0f, 0xbe);
  else if (size === SIZE_H) e.b(add2mod(0x48, src, dst), 0x0f, 0xbf);
  else if (size === SIZE_W) e.b(add2mod(0x48, src, dst), 0x63);
  emitInsnSuffix(e, src, dst, off);
}

/** emit_stx */
export function emitStx(e: Emitter, size: number, dst: number, src: number, off: number): void {
  if (size === SIZE_B) {
    if (isEreg(dst) || isEreg8l(src)) e.b(add2mod(0x40, dst, src), 0x88);
    else e.b(0x88);
  } else if (size === SIZE_H) {
    if (isEreg(dst) || isEreg(src)) e.b(0x66, add2mod(0x40, dst, src), 0x89);
    else e.b(0x66, 0x89);
  } else if (size === SIZE_W) {
    if (isEreg(dst) || isEreg(src)) e.b(add2mod(0x40, dst, src), 0x89);
    else e.b(0x89);
  } else e.b(add2mod(0x48, dst, src), 0x89);
  emitInsnSuffix(e, dst, src, off);
}

/** native rbp offset of an outgoing stack argument: BPF r11-16 -> [rsp+0], r11-24 -> [rsp+8], ... */
const outgoingOff = (s: FuncState, bpfOff: number): number => s.outgoingArgBase - s.outgoingRsp - bpfOff - 16;

/** BPF_LDX | BPF_MEM / BPF_MEMSX */
function jitLoad(s: FuncState, insn: RawInsn, idx: number): void {
  let src = insn.src;
  const mode = insn.code & 0xe0;
  if (mode !== MODE_MEM && mode !== MODE_MEMSX) throw new JitError(idx, `load mode 0x${mode.toString(16)} is not modelled`);
  if (src === PARAMS) {
    if (insn.off === 8) {
      emitMov(s.e, insn.dst, X86_R9);
      return;
    }
    src = FP;
  }
  if (mode === MODE_MEMSX) emitLdsx(s.e, insn.code & 0x18, insn.dst, src, insn.off);
  else emitLdx(s.e, insn.code & 0x18, insn.dst, src, insn.off);
}

/** BPF_ST | BPF_MEM: mov [dst+off], imm */
function jitStoreImm(s: FuncState, insn: RawInsn): void {
  const e = s.e;
  const size = insn.code & 0x18;
  let dst = insn.dst;
  if (size === SIZE_B) {
    if (isEreg(dst)) e.b(0x41, 0xc6);
    else e.b(0xc6);
  } else if (size === SIZE_H) {
    if (isEreg(dst)) e.b(0x66, 0x41, 0xc7);
    else e.b(0x66, 0xc7);
  } else if (size === SIZE_W) {
    if (isEreg(dst)) e.b(0x41, 0xc7);
    else e.b(0xc7);
  } else {
    if (dst === PARAMS && insn.off === -8) {
      // argument 6: the sign-extended immediate into r9
      emitMovImm64(e, X86_R9, insn.imm >> 31, insn.imm);
      return;
    }
    e.b(add1mod(0x48, dst), 0xc7);
  }
  let off = insn.off;
  if (dst === PARAMS) {
    off = outgoingOff(s, off);
    dst = FP;
  }
  if (isImm8(off)) e.b(add1reg(0x40, dst), off);
  else {
    e.b(add1reg(0x80, dst));
    e.u32(off);
  }
  e.imm(insn.imm, immBytes(size));
}

/** BPF_STX | BPF_MEM */
function jitStoreReg(s: FuncState, insn: RawInsn): void {
  let dst = insn.dst;
  let off = insn.off;
  if (dst === PARAMS && off === -8) {
    emitMov(s.e, X86_R9, insn.src);
    return;
  }
  if (dst === PARAMS) {
    off = outgoingOff(s, off);
    dst = FP;
  }
  emitStx(s.e, insn.code & 0x18, dst, insn.src, off);
}

/** LDX, ST, STX (non-atomic) instructions. */
export function jitMemory(s: FuncState, insn: RawInsn, idx: number): void {
  const cls = insn.code & 0x07;
  const mode = insn.code & 0xe0;
  if (cls === 0x01) jitLoad(s, insn, idx);
  else if (cls === 0x02 && mode === MODE_NOSPEC) s.e.b(0x0f, 0xae, 0xe8); // lfence
  else if (cls === 0x02 && mode === MODE_MEM) jitStoreImm(s, insn);
  else if (cls === 0x03 && mode === MODE_MEM) jitStoreReg(s, insn);
  else throw new JitError(idx, `memory opcode 0x${insn.code.toString(16)} is not modelled`);
}
