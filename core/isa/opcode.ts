// The opcode byte and its typed parts, with the numeric values of include/uapi/linux/bpf.h
// and bpf_common.h. Names follow the kernel's BPF_* macros without the prefix.

// The kernel's names for every part of the opcode byte; the typed tables below are built from
// them, and every module that reads or writes opcodes uses these (no other file declares one).
/** instruction classes, bits 0..2 (bpf_common.h BPF_CLASS) */
export const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ST = 0x02, BPF_STX = 0x03, BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_JMP32 = 0x06, BPF_ALU64 = 0x07;
/** load/store sizes, bits 3..4 (BPF_SIZE) */
export const BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10, BPF_DW = 0x18;
/** load/store modes, bits 5..7 (BPF_MODE) */
export const BPF_IMM = 0x00, BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MEM = 0x60, BPF_MEMSX = 0x80, BPF_ATOMIC = 0xc0;
/** ALU/JMP operand source, bit 3 (BPF_SRC); for BPF_END: to little / big endian */
export const BPF_K = 0x00, BPF_X = 0x08;
export const BPF_TO_LE = BPF_K, BPF_TO_BE = BPF_X;
/** ALU operations, bits 4..7 (BPF_OP) */
export const BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50, BPF_LSH = 0x60;
export const BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0, BPF_MOV = 0xb0, BPF_ARSH = 0xc0, BPF_END = 0xd0;
/** jump operations, bits 4..7 (BPF_OP) */
export const BPF_JA = 0x00, BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JSET = 0x40, BPF_JNE = 0x50, BPF_JSGT = 0x60, BPF_JSGE = 0x70;
export const BPF_CALL = 0x80, BPF_EXIT = 0x90, BPF_JLT = 0xa0, BPF_JLE = 0xb0, BPF_JSLT = 0xc0, BPF_JSLE = 0xd0, BPF_JCOND = 0xe0;
/** the imm of BPF_STX|BPF_ATOMIC besides the ALU operations: fetch flag, xchg, cmpxchg, load-acquire, store-release */
export const BPF_FETCH = 0x01, BPF_XCHG = 0xe0 | BPF_FETCH, BPF_CMPXCHG = 0xf0 | BPF_FETCH, BPF_LOAD_ACQ = 0x100, BPF_STORE_REL = 0x110;
/** src_reg of the first LD_IMM64 slot (bpf.h BPF_PSEUDO_*) */
export const BPF_PSEUDO_MAP_FD = 1, BPF_PSEUDO_MAP_VALUE = 2, BPF_PSEUDO_BTF_ID = 3, BPF_PSEUDO_FUNC = 4, BPF_PSEUDO_MAP_IDX = 5, BPF_PSEUDO_MAP_IDX_VALUE = 6;
/** src_reg of BPF_CALL */
export const BPF_HELPER_CALL = 0, BPF_PSEUDO_CALL = 1, BPF_PSEUDO_KFUNC_CALL = 2;

export const Class = { LD: BPF_LD, LDX: BPF_LDX, ST: BPF_ST, STX: BPF_STX, ALU: BPF_ALU, JMP: BPF_JMP, JMP32: BPF_JMP32, ALU64: BPF_ALU64 } as const;
export type ClassName = keyof typeof Class;

/** load/store size, bits 3..4 */
export const Size = { W: BPF_W, H: BPF_H, B: BPF_B, DW: BPF_DW } as const;
export type SizeName = keyof typeof Size;

/** load/store mode, bits 5..7 */
export const Mode = { IMM: BPF_IMM, ABS: BPF_ABS, IND: BPF_IND, MEM: BPF_MEM, MEMSX: BPF_MEMSX, ATOMIC: BPF_ATOMIC } as const;
export type ModeName = keyof typeof Mode;
/** kernel-internal ST mode (filter.h BPF_NOSPEC), printed as `nospec`; never accepted from user space */
export const MODE_NOSPEC = 0xc0;

/** ALU/JMP operand source, bit 3 (for BPF_END: 0 = to little endian, 1 = to big endian) */
export const Source = { K: BPF_K, X: BPF_X } as const;
export type SourceName = keyof typeof Source;

