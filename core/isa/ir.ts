// The labelled form of a program that the generator builds and the reducer edits: per function
// a list of ops with symbolic jump labels and call targets, so instructions can be inserted or
// dropped without recomputing offsets by hand. `lower` lays the functions out and resolves
// both; `lift` turns a program's raw records back into this form.
import type { RawInsn } from './raw.ts';
import type { FuncDecl, Linkage } from './decls.ts';
import type { ArgType } from './arg-types.ts';
import {
  BPF_ADD, BPF_ALU, BPF_ALU64, BPF_ATOMIC, BPF_CALL, BPF_END, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_K, BPF_LDX, BPF_MEM, BPF_MEMSX,
  BPF_MOV, BPF_PSEUDO_CALL, BPF_ST, BPF_STX, BPF_TO_BE, BPF_TO_LE, BPF_X, OPCODE_LD_IMM64, Size, opClass, opOp, type SizeName,
} from './opcode.ts';
import { isLdImm64, isPseudoCall } from './classify.ts';

/** r10, the read-only frame pointer */
export const R_FP = 10;
/** r11 (BPF_REG_PARAMS), the stack-argument area since 7.2 */
export const R_PARAMS = 11;

/** What an op is for, so the generator's mutations can find "the stores of call site 3" or "the exit". */
export interface OpTag {
  role: 'argStore' | 'regArg' | 'call' | 'argLoad' | 'entryEnd' | 'exitBegin' | 'helperCall' | 'deref';
  site?: number;
  /** 1-based outgoing (argStore) or incoming (argLoad) stack-argument slot */
  slot?: number;
}

export type Op =
  | { kind: 'insn'; insn: RawInsn; tag?: OpTag }
  | { kind: 'ld64'; dst: number; lo: number; hi: number; src?: number; tag?: OpTag }
  | { kind: 'jump'; insn: RawInsn; label: number; tag?: OpTag }
  | { kind: 'call'; callee: number; tag?: OpTag }
  | { kind: 'label'; label: number }
  | { kind: 'mark'; tag: OpTag };

export interface FuncIr {
  name: string;
  args: number;
  linkage: Linkage;
  /** FuncDecl.argTypes */
  argTypes?: ArgType[];
  ops: Op[];
}

const ENDIAN_CODE = { le: BPF_ALU | BPF_END | BPF_TO_LE, be: BPF_ALU | BPF_END | BPF_TO_BE, bswap: BPF_ALU64 | BPF_END } as const;
const raw = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm: imm | 0 });
const alu = (w64: boolean): number => (w64 ? BPF_ALU64 : BPF_ALU);
const jmp = (w64: boolean): number => (w64 ? BPF_JMP : BPF_JMP32);

/** Op builders; they read like the instruction they make, in the kernel's log syntax. */
export const E = {
  movImm: (dst: number, imm: number, w64 = true): Op => ({ kind: 'insn', insn: raw(alu(w64) | BPF_MOV | BPF_K, dst, 0, 0, imm) }),
  movReg: (dst: number, src: number, w64 = true): Op => ({ kind: 'insn', insn: raw(alu(w64) | BPF_MOV | BPF_X, dst, src, 0, 0) }),
  aluImm: (op: number, dst: number, imm: number, w64 = true, off = 0): Op => ({ kind: 'insn', insn: raw(alu(w64) | op | BPF_K, dst, 0, off, imm) }),
  aluReg: (op: number, dst: number, src: number, w64 = true, off = 0): Op => ({ kind: 'insn', insn: raw(alu(w64) | op | BPF_X, dst, src, off, 0) }),
  ld64: (dst: number, lo: number, hi: number): Op => ({ kind: 'ld64', dst, lo: lo | 0, hi: hi | 0 }),
  ldx: (size: SizeName, dst: number, src: number, off: number, signed = false): Op => ({ kind: 'insn', insn: raw(BPF_LDX | (signed ? BPF_MEMSX : BPF_MEM) | Size[size], dst, src, off, 0) }),
  stx: (size: SizeName, dst: number, off: number, src: number): Op => ({ kind: 'insn', insn: raw(BPF_STX | BPF_MEM | Size[size], dst, src, off, 0) }),
  st: (size: SizeName, dst: number, off: number, imm: number): Op => ({ kind: 'insn', insn: raw(BPF_ST | BPF_MEM | Size[size], dst, 0, off, imm) }),
  atomicAdd: (dst: number, off: number, src: number): Op => ({ kind: 'insn', insn: raw(BPF_STX | BPF_ATOMIC | Size.DW, dst, src, off, BPF_ADD) }),
  /** BPF_STX | BPF_ATOMIC of 32 or 64 bits; `imm` is the operation (AtomicImm, with BPF_FETCH) */
  atomic: (size: 'W' | 'DW', dst: number, off: number, src: number, imm: number): Op => ({ kind: 'insn', insn: raw(BPF_STX | BPF_ATOMIC | Size[size], dst, src, off, imm) }),
  /** BPF_END: to little or big endian on ALU, the unconditional byte swap on ALU64 */
  endian: (order: 'le' | 'be' | 'bswap', dst: number, bits: 16 | 32 | 64): Op => ({ kind: 'insn', insn: raw(ENDIAN_CODE[order], dst, 0, 0, bits) }),
  jumpImm: (op: number, dst: number, imm: number, label: number, w64 = true): Op => ({ kind: 'jump', insn: raw(jmp(w64) | op | BPF_K, dst, 0, 0, imm), label }),
  jumpReg: (op: number, dst: number, src: number, label: number, w64 = true): Op => ({ kind: 'jump', insn: raw(jmp(w64) | op | BPF_X, dst, src, 0, 0), label }),
  ja: (label: number): Op => ({ kind: 'jump', insn: raw(BPF_JMP | BPF_JA, 0, 0, 0, 0), label }),
  callHelper: (id: number): Op => ({ kind: 'insn', insn: raw(BPF_JMP | BPF_CALL, 0, 0, 0, id), tag: { role: 'helperCall' } }),
  call: (callee: number): Op => ({ kind: 'call', callee }),
  exit: (): Op => ({ kind: 'insn', insn: raw(BPF_JMP | BPF_EXIT, 0, 0, 0, 0) }),
  label: (label: number): Op => ({ kind: 'label', label }),
  mark: (role: OpTag['role']): Op => ({ kind: 'mark', tag: { role } }),
};

