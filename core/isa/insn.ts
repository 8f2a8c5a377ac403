// The typed, decoded instruction and the two directions between it and RawInsn records.
// Decoding accepts exactly what linux 7.2 check_and_resolve_insns()/check_insn_fields()
// and check_atomic() let through as far as the encoding goes; semantic rules (r11 use,
// jump ranges, sizes of atomics) belong to the verifier model.
import type { RawInsn } from './raw.ts';
import {
  AluOp, AtomicImm, BPF_ADDR_PERCPU, BPF_ADDR_SPACE_CAST, BPF_MAY_GOTO, CallSrc, Class, JmpOp, Mode,
  MODE_NOSPEC, OPCODE_LD_IMM64, PseudoSrc, PUBLIC_OPCODES, Size, Source,
  opClass, opMode, opOp, opSize, opSource,
  type CallTarget, type PseudoKind, type SizeName,
} from './opcode.ts';

/** r0..r10, and r11 (BPF_REG_PARAMS) for stack arguments */
export type Reg = number;
export type Operand = { reg: Reg } | { imm: number };
export type Width = 32 | 64;

export type AluOpKind =
  | 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh' | 'rsh' | 'mod' | 'smod' | 'xor' | 'mov' | 'arsh';
export type JmpCond = 'jeq' | 'jgt' | 'jge' | 'jset' | 'jne' | 'jsgt' | 'jsge' | 'jlt' | 'jle' | 'jslt' | 'jsle';
export type AtomicOp =
  | 'add' | 'or' | 'and' | 'xor' | 'fetch_add' | 'fetch_or' | 'fetch_and' | 'fetch_xor'
  | 'xchg' | 'cmpxchg' | 'load_acquire' | 'store_release';

export type Insn =
  | { kind: 'alu'; width: Width; op: AluOpKind; dst: Reg; src: Operand }
  | { kind: 'neg'; width: Width; dst: Reg }
  | { kind: 'movsx'; width: Width; bits: 8 | 16 | 32; dst: Reg; src: Reg }
  /** BPF_END: ALU class gives le/be, ALU64 gives the unconditional bswap */
  | { kind: 'endian'; order: 'le' | 'be' | 'bswap'; bits: 16 | 32 | 64; dst: Reg }
  /** imm = dstAs << 16 | srcAs */
  | { kind: 'addr_space_cast'; dst: Reg; src: Reg; dstAs: number; srcAs: number }
  /** kernel-internal (off = BPF_ADDR_PERCPU); decode accepts it only with { internal: true } */
  | { kind: 'mov_percpu_addr'; dst: Reg; src: Reg }
  | { kind: 'ldx'; size: SizeName; signed: boolean; dst: Reg; src: Reg; off: number }
  | { kind: 'stx'; size: SizeName; dst: Reg; src: Reg; off: number }
  | { kind: 'st'; size: SizeName; dst: Reg; off: number; imm: number }
  | { kind: 'atomic'; size: SizeName; op: AtomicOp; dst: Reg; src: Reg; off: number }
  /** kernel-internal speculation barrier (BPF_ST | BPF_NOSPEC) */
  | { kind: 'nospec' }
  | { kind: 'ld_abs'; size: SizeName; imm: number }
  | { kind: 'ld_ind'; size: SizeName; src: Reg; imm: number }
  /** one instruction in two slots; imm64 = (u32 slot1.imm) << 32 | (u32 slot0.imm) */
  | { kind: 'ld_imm64'; dst: Reg; pseudo: PseudoKind; imm64: bigint }
  | { kind: 'jmp'; width: Width; cond: JmpCond; dst: Reg; src: Operand; off: number }
  | { kind: 'ja'; off: number }
  | { kind: 'gotol'; imm: number }
  | { kind: 'gotox'; dst: Reg }
  | { kind: 'may_goto'; off: number }
  /** imm: helper id, pc-relative subprogram offset, or kfunc BTF id; off: kfunc's fd_array index */
  | { kind: 'call'; target: CallTarget; imm: number; off: number }
  | { kind: 'exit' };

export type InsnKind = Insn['kind'];

/** A malformed instruction record, named by its slot index. */
export class IsaError extends Error {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(`insn ${index}: ${reason}`);
    this.name = 'IsaError';
  }
}

export const slotsOf = (insn: Insn): 1 | 2 => (insn.kind === 'ld_imm64' ? 2 : 1);

