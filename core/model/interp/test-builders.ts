// Tiny instruction builders for the interpreter's tests, independent of the assembler so
// the tests pin down raw encodings (struct bpf_insn) rather than a text syntax.
import { AluOp, Class, Size, Source, type RawInsn } from '../../isa/index.ts';
import type { FuncDecl, Program, ProgType } from '../../program/types.ts';

export const insn = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn => ({ code, dst, src, off, imm });

// Short names for the tests, all from core/isa's one opcode vocabulary.
export const ALU64 = Class.ALU64, ALU32 = Class.ALU, JMP = Class.JMP, JMP32 = Class.JMP32, X = Source.X, K = Source.K;
export const Op = {
  add: AluOp.ADD, sub: AluOp.SUB, mul: AluOp.MUL, div: AluOp.DIV, or: AluOp.OR, and: AluOp.AND, lsh: AluOp.LSH, rsh: AluOp.RSH,
  neg: AluOp.NEG, mod: AluOp.MOD, xor: AluOp.XOR, mov: AluOp.MOV, arsh: AluOp.ARSH, end: AluOp.END,
} as const;
export const Sz = { w: Size.W, h: Size.H, b: Size.B, dw: Size.DW } as const;

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
