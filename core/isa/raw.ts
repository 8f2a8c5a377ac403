// The raw 8-byte `struct bpf_insn` record as the kernel receives it, and its hex form.
// Everything above this (typed decode, disassembly, the model) starts from RawInsn.

export interface RawInsn {
  /** opcode byte */
  code: number;
  /** destination register, low nibble of byte 1 */
  dst: number;
  /** source register, high nibble of byte 1 */
  src: number;
  /** signed 16-bit offset */
  off: number;
  /** signed 32-bit immediate */
  imm: number;
}

export const INSN_SIZE = 8;

export function rawFromBytes(bytes: Uint8Array): RawInsn[] {
  if (bytes.length % INSN_SIZE !== 0) {
    throw new RangeError(`instruction bytes: length ${bytes.length} is not a multiple of ${INSN_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RawInsn[] = [];
  for (let at = 0; at < bytes.length; at += INSN_SIZE) {
    const regs = view.getUint8(at + 1);
    out.push({
      code: view.getUint8(at),
      dst: regs & 0x0f,
      src: regs >> 4,
      off: view.getInt16(at + 2, true),
      imm: view.getInt32(at + 4, true),
    });
  }
  return out;
}

export function rawToBytes(insns: readonly RawInsn[]): Uint8Array {
  const bytes = new Uint8Array(insns.length * INSN_SIZE);
  const view = new DataView(bytes.buffer);
  insns.forEach((insn, i) => {
    const at = i * INSN_SIZE;
    view.setUint8(at, insn.code & 0xff);
    view.setUint8(at + 1, ((insn.src & 0x0f) << 4) | (insn.dst & 0x0f));
    view.setInt16(at + 2, insn.off, true);
    view.setInt32(at + 4, insn.imm | 0, true);
  });
  return bytes;
}

export function rawFromHex(hex: string): RawInsn[] {
  return rawFromBytes(Buffer.from(hex, 'hex'));
}

export function rawToHex(insns: readonly RawInsn[]): string {
  return Buffer.from(rawToBytes(insns)).toString('hex');
}