const aluOpCodes: Record<AluOpKind, number> = {
  add: AluOp.ADD, sub: AluOp.SUB, mul: AluOp.MUL, div: AluOp.DIV, sdiv: AluOp.DIV, or: AluOp.OR,
  and: AluOp.AND, lsh: AluOp.LSH, rsh: AluOp.RSH, mod: AluOp.MOD, smod: AluOp.MOD, xor: AluOp.XOR,
  mov: AluOp.MOV, arsh: AluOp.ARSH,
};
const jmpCondCodes: Record<JmpCond, number> = {
  jeq: JmpOp.JEQ, jgt: JmpOp.JGT, jge: JmpOp.JGE, jset: JmpOp.JSET, jne: JmpOp.JNE, jsgt: JmpOp.JSGT,
  jsge: JmpOp.JSGE, jlt: JmpOp.JLT, jle: JmpOp.JLE, jslt: JmpOp.JSLT, jsle: JmpOp.JSLE,
};
const atomicImms: Record<AtomicOp, number> = {
  add: AtomicImm.ADD, or: AtomicImm.OR, and: AtomicImm.AND, xor: AtomicImm.XOR,
  fetch_add: AtomicImm.ADD | AtomicImm.FETCH, fetch_or: AtomicImm.OR | AtomicImm.FETCH,
  fetch_and: AtomicImm.AND | AtomicImm.FETCH, fetch_xor: AtomicImm.XOR | AtomicImm.FETCH,
  xchg: AtomicImm.XCHG, cmpxchg: AtomicImm.CMPXCHG, load_acquire: AtomicImm.LOAD_ACQ, store_release: AtomicImm.STORE_REL,
};
const invert = <K extends string>(t: Record<K, number>): Map<number, K> =>
  new Map(Object.entries(t).map(([k, v]) => [v as number, k as K]));
const jmpCondByCode = invert(jmpCondCodes);
// sdiv/smod share DIV/MOD's code (told apart by off = 1), so they are left out of the reverse map
const aluByCode = invert(Object.fromEntries(Object.entries(aluOpCodes).filter(([k]) => k !== 'sdiv' && k !== 'smod')) as Record<AluOpKind, number>);
const atomicByImm = invert(atomicImms);
const pseudoBySrc = invert(PseudoSrc);
const callBySrc = invert(CallSrc);
const sizeByCode = invert(Size);

const u32 = (x: number): bigint => BigInt(x >>> 0);
/** The two 32-bit halves of an LD_IMM64 value as signed imm fields. */
export function splitImm64(imm64: bigint): { lo: number; hi: number } {
  const v = BigInt.asUintN(64, imm64);
  return { lo: Number(BigInt.asIntN(32, v)), hi: Number(BigInt.asIntN(32, v >> 32n)) };
}
export const joinImm64 = (lo: number, hi: number): bigint => (u32(hi) << 32n) | u32(lo);

export interface DecodeOptions {
  /** also accept the kernel-internal forms that appear in xlated dumps (nospec, per-CPU mov) */
  internal?: boolean;
}

/** LD_IMM64: one instruction in two slots; the second carries only the high 32 bits */
function decodeLdImm64(raw: readonly RawInsn[], index: number, bad: (reason: string) => never, reserved: (what: string) => never): Insn {
  const { dst, src, off, imm } = raw[index]!;
  const next = raw[index + 1];
  if (!next) bad('truncated LD_IMM64: the second slot is missing');
  if (next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) {
    bad('LD_IMM64 second slot must have code, dst_reg, src_reg and off all zero');
  }
  if (off !== 0) reserved('LD_IMM64 off must be 0');
  const pseudo = pseudoBySrc.get(src) ?? bad(`LD_IMM64 src_reg ${src} is not a known pseudo source (0..6)`);
  if ((pseudo === 'map_fd' || pseudo === 'map_idx') && next.imm !== 0) reserved('LD_IMM64 map fd with a non-zero second imm');
  return { kind: 'ld_imm64', dst, pseudo, imm64: joinImm64(imm, next.imm) };
}

