// Assembler for the kernel's verifier-log syntax (what disasm.ts prints), LLVM's spelling of
// the same instructions (`r1 = *(u64 *)(r10 - 8)`, `r1 = 5 ll`, `goto +3`), and a few
// directives for writing whole programs by hand (labels, .func, .map, .type, .input).
// core/isa/SYNTAX.md describes the whole syntax.
//
// The kernel prints mov immediates in decimal and 64-bit loads in hex, so `r1 = 5` is a
// 64-bit mov and `r1 = 0x5` (or `r1 = 5 ll`) is an LD_IMM64: the same text always gives
// back the same bytes.
import { MAP_TYPES, MAX_FUNC_ARGS, PROG_TYPES, type FuncDecl, type MapDecl, type MapType, type ProgType } from './decls.ts';
import { inferFunctions } from './subprogs.ts';
import { parseArgType, type ArgType } from './arg-types.ts';
import type { RawInsn } from './raw.ts';
import { HELPER_ID_LIMIT, HELPER_NAMES } from './helper-ids.ts';
import { encodeOne, IsaError, joinImm64, slotsOf, type AluOpKind, type AtomicOp, type Insn, type JmpCond, type Operand, type Width } from './insn.ts';
import { sizeByBytes, type SizeName } from './opcode.ts';

/** A source line that does not assemble; `line` is 1-based. */
export class AsmError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'AsmError';
  }
}

export interface Assembled {
  insns: RawInsn[];
  funcs: FuncDecl[];
  maps: MapDecl[];
  progType?: ProgType;
  input?: Uint8Array;
  /** without `.func` lines, the subprograms found from call targets and how each count was found */
  inferred?: Array<{ name: string; note: string }>;
}

/** Where an instruction jumps or calls: a pc-relative number, or a label to resolve. */
type Target = { rel: number } | { label: string };

/** One parsed instruction; `target` fills the field named by `patch` once labels are known. */
interface Parsed {
  insn: Insn;
  target?: Target;
  patch?: 'off' | 'imm' | 'call' | 'func';
  /** `call NAME` that is not a pc offset: a function/label, else a helper by name */
  callName?: string;
}

const NUM = String.raw`(?:0x[0-9a-fA-F]+|\d+)`;
const SIGNED = String.raw`-?${NUM}`;
const REG = String.raw`([rw])(\d+)`;
const SZ = String.raw`\(\s*(u8|u16|u32|u64|s8|s16|s32)\s*\*\s*\)`;
/** `(r10 -8)`, `(r10 - 8)`, `(r1 +0)`, `(r1)` */
const ADDR = String.raw`\(\s*r(\d+)\s*(?:([+-])\s*(${NUM}))?\s*\)`;
const TARGET = String.raw`(pc\s*[+-]\s*${NUM}|[+-]\s*${NUM}|[A-Za-z_.$][\w.$]*)`;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

