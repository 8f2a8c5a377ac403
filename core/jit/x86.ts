// x86-64 encoding helpers of arch/x86/net/bpf_jit_comp.c: the BPF -> x86 register map
// (reg2hex), REX and ModR/M builders (add_1mod, add_2mod, add_3mod, add_1reg, add_2reg),
// is_imm8/is_simm32, the kernel's NOP table (x86_nops, arch/x86/include/asm/nops.h) and the
// byte buffer every emitter writes into (the kernel's EMIT* macros).

/** BPF register numbers as the JIT indexes them (include/linux/filter.h, bpf_jit_comp.c) */
export const R0 = 0;
const R1 = 1;
const R2 = 2;
export const R3 = 3;
export const R4 = 4;
const R5 = 5;
export const R6 = 6;
const R7 = 7;
const R8 = 8;
export const R9 = 9;
export const FP = 10;
/** BPF_REG_PARAMS: r11, the stack-argument base (MAX_BPF_REG) */
export const PARAMS = 11;
/** BPF_REG_AX (MAX_BPF_REG + 1): x86 r10, the blinding/scratch register */
export const AX = 12;
/** AUX_REG (MAX_BPF_JIT_REG + 1): x86 r11 */
export const AUX = 14;
/** X86_REG_R9 (MAX_BPF_JIT_REG + 2): argument 6 */
export const X86_R9 = 15;
/** X86_REG_R12 (MAX_BPF_JIT_REG + 3) */
const X86_R12 = 16;

const reg2hex: readonly number[] = [0, 7, 6, 2, 1, 0, 3, 5, 6, 7, 5, 0, 2, 0, 3, 1, 4];
const EREG_MASK = (1 << R5) | (1 << AUX) | (1 << R7) | (1 << R8) | (1 << R9) | (1 << X86_R9) | (1 << X86_R12) | (1 << AX);
const EREG_8L_MASK = EREG_MASK | (1 << R1) | (1 << R2) | (1 << FP);

export const hex = (reg: number): number => reg2hex[reg]!;
/** is_ereg: the register is one of x86 r8..r15 and needs a REX bit */
export const isEreg = (reg: number): boolean => ((1 << reg) & EREG_MASK) !== 0;
/** is_ereg_8l: its low byte (sil, dil, bpl, r8b..) needs a REX prefix */
export const isEreg8l = (reg: number): boolean => ((1 << reg) & EREG_8L_MASK) !== 0;

export const add1mod = (byte: number, reg: number): number => (isEreg(reg) ? byte | 1 : byte);
export const add2mod = (byte: number, r1: number, r2: number): number =>
  byte | (isEreg(r1) ? 1 : 0) | (isEreg(r2) ? 4 : 0);
export const add1reg = (byte: number, dst: number): number => (byte + hex(dst)) & 0xff;
export const add2reg = (byte: number, dst: number, src: number): number => (byte + hex(dst) + (hex(src) << 3)) & 0xff;

export const isImm8 = (v: number): boolean => v <= 127 && v >= -128;
/** is_imm8_jmp_offset: positive 8-bit jumps stop at 123 so the passes converge */
export const isImm8JmpOffset = (v: number): boolean => v <= 123 && v >= -128;
export const isSimm32 = (v: bigint): boolean => v === BigInt.asIntN(32, v);
export const isUimm32 = (v: bigint): boolean => v === BigInt.asUintN(32, v);

/** simple_alu_opcodes[], indexed by BPF_OP >> 4 */
export const SIMPLE_ALU: Readonly<Record<number, number>> = {
  0x00: 0x01, 0x10: 0x29, 0x50: 0x21, 0x40: 0x09, 0xa0: 0x31, 0x60: 0xe0, 0x70: 0xe8, 0xc0: 0xf8,
};

/** x86_nops[] for CONFIG_64BIT (asm/nops.h), ASM_NOP_MAX 11 */
const X86_NOPS: readonly (readonly number[])[] = [
  [],
  [0x90],
  [0x66, 0x90],
  [0x0f, 0x1f, 0x00],
  [0x0f, 0x1f, 0x40, 0x00],
  [0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00],
  [0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00],
  [0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];
const ASM_NOP_MAX = 11;

/** Why a byte range of the image is not predicted. */
type MaskKind = 'return-thunk' | 'indirect-thunk' | 'helper-call' | 'kfunc-call' | 'subprog-call' | 'imm64' | 'func-addr' | 'percpu-off';

/**
 * The output buffer of one pass. `mark` records byte ranges that hold run-time addresses.
 * Grows as needed; reused across passes (reset()).
 */
export class Emitter {
  buf = new Uint8Array(4096);
  len = 0;
  masks: Array<{ at: number; len: number; kind: MaskKind }> = [];

  reset(): void {
    this.len = 0;
    this.masks.length = 0;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** EMIT1..EMIT5 (fixed arity: no array per call on this hot path) */
  b(b0: number, b1?: number, b2?: number, b3?: number, b4?: number): void {
    this.room(5);
    const buf = this.buf;
    buf[this.len++] = b0 & 0xff;
    if (b1 === undefined) return;
    buf[this.len++] = b1 & 0xff;
    if (b2 === undefined) return;
    buf[this.len++] = b2 & 0xff;
    if (b3 === undefined) return;
    buf[this.len++] = b3 & 0xff;
    if (b4 === undefined) return;
    buf[this.len++] = b4 & 0xff;
  }

  /** a byte sequence (NOPs, ENDBR64) */
  seq(bytes: readonly number[]): void {
    this.room(bytes.length);
    for (const x of bytes) this.buf[this.len++] = x;
  }

  /** EMIT(x, 4): a little-endian 32-bit value */
  u32(v: number): void {
    this.room(4);
    const x = v | 0;
    this.buf[this.len++] = x & 0xff;
    this.buf[this.len++] = (x >>> 8) & 0xff;
    this.buf[this.len++] = (x >>> 16) & 0xff;
    this.buf[this.len++] = (x >>> 24) & 0xff;
  }

  /** EMIT(x, 2) */
  u16(v: number): void {
    this.b(v & 0xff, (v >>> 8) & 0xff);
  }

  /** EMIT(imm, n) for n = 1, 2, 4 (bpf_size_to_x86_bytes) */
  imm(v: number, n: number): void {
    if (n === 1) this.b(v);
    else if (n === 2) this.u16(v);
    else if (n === 4) this.u32(v);
  }

  mark(at: number, len: number, kind: MaskKind): void {
    this.masks.push({ at, len, kind });
  }

  /** emit_nops */
  nops(len: number): void {
    while (len > 0) {
      const n = Math.min(len, ASM_NOP_MAX);
      this.seq(X86_NOPS[n]!);
      len -= n;
    }
  }
}