/** Decode one instruction at `index`; returns it with the number of slots it took. */
export function decodeAt(raw: readonly RawInsn[], index: number, opts: DecodeOptions = {}): Insn {
  const r = raw[index];
  const bad = (reason: string): never => {
    throw new IsaError(index, reason);
  };
  const { code, dst, src, off, imm } = r;
  if (dst > 11) bad(`dst_reg r${dst} out of range (r0..r11)`);
  if (src > 11 && code !== OPCODE_LD_IMM64) bad(`src_reg r${src} out of range (r0..r11)`);
  const cls = opClass(code);
  const reserved = (what: string): never => bad(`reserved field set: ${what}`);

  if (code === OPCODE_LD_IMM64) return decodeLdImm64(raw, index, bad, reserved);

  const internal = opts.internal === true;
  if (internal && cls === Class.ST && opMode(code) === MODE_NOSPEC) return { kind: 'nospec' };
  if (!PUBLIC_OPCODES.has(code)) bad(`unknown opcode 0x${code.toString(16).padStart(2, '0')}`);

  const size = sizeByCode.get(opSize(code)) as SizeName;
  switch (cls) {
    case Class.ALU:
    case Class.ALU64: {
      const width: Width = cls === Class.ALU64 ? 64 : 32;
      const op = opOp(code);
      const isX = opSource(code) === Source.X;
      if (op === AluOp.NEG) {
        if (isX || src !== 0 || off !== 0 || imm !== 0) reserved('BPF_NEG uses src_reg, off or imm');
        return { kind: 'neg', width, dst };
      }
      if (op === AluOp.END) {
        if (src !== 0 || off !== 0) reserved('BPF_END uses src_reg or off');
        if (imm !== 16 && imm !== 32 && imm !== 64) bad(`BPF_END width ${imm} (expected 16, 32 or 64)`);
        const order = width === 64 ? 'bswap' : isX ? 'be' : 'le';
        return { kind: 'endian', order, bits: imm as 16 | 32 | 64, dst };
      }
      if (op === AluOp.MOV) {
        if (isX) {
          if (width === 64 && off === BPF_ADDR_SPACE_CAST) {
            if (imm !== 1 && imm !== 1 << 16) bad('addr_space_cast can only convert between address spaces 1 and 0');
            return { kind: 'addr_space_cast', dst, src, dstAs: imm >>> 16, srcAs: imm & 0xffff };
          }
          if (width === 64 && off === BPF_ADDR_PERCPU && internal) return { kind: 'mov_percpu_addr', dst, src };
          if (imm !== 0) reserved('BPF_MOV register form uses imm');
          if (off === 0) return { kind: 'alu', width, op: 'mov', dst, src: { reg: src } };
          if (off === 8 || off === 16 || (off === 32 && width === 64)) return { kind: 'movsx', width, bits: off, dst, src };
          return reserved(`BPF_MOV off ${off} (expected 0, 8, 16${width === 64 ? ' or 32' : ''})`);
        }
        if (src !== 0 || off !== 0) reserved('BPF_MOV immediate form uses src_reg or off');
        return { kind: 'alu', width, op: 'mov', dst, src: { imm } };
      }
      const isDivMod = op === AluOp.DIV || op === AluOp.MOD;
      if (off !== 0 && !(off === 1 && isDivMod)) reserved(`BPF_ALU off ${off} (only sdiv/smod use off = 1)`);
      if (isX && imm !== 0) reserved('BPF_ALU register form uses imm');
      if (!isX && src !== 0) reserved('BPF_ALU immediate form uses src_reg');
      const kindOp: AluOpKind = off === 1 ? (op === AluOp.DIV ? 'sdiv' : 'smod') : aluByCode.get(op)!;
      return { kind: 'alu', width, op: kindOp, dst, src: isX ? { reg: src } : { imm } };
    }
    case Class.LDX:
      if (imm !== 0) reserved('BPF_LDX uses imm');
      return { kind: 'ldx', size, signed: opMode(code) === Mode.MEMSX, dst, src, off };
    case Class.STX:
      if (opMode(code) === Mode.ATOMIC) {
        const op = atomicByImm.get(imm) ?? bad(`BPF_ATOMIC uses invalid atomic opcode 0x${(imm >>> 0).toString(16)}`);
        return { kind: 'atomic', size, op, dst, src, off };
      }
      if (imm !== 0) reserved('BPF_STX uses imm');
      return { kind: 'stx', size, dst, src, off };
    case Class.ST:
      if (src !== 0) reserved('BPF_ST uses src_reg');
      return { kind: 'st', size, dst, off, imm };
    case Class.LD:
      if (dst !== 0 || off !== 0) reserved('BPF_LD_[ABS|IND] uses dst_reg or off');
      if (opMode(code) === Mode.ABS) {
        if (src !== 0) reserved('BPF_LD_ABS uses src_reg');
        return { kind: 'ld_abs', size, imm };
      }
      return { kind: 'ld_ind', size, src, imm };
    default: {
      const width: Width = cls === Class.JMP ? 64 : 32;
      const op = opOp(code);
      const isX = opSource(code) === Source.X;
      if (op === JmpOp.CALL) {
        const target = callBySrc.get(src) ?? bad(`BPF_CALL src_reg ${src} (expected 0 helper, 1 subprogram, 2 kfunc)`);
        if (dst !== 0) reserved('BPF_CALL uses dst_reg');
        if (target !== 'kfunc' && off !== 0) reserved('BPF_CALL uses off');
        return { kind: 'call', target, imm, off };
      }
      if (op === JmpOp.EXIT) {
        if (dst !== 0 || src !== 0 || off !== 0 || imm !== 0) reserved('BPF_EXIT uses dst_reg, src_reg, off or imm');
        return { kind: 'exit' };
      }
      if (op === JmpOp.JCOND) {
        if (src !== BPF_MAY_GOTO || dst !== 0 || imm !== 0) reserved('may_goto uses dst_reg, src_reg or imm');
        return { kind: 'may_goto', off };
      }
      if (op === JmpOp.JA) {
        if (isX) {
          if (src !== 0 || off !== 0 || imm !== 0) reserved('BPF_JA|BPF_X uses src_reg, off or imm');
          return { kind: 'gotox', dst };
        }
        if (src !== 0 || dst !== 0) reserved('BPF_JA uses dst_reg or src_reg');
        if (width === 64) {
          if (imm !== 0) reserved('BPF_JA uses imm (use gotol for a 32-bit offset)');
          return { kind: 'ja', off };
        }
        if (off !== 0) reserved('gotol uses off');
        return { kind: 'gotol', imm };
      }
      if (isX && imm !== 0) reserved('BPF_JMP/JMP32 register form uses imm');
      if (!isX && src !== 0) reserved('BPF_JMP/JMP32 immediate form uses src_reg');
      const cond = jmpCondByCode.get(op) as JmpCond;
      return { kind: 'jmp', width, cond, dst, src: isX ? { reg: src } : { imm }, off };
    }
  }
}