const re = (s: string): RegExp => new RegExp(`^${s}$`);
const RX = {
  exit: re('exit'),
  nospec: re('nospec'),
  jump: re(String.raw`(goto|gotol|may_goto)\s+${TARGET}`),
  gotox: re(String.raw`gotox\s+r(\d+)`),
  call: re(String.raw`call\s+(.+?)`),
  cond: re(String.raw`if\s+${REG}\s+(==|!=|>=|<=|>|<|&|s>=|s<=|s>|s<)\s+(${SIGNED}|[rw]\d+)\s+goto\s+${TARGET}`),
  lock: re(String.raw`lock\s+\*\s*${SZ}\s*${ADDR}\s*(\+=|\|=|&=|\^=)\s*[rw](\d+)`),
  storeRel: re(String.raw`store_release\(\s*${SZ}\s*${ADDR}\s*,\s*r(\d+)\s*\)`),
  store: re(String.raw`\*\s*${SZ}\s*${ADDR}\s*=\s*([rw]\d+|${SIGNED})`),
  assign: re(String.raw`${REG}\s*=\s*(.+?)`),
  compound: re(String.raw`${REG}\s*(\+=|-=|\*=|/=|\|=|&=|<<=|>>=|%=|\^=|s>>=|s/=|s%=)\s*(${SIGNED}|[rw]\d+)`),
  // right-hand sides of `rD = ...`
  load: re(String.raw`\*\s*${SZ}\s*${ADDR}`),
  skbAbs: re(String.raw`\*\s*${SZ}\s*skb\[\s*(${SIGNED})\s*\]`),
  skbInd: re(String.raw`\*\s*${SZ}\s*skb\[\s*r(\d+)\s*\+\s*(${SIGNED})\s*\]`),
  fetch: re(String.raw`atomic(64)?_(fetch_add|fetch_and|fetch_or|fetch_xor|xchg)\(\s*${SZ}\s*${ADDR}\s*,\s*r(\d+)\s*\)`),
  cmpxchg: re(String.raw`atomic(64)?_cmpxchg\(\s*${SZ}\s*${ADDR}\s*,\s*r0\s*,\s*r(\d+)\s*\)`),
  loadAcq: re(String.raw`load_acquire\(\s*${SZ}\s*${ADDR}\s*\)`),
  endian: re(String.raw`(be|le|bswap)(16|32|64)\s+${REG}`),
  neg: re(String.raw`-\s*${REG}`),
  asCast: re(String.raw`addr_space_cast\(\s*r(\d+)\s*,\s*(${NUM})\s*,\s*(${NUM})\s*\)`),
  percpu: re(String.raw`&\(void __percpu \*\)\(\s*r(\d+)\s*\)`),
  movsx: re(String.raw`\((s8|s16|s32)\)\s*${REG}`),
  reg: re(REG),
  map: re(String.raw`map\[(id|idx):(${NUM})\](?:\[0\]\s*\+\s*(${NUM}))?(?:\s+ll)?`),
  btfId: re(String.raw`btf_id\[(${NUM})\](?:\[fd:(${SIGNED})\])?(?:\s+ll)?`),
  func: re(String.raw`func\[${TARGET}\](?:\[hi:(${SIGNED})\])?(?:\s+ll)?`),
  imm64: re(String.raw`(${SIGNED})(\s+ll)?`),
};

const aluOps: Record<string, AluOpKind> = {
  '+=': 'add', '-=': 'sub', '*=': 'mul', '/=': 'div', '|=': 'or', '&=': 'and', '<<=': 'lsh', '>>=': 'rsh',
  '%=': 'mod', '^=': 'xor', 's>>=': 'arsh', 's/=': 'sdiv', 's%=': 'smod',
};
const jmpConds: Record<string, JmpCond> = {
  '==': 'jeq', '!=': 'jne', '>': 'jgt', '>=': 'jge', '<': 'jlt', '<=': 'jle', '&': 'jset',
  's>': 'jsgt', 's>=': 'jsge', 's<': 'jslt', 's<=': 'jsle',
};
const lockOps: Record<string, AtomicOp> = { '+=': 'add', '|=': 'or', '&=': 'and', '^=': 'xor' };

class LineError extends Error {}
const fail = (reason: string): never => {
  throw new LineError(reason);
};

function num(text: string): bigint {
  const t = text.replace(/\s+/g, '');
  const neg = t.startsWith('-');
  const body = neg || t.startsWith('+') ? t.slice(1) : t;
  const v = BigInt(body);
  return neg ? -v : v;
}
/** An immediate that must fit 32 bits; hex/unsigned spellings up to 0xffffffff wrap to s32 as the kernel's %x prints them. */
function imm32(text: string, what = 'immediate'): number {
  let v = num(text);
  // LLVM also takes a 64-bit spelling of a sign-extended 32-bit value (`r5 &= 0xfffffffffffffffc`)
  if (v >= (1n << 64n) - (1n << 31n) && v < 1n << 64n) v -= 1n << 64n;
  if (v < -(1n << 31n) || v >= 1n << 32n) fail(`${what} ${text} does not fit 32 bits`);
  return Number(BigInt.asIntN(32, v));
}
function off16(sign: string | undefined, text: string | undefined): number {
  if (text === undefined) return 0;
  const v = num(text) * (sign === '-' ? -1n : 1n);
  if (v < -0x8000n || v > 0x7fffn) fail(`offset ${sign ?? ''}${text} does not fit 16 bits`);
  return Number(v);
}
function reg(n: string): number {
  const r = Number(n);
  if (r > 11) fail(`register r${n} does not exist (r0..r11)`);
  return r;
}
function size(sz: string): { size: SizeName; signed: boolean } {
  return { size: sizeByBytes(Number(sz.slice(1)) / 8)!, signed: sz.startsWith('s') };
}
function unsignedSize(sz: string): SizeName {
  const s = size(sz);
  if (s.signed) fail(`${sz} is only valid in a sign-extending load`);
  return s.size;
}
function target(text: string): Target {
  const t = text.replace(/\s+/g, '');
  if (/^pc[+-]/.test(t)) return { rel: Number(num(t.slice(2))) };
  if (/^[+-]/.test(t)) return { rel: Number(num(t)) };
  return { label: t };
}
function operand(text: string, letter: string): Operand {
  const m = /^([rw])(\d+)$/.exec(text);
  if (!m) return { imm: imm32(text) };
  if (m[1] !== letter) fail(`mixed register widths: ${letter}… with ${text}`);
  return { reg: reg(m[2]) };
}
const widthOf = (letter: string): Width => (letter === 'w' ? 32 : 64);

