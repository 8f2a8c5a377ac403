// The opcode byte and its typed parts, with the numeric values of include/uapi/linux/bpf.h
// and bpf_common.h. Names follow the kernel's BPF_* macros without the prefix.

export const Class = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;
export type ClassName = keyof typeof Class;

/** load/store size, bits 3..4 */
export const Size = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export type SizeName = keyof typeof Size;

/** load/store mode, bits 5..7 */
export const Mode = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;
export type ModeName = keyof typeof Mode;
/** kernel-internal ST mode (filter.h BPF_NOSPEC), printed as `nospec`; never accepted from user space */
export const MODE_NOSPEC = 0xc0;

/** ALU/JMP operand source, bit 3 (for BPF_END: 0 = to little endian, 1 = to big endian) */
export const Source = { K: 0x00, X: 0x08 } as const;
export type SourceName = keyof typeof Source;

export const AluOp = {
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0,
} as const;
export type AluOpName = keyof typeof AluOp;

export const JmpOp = {
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70,
  CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0, JCOND: 0xe0,
} as const;
export type JmpOpName = keyof typeof JmpOp;

/** atomic operation codes carried in imm of BPF_STX|BPF_ATOMIC */
export const AtomicImm = {
  ADD: 0x00, OR: 0x40, AND: 0x50, XOR: 0xa0, FETCH: 0x01, XCHG: 0xe1, CMPXCHG: 0xf1,
  LOAD_ACQ: 0x100, STORE_REL: 0x110,
} as const;

/** src_reg values of the first LD_IMM64 slot (bpf.h BPF_PSEUDO_*) */
export const PseudoSrc = { none: 0, map_fd: 1, map_value: 2, btf_id: 3, func: 4, map_idx: 5, map_idx_value: 6 } as const;
export type PseudoKind = keyof typeof PseudoSrc;

/** src_reg values of BPF_CALL */
export const CallSrc = { helper: 0, subprog: 1, kfunc: 2 } as const;
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