/** Decode a whole program; LD_IMM64 becomes one Insn for its two slots. */
export function decode(raw: readonly RawInsn[], opts: DecodeOptions = {}): Insn[] {
  const out: Insn[] = [];
  for (let i = 0; i < raw.length; ) {
    const insn = decodeAt(raw, i, opts);
    out.push(insn);
    i += slotsOf(insn);
  }
  return out;
}

const isReg = (o: Operand): o is { reg: Reg } => 'reg' in o;

/** The opcode byte of an instruction (the first slot's, for LD_IMM64). */
export function opcodeOf(insn: Insn): number {
  switch (insn.kind) {
    case 'alu':
      return (insn.width === 64 ? Class.ALU64 : Class.ALU) | aluOpCodes[insn.op] | (isReg(insn.src) ? Source.X : Source.K);
    case 'neg':
      return (insn.width === 64 ? Class.ALU64 : Class.ALU) | AluOp.NEG;
    case 'movsx':
      return (insn.width === 64 ? Class.ALU64 : Class.ALU) | AluOp.MOV | Source.X;
    case 'endian':
      return insn.order === 'bswap' ? Class.ALU64 | AluOp.END : Class.ALU | AluOp.END | (insn.order === 'be' ? Source.X : Source.K);
    case 'addr_space_cast':
    case 'mov_percpu_addr':
      return Class.ALU64 | AluOp.MOV | Source.X;
    case 'ldx':
      return Class.LDX | (insn.signed ? Mode.MEMSX : Mode.MEM) | Size[insn.size];
    case 'stx':
      return Class.STX | Mode.MEM | Size[insn.size];
    case 'st':
      return Class.ST | Mode.MEM | Size[insn.size];
    case 'atomic':
      return Class.STX | Mode.ATOMIC | Size[insn.size];
    case 'nospec':
      return Class.ST | MODE_NOSPEC;
    case 'ld_abs':
      return Class.LD | Mode.ABS | Size[insn.size];
    case 'ld_ind':
      return Class.LD | Mode.IND | Size[insn.size];
    case 'ld_imm64':
      return OPCODE_LD_IMM64;
    case 'jmp':
      return (insn.width === 64 ? Class.JMP : Class.JMP32) | jmpCondCodes[insn.cond] | (isReg(insn.src) ? Source.X : Source.K);
    case 'ja':
      return Class.JMP | JmpOp.JA;
    case 'gotol':
      return Class.JMP32 | JmpOp.JA;
    case 'gotox':
      return Class.JMP | JmpOp.JA | Source.X;
    case 'may_goto':
      return Class.JMP | JmpOp.JCOND;
    case 'call':
      return Class.JMP | JmpOp.CALL;
    case 'exit':
      return Class.JMP | JmpOp.EXIT;
  }
}