export const AluOp = {
  ADD: BPF_ADD, SUB: BPF_SUB, MUL: BPF_MUL, DIV: BPF_DIV, OR: BPF_OR, AND: BPF_AND, LSH: BPF_LSH, RSH: BPF_RSH,
  NEG: BPF_NEG, MOD: BPF_MOD, XOR: BPF_XOR, MOV: BPF_MOV, ARSH: BPF_ARSH, END: BPF_END,
} as const;
export type AluOpName = keyof typeof AluOp;

export const JmpOp = {
  JA: BPF_JA, JEQ: BPF_JEQ, JGT: BPF_JGT, JGE: BPF_JGE, JSET: BPF_JSET, JNE: BPF_JNE, JSGT: BPF_JSGT, JSGE: BPF_JSGE,
  CALL: BPF_CALL, EXIT: BPF_EXIT, JLT: BPF_JLT, JLE: BPF_JLE, JSLT: BPF_JSLT, JSLE: BPF_JSLE, JCOND: BPF_JCOND,
} as const;
export type JmpOpName = keyof typeof JmpOp;

/** atomic operation codes carried in imm of BPF_STX|BPF_ATOMIC */
export const AtomicImm = {
  ADD: BPF_ADD, OR: BPF_OR, AND: BPF_AND, XOR: BPF_XOR, FETCH: BPF_FETCH, XCHG: BPF_XCHG, CMPXCHG: BPF_CMPXCHG,
  LOAD_ACQ: BPF_LOAD_ACQ, STORE_REL: BPF_STORE_REL,
} as const;

/** src_reg values of the first LD_IMM64 slot (bpf.h BPF_PSEUDO_*) */
export const PseudoSrc = {
  none: 0, map_fd: BPF_PSEUDO_MAP_FD, map_value: BPF_PSEUDO_MAP_VALUE, btf_id: BPF_PSEUDO_BTF_ID, func: BPF_PSEUDO_FUNC,
  map_idx: BPF_PSEUDO_MAP_IDX, map_idx_value: BPF_PSEUDO_MAP_IDX_VALUE,
} as const;
export type PseudoKind = keyof typeof PseudoSrc;

/** src_reg values of BPF_CALL */
export const CallSrc = { helper: BPF_HELPER_CALL, subprog: BPF_PSEUDO_CALL, kfunc: BPF_PSEUDO_KFUNC_CALL } as const;
export type CallTarget = keyof typeof CallSrc;

export const BPF_MAY_GOTO = 0;
/** MOV64 X with this off is addr_space_cast (bpf.h BPF_ADDR_SPACE_CAST) */
export const BPF_ADDR_SPACE_CAST = 1;
/** MOV64 X with this off is the kernel-internal per-CPU address move (filter.h BPF_ADDR_PERCPU) */
export const BPF_ADDR_PERCPU = -1;

/** MAX_BPF_REG: r0..r10 are the architectural registers */
export const MAX_BPF_REG = 11;
/** BPF_REG_PARAMS (filter.h): r11 addresses the stack-argument area since 7.2 */
export const BPF_REG_PARAMS = 11;
export const BPF_REG_FP = 10;

export const OPCODE_LD_IMM64 = Class.LD | Mode.IMM | Size.DW;

const nameOf = <T extends Record<string, number>>(table: T, value: number): keyof T | undefined =>
  Object.keys(table).find((k) => table[k] === value) as keyof T | undefined;

/** The opcode byte split into its typed parts. Which parts apply depends on the class. */
export interface OpcodeParts {
  cls: ClassName;
  /** LD/LDX/ST/STX */
  size: SizeName;
  mode: number;
  /** ALU/ALU64/JMP/JMP32 */
  source: SourceName;
  /** undefined for the unassigned 0xe0 and 0xf0 */
  aluOp: AluOpName | undefined;
  /** undefined for the unassigned 0xf0 */
  jmpOp: JmpOpName | undefined;
}

