// The generator's intermediate form: per function a list of ops with symbolic jump labels and
// call targets, so mutations and the reducer can insert or drop instructions without
// recomputing offsets by hand. `lower` lays the functions out and resolves both.
import type { RawInsn } from '../isa/raw.ts';
import type { FuncDecl, Linkage } from '../program/index.ts';

// Opcode parts (RFC 9669): class | size/source | mode/op.
export const CLS = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;
export const SZ = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export const MODE = { IMM: 0x00, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;
export const SRC = { K: 0x00, X: 0x08 } as const;
export const ALU = { ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70, NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0 } as const;
export const JMP = { JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70, CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0 } as const;
export const R_FP = 10;
export const R_PARAMS = 11;
export const PSEUDO_CALL = 1;

export type SizeName = 'u8' | 'u16' | 'u32' | 'u64';
export const SIZE_OF: Record<SizeName, number> = { u8: SZ.B, u16: SZ.H, u32: SZ.W, u64: SZ.DW };
export const BYTES_OF: Record<SizeName, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };

/** What an op is for, so mutations can find "the stores of call site 3" or "the exit". */
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
  ops: Op[];
}

export const insn = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm: imm | 0 });

// Builders read like the instruction they make, in the kernel's log syntax.
export const E = {
  movImm: (dst: number, imm: number, w64 = true): Op => ({ kind: 'insn', insn: insn((w64 ? CLS.ALU64 : CLS.ALU) | ALU.MOV | SRC.K, dst, 0, 0, imm) }),
  movReg: (dst: number, src: number, w64 = true): Op => ({ kind: 'insn', insn: insn((w64 ? CLS.ALU64 : CLS.ALU) | ALU.MOV | SRC.X, dst, src, 0, 0) }),
  aluImm: (op: number, dst: number, imm: number, w64 = true, off = 0): Op => ({ kind: 'insn', insn: insn((w64 ? CLS.ALU64 : CLS.ALU) | op | SRC.K, dst, 0, off, imm) }),
  aluReg: (op: number, dst: number, src: number, w64 = true, off = 0): Op => ({ kind: 'insn', insn: insn((w64 ? CLS.ALU64 : CLS.ALU) | op | SRC.X, dst, src, off, 0) }),
  ld64: (dst: number, lo: number, hi: number): Op => ({ kind: 'ld64', dst, lo: lo | 0, hi: hi | 0 }),
  ldx: (size: SizeName, dst: number, src: number, off: number, signed = false): Op => ({ kind: 'insn', insn: insn(CLS.LDX | (signed ? MODE.MEMSX : MODE.MEM) | SIZE_OF[size], dst, src, off, 0) }),
  stx: (size: SizeName, dst: number, off: number, src: number): Op => ({ kind: 'insn', insn: insn(CLS.STX | MODE.MEM | SIZE_OF[size], dst, src, off, 0) }),
  st: (size: SizeName, dst: number, off: number, imm: number): Op => ({ kind: 'insn', insn: insn(CLS.ST | MODE.MEM | SIZE_OF[size], dst, 0, off, imm) }),
  atomicAdd: (dst: number, off: number, src: number): Op => ({ kind: 'insn', insn: insn(CLS.STX | MODE.ATOMIC | SZ.DW, dst, src, off, ALU.ADD) }),
  jumpImm: (op: number, dst: number, imm: number, label: number, w64 = true): Op => ({ kind: 'jump', insn: insn((w64 ? CLS.JMP : CLS.JMP32) | op | SRC.K, dst, 0, 0, imm), label }),
  jumpReg: (op: number, dst: number, src: number, label: number, w64 = true): Op => ({ kind: 'jump', insn: insn((w64 ? CLS.JMP : CLS.JMP32) | op | SRC.X, dst, src, 0, 0), label }),
  ja: (label: number): Op => ({ kind: 'jump', insn: insn(CLS.JMP | JMP.JA, 0, 0, 0, 0), label }),
  callHelper: (id: number): Op => ({ kind: 'insn', insn: insn(CLS.JMP | JMP.CALL, 0, 0, 0, id), tag: { role: 'helperCall' } }),
  call: (callee: number): Op => ({ kind: 'call', callee }),
  exit: (): Op => ({ kind: 'insn', insn: insn(CLS.JMP | JMP.EXIT, 0, 0, 0, 0) }),
  label: (label: number): Op => ({ kind: 'label', label }),
  mark: (role: OpTag['role']): Op => ({ kind: 'mark', tag: { role } }),
};