export function tagged<T extends Op>(op: T, tag: OpTag): T {
  if (op.kind === 'label' || op.kind === 'mark') return op;
  return { ...op, tag };
}

const slotsOfOp = (op: Op): number => (op.kind === 'ld64' ? 2 : op.kind === 'label' || op.kind === 'mark' ? 0 : 1);
const isGotol = (code: number): boolean => code === (BPF_JMP32 | BPF_JA);

/** Lays functions out in order and resolves labels and call targets into raw records. */
export function lower(funcs: readonly FuncIr[]): { insns: RawInsn[]; funcs: FuncDecl[] } {
  const starts: number[] = [];
  let at = 0;
  for (const f of funcs) {
    starts.push(at);
    for (const op of f.ops) at += slotsOfOp(op);
  }
  const out: RawInsn[] = [];
  funcs.forEach((f, fi) => {
    const labels = new Map<number, number>();
    let pos = starts[fi];
    for (const op of f.ops) {
      if (op.kind === 'label') labels.set(op.label, pos);
      pos += slotsOfOp(op);
    }
    for (const op of f.ops) {
      const here = out.length;
      switch (op.kind) {
        case 'insn':
          out.push({ ...op.insn });
          break;
        case 'ld64':
          out.push(raw(OPCODE_LD_IMM64, op.dst, op.src ?? 0, 0, op.lo), raw(0, 0, 0, 0, op.hi));
          break;
        case 'jump': {
          const target = labels.get(op.label);
          if (target === undefined) throw new Error(`${f.name}: jump to undefined label ${op.label}`);
          const off = target - (here + 1);
          // gotol (JMP32|JA) carries its offset in imm
          if (isGotol(op.insn.code)) out.push({ ...op.insn, off: 0, imm: off });
          else {
            if (off < -0x8000 || off > 0x7fff) throw new RangeError(`${f.name}: jump offset ${off} out of 16-bit range`);
            out.push({ ...op.insn, off });
          }
          break;
        }
        case 'call':
          out.push(raw(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, starts[op.callee] - (here + 1)));
          break;
        default:
          break;
      }
    }
  });
  return {
    insns: out,
    funcs: funcs.map((f, i) => withArgTypes({ name: f.name, start: starts[i], args: f.args, linkage: f.linkage }, f.argTypes)),
  };
}

/** Where the jump at `i` lands (absolute index), or undefined for anything but a jump. */
function jumpTarget(insns: readonly RawInsn[], i: number): number | undefined {
  const x = insns[i];
  const cls = opClass(x.code);
  const op = opOp(x.code);
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return undefined;
  if (op === BPF_CALL || op === BPF_EXIT) return undefined;
  if (isGotol(x.code)) return i + x.imm + 1;
  return i + x.off + 1;
}

/**
 * The inverse of `lower`: a Program's functions as ops with labels and call targets, so
 * instructions can be dropped or added while jumps and calls stay right. Jumps that leave
 * their function (which the kernel rejects anyway) keep their raw offset.
 */
export function lift(insns: readonly RawInsn[], funcs: readonly FuncDecl[]): FuncIr[] {
  const starts = funcs.map((f) => f.start);
  return funcs.map((f, fi) => {
    const end = fi + 1 < funcs.length ? funcs[fi + 1].start : insns.length;
    const inside = (t: number | undefined): t is number => t !== undefined && t >= f.start && t < end;
    const targets = new Set<number>();
    for (let i = f.start; i < end; i++) {
      const t = jumpTarget(insns, i);
      if (inside(t)) targets.add(t);
      if (isLdImm64(insns[i])) i++;
    }
    const ops: Op[] = [];
    for (let i = f.start; i < end; i++) {
      if (targets.has(i)) ops.push({ kind: 'label', label: i + 1 });
      const x = insns[i];
      if (isLdImm64(x) && i + 1 < end) {
        ops.push({ kind: 'ld64', dst: x.dst, src: x.src, lo: x.imm, hi: insns[i + 1].imm });
        i++;
        continue;
      }
      const t = jumpTarget(insns, i);
      if (inside(t)) {
        ops.push({ kind: 'jump', insn: { ...x }, label: t + 1 });
        continue;
      }
      const callee = isPseudoCall(x) ? starts.indexOf(i + x.imm + 1) : -1;
      if (callee >= 0) ops.push({ kind: 'call', callee });
      else ops.push({ kind: 'insn', insn: { ...x } });
    }
    if (targets.has(end)) ops.push({ kind: 'label', label: end + 1 });
    return withArgTypes({ name: f.name, args: f.args, linkage: f.linkage, ops }, f.argTypes);
  });
}

/** `decl` with a copy of `argTypes` when there are any (absent stays absent, as in the file format). */
export function withArgTypes<T extends object>(decl: T, argTypes: readonly ArgType[] | undefined): T & { argTypes?: ArgType[] } {
  return argTypes === undefined ? decl : { ...decl, argTypes: argTypes.slice() };
}