/** Parse one instruction's text (without index, opcode prefix or comment). */
function parseInstruction(s: string): Parsed {
  let m: RegExpExecArray | null;
  if (RX.exit.test(s)) return { insn: { kind: 'exit' } };
  if (RX.nospec.test(s)) return { insn: { kind: 'nospec' } };
  if ((m = RX.jump.exec(s))) {
    const t = target(m[2]);
    if (m[1] === 'gotol') return { insn: { kind: 'gotol', imm: 0 }, target: t, patch: 'imm' };
    return { insn: m[1] === 'goto' ? { kind: 'ja', off: 0 } : { kind: 'may_goto', off: 0 }, target: t, patch: 'off' };
  }
  if ((m = RX.gotox.exec(s))) return { insn: { kind: 'gotox', dst: reg(m[1]) } };
  if ((m = RX.cond.exec(s))) {
    return {
      insn: { kind: 'jmp', width: widthOf(m[1]), cond: jmpConds[m[3]], dst: reg(m[2]), src: operand(m[4], m[1]), off: 0 },
      target: target(m[5]),
      patch: 'off',
    };
  }
  if ((m = RX.call.exec(s))) return parseCall(m[1]);
  if ((m = RX.lock.exec(s))) {
    const sz = unsignedSize(m[1]);
    return { insn: { kind: 'atomic', size: sz, op: lockOps[m[5]], dst: reg(m[2]), src: reg(m[6]), off: off16(m[3], m[4]) } };
  }
  if ((m = RX.storeRel.exec(s))) {
    return { insn: { kind: 'atomic', size: unsignedSize(m[1]), op: 'store_release', dst: reg(m[2]), src: reg(m[5]), off: off16(m[3], m[4]) } };
  }
  if ((m = RX.store.exec(s))) {
    const sz = unsignedSize(m[1]);
    const dst = reg(m[2]);
    const off = off16(m[3], m[4]);
    const rhs = m[5];
    if (/^[rw]/.test(rhs)) return { insn: { kind: 'stx', size: sz, dst, src: reg(rhs.slice(1)), off } };
    return { insn: { kind: 'st', size: sz, dst, off, imm: imm32(rhs) } };
  }
  if ((m = RX.compound.exec(s))) {
    const op = aluOps[m[3]];
    return { insn: { kind: 'alu', width: widthOf(m[1]), op, dst: reg(m[2]), src: operand(m[4], m[1]) } };
  }
  if ((m = RX.assign.exec(s))) return parseAssign(m[1], reg(m[2]), m[3].trim());
  return fail(`expected an instruction, got '${s}'`);
}