export function opcodeParts(code: number): OpcodeParts {
  return {
    cls: nameOf(Class, code & 0x07)!,
    size: nameOf(Size, code & 0x18)!,
    mode: code & 0xe0,
    source: nameOf(Source, code & 0x08)!,
    aluOp: nameOf(AluOp, code & 0xf0),
    jmpOp: nameOf(JmpOp, code & 0xf0),
  };
}

export const opClass = (code: number): number => code & 0x07;
export const opSize = (code: number): number => code & 0x18;
export const opMode = (code: number): number => code & 0xe0;
export const opSource = (code: number): number => code & 0x08;
export const opOp = (code: number): number => code & 0xf0;

const sizeList: SizeName[] = ['B', 'H', 'W', 'DW'];
/** Bytes moved by a load/store size. */
export const SIZE_BYTES: Record<SizeName, 1 | 2 | 4 | 8> = { B: 1, H: 2, W: 4, DW: 8 };
export const sizeByBytes = (bytes: number): SizeName | undefined => sizeList.find((s) => SIZE_BYTES[s] === bytes);

/**
 * The opcodes user space may load (core.c bpf_opcode_in_insntable, including the cBPF
 * carry-overs LD_ABS/LD_IND, gotox and may_goto).
 */
export const PUBLIC_OPCODES: ReadonlySet<number> = (() => {
  const s = new Set<number>();
  const aluOps = ['ADD', 'SUB', 'AND', 'OR', 'LSH', 'RSH', 'XOR', 'MUL', 'MOV', 'ARSH', 'DIV', 'MOD'] as const;
  for (const cls of [Class.ALU, Class.ALU64]) {
    for (const op of aluOps) for (const src of [Source.K, Source.X]) s.add(cls | AluOp[op] | src);
    s.add(cls | AluOp.NEG);
    s.add(cls | AluOp.END | Source.K);
  }
  s.add(Class.ALU | AluOp.END | Source.X);
  const jmpOps = ['JEQ', 'JNE', 'JGT', 'JLT', 'JGE', 'JLE', 'JSGT', 'JSLT', 'JSGE', 'JSLE', 'JSET'] as const;
  for (const cls of [Class.JMP, Class.JMP32]) {
    for (const op of jmpOps) for (const src of [Source.K, Source.X]) s.add(cls | JmpOp[op] | src);
    s.add(cls | JmpOp.JA);
  }
  s.add(Class.JMP | JmpOp.CALL);
  s.add(Class.JMP | JmpOp.EXIT);
  s.add(Class.JMP | JmpOp.JA | Source.X);
  s.add(Class.JMP | JmpOp.JCOND);
  for (const size of Object.values(Size)) {
    s.add(Class.STX | Mode.ATOMIC | size);
    s.add(Class.STX | Mode.MEM | size);
    s.add(Class.ST | Mode.MEM | size);
    s.add(Class.LDX | Mode.MEM | size);
    if (size !== Size.DW) {
      s.add(Class.LDX | Mode.MEMSX | size);
      s.add(Class.LD | Mode.ABS | size);
      s.add(Class.LD | Mode.IND | size);
    }
  }
  s.add(OPCODE_LD_IMM64);
  return s;
})();

const BYTES_BY_SIZE_BITS = [4, 2, 1, 8] as const;
/** Bytes a load/store opcode moves (from its BPF_SIZE bits). */
export const sizeBytes = (code: number): 1 | 2 | 4 | 8 => BYTES_BY_SIZE_BITS[(code >> 3) & 3];

/** The kernel's text for each ALU operation (disasm.c bpf_alu_string), also used in verifier messages. */
export const ALU_OP_STRING: Readonly<Record<number, string>> = {
  [BPF_ADD]: '+=', [BPF_SUB]: '-=', [BPF_MUL]: '*=', [BPF_DIV]: '/=', [BPF_OR]: '|=', [BPF_AND]: '&=',
  [BPF_LSH]: '<<=', [BPF_RSH]: '>>=', [BPF_NEG]: 'neg', [BPF_MOD]: '%=', [BPF_XOR]: '^=', [BPF_MOV]: '=',
  [BPF_ARSH]: 's>>=', [BPF_END]: 'endian',
};