/** Encode one instruction into its one or two raw slots; `index` names it in errors. */
export function encodeOne(insn: Insn, index = 0): RawInsn[] {
  const bad = (reason: string): never => {
    throw new IsaError(index, reason);
  };
  const reg = (r: number, what: string): number =>
    Number.isInteger(r) && r >= 0 && r <= 11 ? r : bad(`${what} r${r} out of range (r0..r11)`);
  const s16 = (v: number, what: string): number =>
    Number.isInteger(v) && v >= -0x8000 && v <= 0x7fff ? v : bad(`${what} ${v} does not fit a signed 16-bit off`);
  const s32 = (v: number, what: string): number =>
    Number.isInteger(v) && v >= -0x8000_0000 && v <= 0x7fff_ffff ? v : bad(`${what} ${v} does not fit a signed 32-bit imm`);
  const code = opcodeOf(insn);
  const one = (dst: number, src: number, off: number, imm: number): RawInsn[] => [
    { code, dst: reg(dst, 'dst_reg'), src: reg(src, 'src_reg'), off: s16(off, 'offset'), imm: s32(imm, 'immediate') },
  ];
  switch (insn.kind) {
    case 'alu': {
      const off = insn.op === 'sdiv' || insn.op === 'smod' ? 1 : 0;
      return isReg(insn.src) ? one(insn.dst, insn.src.reg, off, 0) : one(insn.dst, 0, off, insn.src.imm);
    }
    case 'neg':
      return one(insn.dst, 0, 0, 0);
    case 'movsx':
      if (insn.bits === 32 && insn.width === 32) bad('movsx with 32-bit width cannot extend from 32 bits');
      return one(insn.dst, insn.src, insn.bits, 0);
    case 'endian':
      return one(insn.dst, 0, 0, insn.bits);
    case 'addr_space_cast':
      if (insn.dstAs > 0xffff || insn.srcAs > 0xffff || insn.dstAs < 0 || insn.srcAs < 0) bad('address space out of range 0..65535');
      return one(insn.dst, insn.src, BPF_ADDR_SPACE_CAST, ((insn.dstAs << 16) | insn.srcAs) | 0);
    case 'mov_percpu_addr':
      return one(insn.dst, insn.src, BPF_ADDR_PERCPU, 0);
    case 'ldx':
      if (insn.signed && insn.size === 'DW') bad('sign-extending load has no 64-bit size');
      return one(insn.dst, insn.src, insn.off, 0);
    case 'stx':
      return one(insn.dst, insn.src, insn.off, 0);
    case 'st':
      return one(insn.dst, 0, insn.off, insn.imm);
    case 'atomic':
      return one(insn.dst, insn.src, insn.off, atomicImms[insn.op]);
    case 'nospec':
      return one(0, 0, 0, 0);
    case 'ld_abs':
    case 'ld_ind':
      if (insn.size === 'DW') bad('LD_ABS/LD_IND have no 64-bit size');
      return one(0, insn.kind === 'ld_ind' ? insn.src : 0, 0, insn.imm);
    case 'ld_imm64': {
      if (insn.imm64 < -(1n << 63n) || insn.imm64 >= 1n << 64n) bad(`LD_IMM64 value ${insn.imm64} does not fit 64 bits`);
      const { lo, hi } = splitImm64(insn.imm64);
      return [
        { code, dst: reg(insn.dst, 'dst_reg'), src: PseudoSrc[insn.pseudo], off: 0, imm: lo },
        { code: 0, dst: 0, src: 0, off: 0, imm: hi },
      ];
    }
    case 'jmp':
      return isReg(insn.src) ? one(insn.dst, insn.src.reg, insn.off, 0) : one(insn.dst, 0, insn.off, insn.src.imm);
    case 'ja':
      return one(0, 0, insn.off, 0);
    case 'gotol':
      return one(0, 0, 0, insn.imm);
    case 'gotox':
      return one(insn.dst, 0, 0, 0);
    case 'may_goto':
      return one(0, BPF_MAY_GOTO, insn.off, 0);
    case 'call':
      if (insn.target !== 'kfunc' && insn.off !== 0) bad('only kfunc calls carry an off');
      return one(0, CallSrc[insn.target], insn.off, insn.imm);
    case 'exit':
      return one(0, 0, 0, 0);
  }
}

export function encode(insns: readonly Insn[]): RawInsn[] {
  const out: RawInsn[] = [];
  for (const insn of insns) out.push(...encodeOne(insn, out.length));
  return out;
}