function parseCall(arg: string): Parsed {
  const a = arg.trim();
  let m: RegExpExecArray | null;
  if (/^pc\s*[+-]/.test(a)) return { insn: { kind: 'call', target: 'subprog', imm: 0, off: 0 }, target: target(a), patch: 'call' };
  if ((m = /^([A-Za-z_][\w-]*)#(-?\d+)(?:\s+off=(-?\d+))?$/.exec(a))) {
    const [, name, idText, offText] = m;
    const id = imm32(idText, 'call id');
    const helperId = HELPER_NAMES.indexOf(name);
    if (name === 'unknown' || helperId >= 0) {
      if (helperId >= 0 && helperId !== id) fail(`helper ${name} has id ${helperId}, not ${id}`);
      if (name === 'unknown' && id >= 0 && id < HELPER_ID_LIMIT) fail(`helper id ${id} is ${HELPER_NAMES[id]}, not unknown`);
      if (offText) fail('only kfunc calls take off=');
      return { insn: { kind: 'call', target: 'helper', imm: id, off: 0 } };
    }
    const off = offText === undefined ? 0 : Number(offText);
    if (off < -0x8000 || off > 0x7fff) fail(`kfunc off ${off} does not fit 16 bits`);
    return { insn: { kind: 'call', target: 'kfunc', imm: id, off } };
  }
  if (/^-?\d+$/.test(a)) return { insn: { kind: 'call', target: 'helper', imm: imm32(a, 'helper id'), off: 0 } };
  if (/^[A-Za-z_.$][\w.$]*$/.test(a)) return { insn: { kind: 'call', target: 'subprog', imm: 0, off: 0 }, callName: a };
  return fail(`expected a call target (pc+N, NAME, bpf_helper#ID or helper id), got '${a}'`);
}

function parseAssign(letter: string, dst: number, rhs: string): Parsed {
  let m: RegExpExecArray | null;
  const w = widthOf(letter);
  const wide = (what: string): void => {
    if (letter !== 'r') fail(`${what} needs a 64-bit register r${dst}, not w${dst}`);
  };
  if ((m = RX.load.exec(rhs))) {
    // LLVM's alu32 mode writes sub-word loads into w registers; the encoding is the same
    const { size: sz, signed } = size(m[1]);
    if (signed && sz === 'DW') fail('there is no s64 load');
    return { insn: { kind: 'ldx', size: sz, signed, dst, src: reg(m[2]), off: off16(m[3], m[4]) } };
  }
  if ((m = RX.skbAbs.exec(rhs)) || (m = RX.skbInd.exec(rhs))) {
    if (dst !== 0 || letter !== 'r') fail('LD_ABS/LD_IND always load into r0');
    const sz = unsignedSize(m[1]);
    if (sz === 'DW') fail('LD_ABS/LD_IND have no u64 size');
    if (m.length === 3) return { insn: { kind: 'ld_abs', size: sz, imm: imm32(m[2]) } };
    return { insn: { kind: 'ld_ind', size: sz, src: reg(m[2]), imm: imm32(m[3]) } };
  }
  if ((m = RX.fetch.exec(rhs))) {
    wide('an atomic');
    const sz = unsignedSize(m[3]);
    if (m[1] && sz !== 'DW') fail('atomic64_* needs (u64 *)');
    const src = reg(m[7]);
    if (src !== dst) fail(`atomic ${m[2]} returns into its source register r${src}, not r${dst}`);
    return { insn: { kind: 'atomic', size: sz, op: m[2] as AtomicOp, dst: reg(m[4]), src, off: off16(m[5], m[6]) } };
  }
  if ((m = RX.cmpxchg.exec(rhs))) {
    wide('an atomic');
    if (dst !== 0) fail('cmpxchg returns into r0');
    const sz = unsignedSize(m[2]);
    if (m[1] && sz !== 'DW') fail('atomic64_cmpxchg needs (u64 *)');
    return { insn: { kind: 'atomic', size: sz, op: 'cmpxchg', dst: reg(m[3]), src: reg(m[6]), off: off16(m[4], m[5]) } };
  }
  if ((m = RX.loadAcq.exec(rhs))) {
    wide('load_acquire');
    return { insn: { kind: 'atomic', size: unsignedSize(m[1]), op: 'load_acquire', dst, src: reg(m[2]), off: off16(m[3], m[4]) } };
  }
  if ((m = RX.endian.exec(rhs))) {
    if (reg(m[4]) !== dst || m[3] !== letter) fail(`byte swap must name the same register on both sides`);
    const order = m[1] as 'le' | 'be' | 'bswap';
    return { insn: { kind: 'endian', order, bits: Number(m[2]) as 16 | 32 | 64, dst } };
  }
  if ((m = RX.neg.exec(rhs))) {
    if (reg(m[2]) !== dst || m[1] !== letter) fail('negation must name the same register on both sides');
    return { insn: { kind: 'neg', width: w, dst } };
  }
  if ((m = RX.asCast.exec(rhs))) {
    wide('addr_space_cast');
    return { insn: { kind: 'addr_space_cast', dst, src: reg(m[1]), dstAs: Number(num(m[2])), srcAs: Number(num(m[3])) } };
  }
  if ((m = RX.percpu.exec(rhs))) {
    wide('a per-CPU address');
    return { insn: { kind: 'mov_percpu_addr', dst, src: reg(m[1]) } };
  }
  if ((m = RX.movsx.exec(rhs))) {
    if (m[2] !== letter) fail(`mixed register widths: ${letter}${dst} = ${rhs}`);
    const bits = Number(m[1].slice(1)) as 8 | 16 | 32;
    if (bits === 32 && w === 32) fail('w registers cannot be sign-extended from 32 bits');
    return { insn: { kind: 'movsx', width: w, bits, dst, src: reg(m[3]) } };
  }
  if ((m = RX.reg.exec(rhs))) {
    if (m[1] !== letter) fail(`mixed register widths: ${letter}${dst} = ${rhs}`);
    return { insn: { kind: 'alu', width: w, op: 'mov', dst, src: { reg: reg(m[2]) } } };
  }
  if ((m = RX.map.exec(rhs))) {
    wide('a map load');
    const index = Number(num(m[2]));
    const value = m[3] !== undefined;
    const pseudo = m[1] === 'id' ? (value ? 'map_value' : 'map_fd') : value ? 'map_idx_value' : 'map_idx';
    if (index > 0xffffffff) fail(`map index ${m[2]} does not fit 32 bits`);
    const hi = value ? imm32(m[3], 'map value offset') : 0;
    return { insn: { kind: 'ld_imm64', dst, pseudo, imm64: joinImm64(index, hi) } };
  }
  if ((m = RX.btfId.exec(rhs))) {
    wide('a BTF id load');
    return { insn: { kind: 'ld_imm64', dst, pseudo: 'btf_id', imm64: joinImm64(imm32(m[1], 'BTF id'), m[2] ? imm32(m[2]) : 0) } };
  }
  if ((m = RX.func.exec(rhs))) {
    wide('a function address');
    return {
      insn: { kind: 'ld_imm64', dst, pseudo: 'func', imm64: joinImm64(0, m[2] ? imm32(m[2]) : 0) },
      target: target(m[1]),
      patch: 'func',
    };
  }
  if ((m = RX.imm64.exec(rhs))) {
    const text = m[1];
    const isHex = /^-?0x/i.test(text);
    if (m[2] || (isHex && letter === 'r')) {
      wide('a 64-bit load');
      const v = num(text);
      if (v < -(1n << 63n) || v >= 1n << 64n) fail(`${text} does not fit 64 bits`);
      return { insn: { kind: 'ld_imm64', dst, pseudo: 'none', imm64: BigInt.asUintN(64, v) } };
    }
    return { insn: { kind: 'alu', width: w, op: 'mov', dst, src: { imm: imm32(text) } } };
  }
  return fail(`expected a value after '${letter}${dst} =', got '${rhs}'`);
}

/** Assemble one instruction's text (pc-relative targets only) into its raw slots. */
export function assembleInsn(text: string): RawInsn[] {
  const out = assemble(text);
  if (out.insns.length === 0) throw new AsmError(1, 'expected an instruction');
  return out.insns;
}

interface Item {
  line: number;
  pc: number;
  parsed?: Parsed;
  /** `.8byte N`: one record given as the little-endian u64 of its bytes, taken as is */
  raw?: RawInsn;
  opcode?: number;
}

/** `.8byte N` (LLVM's spelling of a raw `struct bpf_insn`): N is the record's bytes read as a little-endian u64. */
function rawRecord(text: string): RawInsn {
  if (!/^-?(?:0x[0-9a-fA-F]+|\d+)$/.test(text)) fail(`.8byte expects one integer, got '${text}'`);
  const v = BigInt.asUintN(64, num(text));
  if (num(text) >= 1n << 64n || num(text) < -(1n << 63n)) fail(`.8byte ${text} does not fit 64 bits`);
  const b = Number(v & 0xffffn);
  return {
    code: b & 0xff,
    dst: (b >> 8) & 0x0f,
    src: (b >> 12) & 0x0f,
    off: Number(BigInt.asIntN(16, (v >> 16n) & 0xffffn)),
    imm: Number(BigInt.asIntN(32, v >> 32n)),
  };
}

/** Assemble a whole program; see the module comment and README for the syntax. */
export function assemble(source: string): Assembled {
  const items: Item[] = [];
  const labels = new Map<string, number>();
  const funcs: FuncDecl[] = [];
  const maps: MapDecl[] = [];
  let progType: ProgType | undefined;
  let input: Uint8Array | undefined;
  let pc = 0;

  const lines = source.split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const lineNo = i + 1;
    try {
      // comments, and the tab-separated liveness notes 7.2 logs after some instructions
      // (`56: (bf) r2 = r10\tr2: _ -> fp0+0`)
      let s = rawLine.replace(/(;|\/\/).*$/, '').replace(/\t(?:r\d+|fp-?\d+): .*$/, '').trim();
      if (s === '') return;
      // labels first: LLVM's local labels (`.LBB0_2:`) start with a dot like directives
      let m = /^([A-Za-z_.$][\w.$]*):\s*(.*)$/.exec(s);
      if (m) {
        if (labels.has(m[1])) fail(`label ${m[1]} is defined twice`);
        labels.set(m[1], pc);
        s = m[2];
        if (s === '') return;
      }
      if (s.startsWith('.8byte ')) {
        items.push({ line: lineNo, pc, raw: rawRecord(s.slice(7).trim()) });
        pc += 1;
        return;
      }
      if (s.startsWith('.')) {
        const directive = parseDirective(s, pc, funcs, maps);
        if (directive.progType) progType = directive.progType;
        if (directive.input) input = directive.input;
        return;
      }
      s = s.replace(/^\d+:\s*/, '');
      let opcode: number | undefined;
      if ((m = /^\(([0-9a-fA-F]{2})\)\s*(.*)$/.exec(s))) {
        opcode = parseInt(m[1], 16);
        s = m[2];
      }
      const parsed = parseInstruction(s.replace(/\s+/g, ' '));
      items.push({ line: lineNo, pc, parsed, opcode });
      pc += slotsOf(parsed.insn);
    } catch (e) {
      if (e instanceof LineError) throw new AsmError(lineNo, e.message);
      throw e;
    }
  });

  const declared = funcs.length > 0;
  if (items.length > 0 && (funcs.length === 0 || funcs[0].start > 0)) {
    if (funcs.some((f) => f.name === 'main')) throw new AsmError(items[0].line, "instructions before '.func main'");
    funcs.unshift({ name: 'main', start: 0, args: 1, linkage: 'static' });
  }
  for (const f of funcs) {
    if (!labels.has(f.name)) labels.set(f.name, f.start);
  }
  const emptyFunc = funcs.find((f, k) => f.start >= pc || (k > 0 && funcs[k - 1].start === f.start));
  if (emptyFunc) throw new AsmError(lines.length, `function ${emptyFunc.name} has no instructions`);

  const insns: RawInsn[] = [];
  for (const item of items) {
    if (item.raw) {
      insns.push(item.raw);
      continue;
    }
    try {
      const insn = resolve(item, labels);
      const raw = encodeOne(insn, item.pc);
      if (item.opcode !== undefined && item.opcode !== raw[0].code) {
        fail(`opcode (${hex2(item.opcode)}) does not match the instruction, which encodes as (${hex2(raw[0].code)})`);
      }
      insns.push(...raw);
    } catch (e) {
      if (e instanceof LineError || e instanceof IsaError) throw new AsmError(item.line, e instanceof IsaError ? e.reason : e.message);
      throw e;
    }
  }
  const out: Assembled = { insns, funcs, maps };
  if (!declared) {
    const inferred = inferFunctions(insns);
    if (inferred.length > 1) {
      out.funcs = inferred.map(({ name, start, args }) => ({ name, start, args, linkage: 'static' }));
      out.inferred = inferred.slice(1).map(({ name, note }) => ({ name, note }));
    }
  }
  if (progType) out.progType = progType;
  if (input) out.input = input;
  return out;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

