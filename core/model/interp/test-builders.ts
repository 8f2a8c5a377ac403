// Tiny instruction builders for the interpreter's tests, independent of the assembler so
// the tests pin down raw encodings (struct bpf_insn) rather than a text syntax.
import type { RawInsn } from '../../isa/raw.ts';
import type { FuncDecl, Program, ProgType } from '../../program/types.ts';

export const insn = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn => ({ code, dst, src, off, imm });

export const ALU64 = 0x07, ALU32 = 0x04, JMP = 0x05, JMP32 = 0x06, X = 0x08, K = 0x00;
export const Op = { add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, neg: 0x80, mod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0, end: 0xd0 } as const;
export const Sz = { w: 0x00, h: 0x08, b: 0x10, dw: 0x18 } as const;

export const mov64 = (dst: number, imm: number): RawInsn => insn(ALU64 | Op.mov | K, dst, 0, 0, imm);
export const mov64r = (dst: number, src: number): RawInsn => insn(ALU64 | Op.mov | X, dst, src);
export const add64r = (dst: number, src: number): RawInsn => insn(ALU64 | Op.add | X, dst, src);
export const add64 = (dst: number, imm: number): RawInsn => insn(ALU64 | Op.add | K, dst, 0, 0, imm);
export const exit = (): RawInsn => insn(JMP | 0x90);
export const ja = (off: number): RawInsn => insn(JMP | 0x00, 0, 0, off);
/** call the subprogram starting at `target`, from instruction index `at` */
export const callAt = (at: number, target: number): RawInsn => insn(JMP | 0x80, 0, 1, 0, target - at - 1);
export const callHelper = (id: number): RawInsn => insn(JMP | 0x80, 0, 0, 0, id);
export const stx = (size: number, dst: number, off: number, src: number): RawInsn => insn(0x03 | 0x60 | size, dst, src, off);
export const st = (size: number, dst: number, off: number, imm: number): RawInsn => insn(0x02 | 0x60 | size, dst, 0, off, imm);
export const ldx = (size: number, dst: number, src: number, off: number): RawInsn => insn(0x01 | 0x60 | size, dst, src, off);
export const ldxsx = (size: number, dst: number, src: number, off: number): RawInsn => insn(0x01 | 0x80 | size, dst, src, off);
export const atomic = (size: number, dst: number, src: number, off: number, op: number): RawInsn => insn(0x03 | 0xc0 | size, dst, src, off, op);

export function ldImm64(dst: number, value: bigint): RawInsn[] {
  const v = BigInt.asUintN(64, value);
  return [
    insn(0x18, dst, 0, 0, Number(BigInt.asIntN(32, v & 0xffffffffn))),
    insn(0, 0, 0, 0, Number(BigInt.asIntN(32, v >> 32n))),
  ];
}

export function program(insns: RawInsn[], opts: { funcs?: FuncDecl[]; progType?: ProgType; input?: Uint8Array } = {}): Program {
  return {
    progType: opts.progType ?? 'sched_cls',
    insns,
    funcs: opts.funcs ?? [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
    maps: [],
    input: opts.input ?? new Uint8Array(64),
  };
}
