// Builders that read like the operation, in the argument order of the kernel's filter.h
// macros (BPF_ALU64_IMM, BPF_STX_MEM, ...): `alu64('add', R1, 5)`, `stxMem('DW', R11, R2, -8)`.
// A plain number operand is an immediate; `reg(n)` makes it a register.
import type { AluOpKind, Insn, JmpCond, Operand, Reg } from './insn.ts';
import type { SizeName } from './opcode.ts';

export const [R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
export const reg = (r: Reg): Operand => ({ reg: r });
const operand = (x: number | Operand): Operand => (typeof x === 'number' ? { imm: x } : x);

export const alu64 = (op: AluOpKind, dst: Reg, src: number | Operand): Insn => ({ kind: 'alu', width: 64, op, dst, src: operand(src) });
export const alu32 = (op: AluOpKind, dst: Reg, src: number | Operand): Insn => ({ kind: 'alu', width: 32, op, dst, src: operand(src) });
export const mov64 = (dst: Reg, src: number | Operand): Insn => alu64('mov', dst, src);
export const mov32 = (dst: Reg, src: number | Operand): Insn => alu32('mov', dst, src);
export const ldxMem = (size: SizeName, dst: Reg, src: Reg, off: number): Insn => ({ kind: 'ldx', size, signed: false, dst, src, off });
export const stxMem = (size: SizeName, dst: Reg, src: Reg, off: number): Insn => ({ kind: 'stx', size, dst, src, off });
export const stMem = (size: SizeName, dst: Reg, off: number, imm: number): Insn => ({ kind: 'st', size, dst, off, imm });
export const jmp = (cond: JmpCond, dst: Reg, src: number | Operand, off: number): Insn => ({ kind: 'jmp', width: 64, cond, dst, src: operand(src), off });
export const jmp32 = (cond: JmpCond, dst: Reg, src: number | Operand, off: number): Insn => ({ kind: 'jmp', width: 32, cond, dst, src: operand(src), off });
export const ja = (off: number): Insn => ({ kind: 'ja', off });
export const callHelper = (id: number): Insn => ({ kind: 'call', target: 'helper', imm: id, off: 0 });
/** bpf-to-bpf call; `rel` = callee start - (call index + 1) */
export const callSubprog = (rel: number): Insn => ({ kind: 'call', target: 'subprog', imm: rel, off: 0 });
export const exit = (): Insn => ({ kind: 'exit' });
export const ldImm64 = (dst: Reg, value: bigint): Insn => ({ kind: 'ld_imm64', dst, pseudo: 'none', imm64: BigInt.asUintN(64, value) });
/** LD_IMM64 of a map: `index` into the program's maps (src_reg BPF_PSEUDO_MAP_FD) */
export const ldMapFd = (dst: Reg, index: number): Insn => ({ kind: 'ld_imm64', dst, pseudo: 'map_fd', imm64: BigInt(index >>> 0) });