function resolve(item: Item, labels: Map<string, number>): Insn {
  const { pc } = item;
  const parsed = item.parsed!;
  const insn = { ...parsed.insn } as Insn;
  let rel: number | undefined;
  if (parsed.callName !== undefined) {
    const at = labels.get(parsed.callName);
    if (at !== undefined) rel = at - (pc + 1);
    else {
      const id = HELPER_NAMES.indexOf(parsed.callName);
      if (id < 0) fail(`call target '${parsed.callName}' is neither a function, a label nor a helper name`);
      return { kind: 'call', target: 'helper', imm: id, off: 0 };
    }
  } else if (parsed.target) {
    if ('rel' in parsed.target) rel = parsed.target.rel;
    else {
      const at = labels.get(parsed.target.label);
      if (at === undefined) fail(`undefined label '${parsed.target.label}'`);
      rel = at! - (pc + 1);
    }
  }
  if (rel === undefined) return insn;
  switch (insn.kind) {
    case 'ja':
    case 'may_goto':
    case 'jmp':
      if (rel < -0x8000 || rel > 0x7fff) fail(`jump offset ${rel} does not fit 16 bits (use gotol)`);
      insn.off = rel;
      break;
    case 'gotol':
    case 'call':
      insn.imm = rel;
      break;
    case 'ld_imm64':
      insn.imm64 = joinImm64(rel, Number(BigInt.asIntN(32, insn.imm64 >> 32n)));
      break;
    default:
      break;
  }
  return insn;
}