export function tagged<T extends Op>(op: T, tag: OpTag): T {
  if (op.kind === 'label' || op.kind === 'mark') return op;
  return { ...op, tag };
}

export const slotsOfOp = (op: Op): number => (op.kind === 'ld64' ? 2 : op.kind === 'label' || op.kind === 'mark' ? 0 : 1);

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
          out.push(insn(CLS.LD | MODE.IMM | SZ.DW, op.dst, op.src ?? 0, 0, op.lo), insn(0, 0, 0, 0, op.hi));
          break;
        case 'jump': {
          const target = labels.get(op.label);
          if (target === undefined) throw new Error(`${f.name}: jump to undefined label ${op.label}`);
          const off = target - (here + 1);
          // gotol (JMP32|JA) carries its offset in imm
          if (op.insn.code === (CLS.JMP32 | JMP.JA)) out.push({ ...op.insn, off: 0, imm: off });
          else {
            if (off < -0x8000 || off > 0x7fff) throw new RangeError(`${f.name}: jump offset ${off} out of 16-bit range`);
            out.push({ ...op.insn, off });
          }
          break;
        }
        case 'call':
          out.push(insn(CLS.JMP | JMP.CALL, 0, PSEUDO_CALL, 0, starts[op.callee] - (here + 1)));
          break;
        default:
          break;
      }
    }
  });
  return {
    insns: out,
    funcs: funcs.map((f, i) => ({ name: f.name, start: starts[i], args: f.args, linkage: f.linkage })),
  };
}

/**
 * The inverse of `lower`: a Program's functions as ops with labels and call targets, so
 * instructions can be dropped or added while jumps and calls stay right. Jumps that leave
 * their function (which the kernel rejects anyway) keep their raw offset.
 */
export function lift(insns: readonly RawInsn[], funcs: readonly FuncDecl[]): FuncIr[] {
  const starts = funcs.map((f) => f.start);
  const out: FuncIr[] = [];
  funcs.forEach((f, fi) => {
    const end = fi + 1 < funcs.length ? funcs[fi + 1].start : insns.length;
    const targets = new Set<number>();
    const jumpTarget = (i: number): number | undefined => {
      const x = insns[i];
      const cls = x.code & 0x07;
      const op = x.code & 0xf0;
      if (cls !== CLS.JMP && cls !== CLS.JMP32) return undefined;
      if (op === JMP.CALL || op === JMP.EXIT) return undefined;
      if (cls === CLS.JMP32 && op === JMP.JA) return i + x.imm + 1;
      return i + x.off + 1;
    };
    for (let i = f.start; i < end; i++) {
      const t = jumpTarget(i);
      if (t !== undefined && t >= f.start && t < end) targets.add(t);
      if (insns[i].code === (CLS.LD | MODE.IMM | SZ.DW)) i++;
    }
    const ops: Op[] = [];
    for (let i = f.start; i < end; i++) {
      if (targets.has(i)) ops.push({ kind: 'label', label: i + 1 });
      const x = insns[i];
      if (x.code === (CLS.LD | MODE.IMM | SZ.DW) && i + 1 < end) {
        ops.push({ kind: 'ld64', dst: x.dst, src: x.src, lo: x.imm, hi: insns[i + 1].imm });
        i++;
        continue;
      }
      const t = jumpTarget(i);
      if (t !== undefined && t >= f.start && t < end) {
        ops.push({ kind: 'jump', insn: { ...x }, label: t + 1 });
        continue;
      }
      if (x.code === (CLS.JMP | JMP.CALL) && x.src === PSEUDO_CALL) {
        const callee = starts.indexOf(i + x.imm + 1);
        if (callee >= 0) {
          ops.push({ kind: 'call', callee });
          continue;
        }
      }
      ops.push({ kind: 'insn', insn: { ...x } });
    }
    if (targets.has(end)) ops.push({ kind: 'label', label: end + 1 });
    out.push({ name: f.name, args: f.args, linkage: f.linkage, ops });
  });
  return out;
}