/** `types=scalar,ctx,mem:16`: one argument type per argument (arg-types.ts) */
function parseTypesOption(list: string): ArgType[] {
  if (list === '') fail('types= expects a comma-separated list: scalar, ctx, mem:N or mem:N:nonnull');
  return list.split(',').map((t) => {
    const k = parseArgType(t);
    if ('error' in k) fail(`types=: ${k.error}`);
    return t as ArgType;
  });
}

function parseDirective(
  s: string,
  pc: number,
  funcs: FuncDecl[],
  maps: MapDecl[],
): { progType?: ProgType; input?: Uint8Array } {
  const [name, ...args] = s.split(/\s+/);
  switch (name) {
    case '.type': {
      const t = args[0] as ProgType;
      if (args.length !== 1 || !PROG_TYPES.includes(t)) fail(`.type expects one of ${PROG_TYPES.join('|')}`);
      return { progType: t };
    }
    case '.map': {
      const [type, ...nums] = args;
      if (!MAP_TYPES.includes(type as MapType) || nums.length !== 3 || !nums.every((n) => /^\d+$/.test(n))) {
        fail(`.map expects ${MAP_TYPES.join('|')} KEYSIZE VALUESIZE MAXENTRIES`);
      }
      const [keySize, valueSize, maxEntries] = nums.map(Number);
      maps.push({ type: type as MapType, keySize, valueSize, maxEntries });
      return {};
    }
    case '.input': {
      const hex = args.join('');
      if (!/^([0-9a-fA-F]{2})*$/.test(hex)) fail('.input expects an even number of hex digits');
      return { input: Uint8Array.from(Buffer.from(hex, 'hex')) };
    }
    case '.func': {
      const [fname, ...opts] = args;
      if (!fname || !IDENT.test(fname)) fail('.func expects a C identifier name: .func NAME [args=N] [global]');
      if (funcs.some((f) => f.name === fname)) fail(`function ${fname} is declared twice`);
      const decl: FuncDecl = { name: fname, start: pc, args: 0, linkage: 'static' };
      let argsGiven = false;
      for (const o of opts) {
        const m = /^args=(\d+)$/.exec(o);
        if (m && Number(m[1]) <= MAX_FUNC_ARGS) {
          decl.args = Number(m[1]);
          argsGiven = true;
        } else if (o === 'global') decl.linkage = 'global';
        else if (o === 'static') decl.linkage = 'static';
        else if (o.startsWith('types=')) decl.argTypes = parseTypesOption(o.slice('types='.length));
        else fail(`.func option '${o}': expected args=0..${MAX_FUNC_ARGS}, global, static or types=T1,T2,...`);
      }
      if (decl.argTypes !== undefined) {
        if (!argsGiven) decl.args = decl.argTypes.length;
        else if (decl.argTypes.length !== decl.args) fail(`.func ${fname}: types= lists ${decl.argTypes.length} types for args=${decl.args}`);
      }
      funcs.push(decl);
      return {};
    }
    default:
      return fail(`unknown directive ${name} (expected .type, .map, .input or .func)`);
  }
}
