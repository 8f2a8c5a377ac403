// Text of one instruction exactly as linux 7.2 print_bpf_insn() (kernel/bpf/disasm.c) prints
// it in the verifier log, written against the raw record so that even rejected encodings
// print as the kernel would (BUG_xx, "(null)" for a missing table entry).
//
// One deliberate difference: an LD_IMM64 with a pseudo source. By the time the verifier
// prints it, check_and_resolve_insns() has replaced the map fd / BTF id with a kernel
// address, printed as `0xffff...` (or `0x0` without allow_ptr_leaks), which cannot be
// assembled back. We print the record as the program file holds it instead, in bpftool's
// xlated style where one exists:
//   src 1 map fd        `r1 = map[id:N]`          N = imm (our program format: index into maps)
//   src 2 map value     `r1 = map[id:N][0]+OFF`   OFF = second slot's imm (u32)
//   src 5 map idx       `r1 = map[idx:N]`         src 6 `r1 = map[idx:N][0]+OFF`
//   src 3 BTF id        `r1 = btf_id[ID]`, or `btf_id[ID][fd:FD]` when the second imm is set
//   src 4 func          `r1 = func[pc+N]` (plus `[hi:X]` when the second imm is set)
// A kfunc call with a non-zero off (module BTF fd_array index), which the kernel does not
// print, gets ` off=N` appended.
import type { RawInsn } from './raw.ts';
import { HELPER_ID_LIMIT, HELPER_NAMES } from './helper-ids.ts';
import { IsaError } from './insn.ts';
import {
  ALU_OP_STRING, AluOp, AtomicImm, BPF_ADDR_PERCPU, BPF_ADDR_SPACE_CAST, BPF_MAY_GOTO, CallSrc, Class, JmpOp, Mode, MODE_NOSPEC,
  OPCODE_LD_IMM64, PseudoSrc, Size, Source, opClass, opMode, opOp, opSize, opSource,
} from './opcode.ts';

const NULL = '(null)'; // what the kernel's vsnprintf prints for a NULL %s

const aluString = ALU_OP_STRING;
const aluSignString: Record<number, string> = { [AluOp.DIV]: 's/=', [AluOp.MOD]: 's%=' };
const movsxString: Record<number, string> = { 8: '(s8)', 16: '(s16)', 32: '(s32)' };
const atomicAluString: Record<number, string> = { [AtomicImm.ADD]: 'add', [AtomicImm.AND]: 'and', [AtomicImm.OR]: 'or', [AtomicImm.XOR]: 'xor' };
const ldstString: Record<number, string> = { [Size.W]: 'u32', [Size.H]: 'u16', [Size.B]: 'u8', [Size.DW]: 'u64' };
const ldsxString: Record<number, string> = { [Size.W]: 's32', [Size.H]: 's16', [Size.B]: 's8' };
const JMP_STRING: Record<number, string> = {
  [JmpOp.JA]: 'jmp', [JmpOp.JEQ]: '==', [JmpOp.JGT]: '>', [JmpOp.JLT]: '<', [JmpOp.JGE]: '>=', [JmpOp.JLE]: '<=',
  [JmpOp.JSET]: '&', [JmpOp.JNE]: '!=', [JmpOp.JSGT]: 's>', [JmpOp.JSLT]: 's<', [JmpOp.JSGE]: 's>=', [JmpOp.JSLE]: 's<=',
  [JmpOp.CALL]: 'call', [JmpOp.EXIT]: 'exit',
};

const hex2 = (code: number): string => code.toString(16).padStart(2, '0');
/** printf "%+d" */
const signed = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
const u32hex = (n: number): string => (n >>> 0).toString(16);
const str = (table: Record<number, string>, key: number): string => table[key] ?? NULL;

export interface DisasmOptions {
  /** name a kfunc call the way the verifier's disasm_kfunc_name() does from the kfunc's BTF */
  kfuncName?: (btfId: number, fdIndex: number) => string | undefined;
  /**
   * 'symbolic' (default): pseudo LD_IMM64 sources as `map[id:N]` etc., which assemble back.
   * 'unprivileged': as a log without allow_ptr_leaks shows them: map and BTF pointers as
   * `0x0`, a func reference as its raw hex. Lossy; for comparing with such logs only.
   */
  pseudoLoads?: 'symbolic' | 'unprivileged';
}

/** The text of the instruction at raw[index] (its second slot, for LD_IMM64, is read too). */
export function formatInsn(raw: readonly RawInsn[], index: number, opts: DisasmOptions = {}): string {
  const insn = raw[index];
  const { code, dst, src, off, imm } = insn;
  const cls = opClass(code);
  const op = opOp(code);
  const p = `(${hex2(code)}) `;

  if (cls === Class.ALU || cls === Class.ALU64) {
    const w = cls === Class.ALU ? 'w' : 'r';
    if (op === AluOp.END) {
      return cls === Class.ALU64
        ? `${p}r${dst} = bswap${imm} r${dst}`
        : `${p}r${dst} = ${opSource(code) === Source.X ? 'be' : 'le'}${imm} r${dst}`;
    }
    if (op === AluOp.NEG) return `${p}${w}${dst} = -${w}${dst}`;
    const mov64x = code === (Class.ALU64 | AluOp.MOV | Source.X);
    if (mov64x && off === BPF_ADDR_SPACE_CAST) return `${p}r${dst} = addr_space_cast(r${src}, ${imm >>> 16}, ${imm & 0xffff})`;
    if (mov64x && off === BPF_ADDR_PERCPU) return `${p}r${dst} = &(void __percpu *)(r${src})`;
    const sdivSmod = (op === AluOp.DIV || op === AluOp.MOD) && off === 1;
    const opText = sdivSmod ? str(aluSignString, op) : str(aluString, op);
    if (opSource(code) === Source.X) {
      const movsx = op === AluOp.MOV && (off === 8 || off === 16 || off === 32) ? movsxString[off] : '';
      return `${p}${w}${dst} ${opText} ${movsx}${w}${src}`;
    }
    return `${p}${w}${dst} ${opText} ${imm}`;
  }

  if (cls === Class.STX) {
    const mode = opMode(code);
    const sz = str(ldstString, opSize(code));
    const mem = `(${sz} *)(r${dst} ${signed(off)})`;
    const bits = opSize(code) === Size.DW ? '64' : '';
    if (mode === Mode.MEM) return `${p}*${mem} = r${src}`;
    if (mode === Mode.ATOMIC) {
      if (imm === AtomicImm.ADD || imm === AtomicImm.AND || imm === AtomicImm.OR || imm === AtomicImm.XOR) {
        return `${p}lock *${mem} ${str(aluString, imm & 0xf0)} r${src}`;
      }
      if ([AtomicImm.ADD, AtomicImm.AND, AtomicImm.OR, AtomicImm.XOR].some((a) => imm === (a | AtomicImm.FETCH))) {
        return `${p}r${src} = atomic${bits}_fetch_${str(atomicAluString, imm & 0xf0)}(${mem}, r${src})`;
      }
      if (imm === AtomicImm.CMPXCHG) return `${p}r0 = atomic${bits}_cmpxchg(${mem}, r0, r${src})`;
      if (imm === AtomicImm.XCHG) return `${p}r${src} = atomic${bits}_xchg(${mem}, r${src})`;
      if (imm === AtomicImm.LOAD_ACQ) return `${p}r${dst} = load_acquire((${sz} *)(r${src} ${signed(off)}))`;
      if (imm === AtomicImm.STORE_REL) return `${p}store_release(${mem}, r${src})`;
    }
    return `BUG_${hex2(code)}`;
  }

  if (cls === Class.ST) {
    if (opMode(code) === Mode.MEM) return `${p}*(${str(ldstString, opSize(code))} *)(r${dst} ${signed(off)}) = ${imm}`;
    if (opMode(code) === MODE_NOSPEC) return `${p}nospec`;
    return `BUG_st_${hex2(code)}`;
  }

  if (cls === Class.LDX) {
    const mode = opMode(code);
    if (mode !== Mode.MEM && mode !== Mode.MEMSX) return `BUG_ldx_${hex2(code)}`;
    const sz = mode === Mode.MEM ? str(ldstString, opSize(code)) : str(ldsxString, opSize(code));
    return `${p}r${dst} = *(${sz} *)(r${src} ${signed(off)})`;
  }

  if (cls === Class.LD) {
    const mode = opMode(code);
    const sz = str(ldstString, opSize(code));
    if (mode === Mode.ABS) return `${p}r0 = *(${sz} *)skb[${imm}]`;
    if (mode === Mode.IND) return `${p}r0 = *(${sz} *)skb[r${src} + ${imm}]`;
    if (code === OPCODE_LD_IMM64) {
      const next = raw[index + 1];
      if (!next) throw new IsaError(index, 'truncated LD_IMM64: the second slot is missing');
      if (opts.pseudoLoads === 'unprivileged' && src !== PseudoSrc.none) {
        // print_bpf_insn(): is_ptr for map fd/value/idx/idx_value and BTF id, not for func
        const value = src === PseudoSrc.func || src > PseudoSrc.map_idx_value ? (BigInt(next.imm >>> 0) << 32n) | BigInt(imm >>> 0) : 0n;
        return `${p}r${dst} = 0x${value.toString(16)}`;
      }
      return `${p}r${dst} = ${ldImm64Operand(src, imm, next.imm)}`;
    }
    return `BUG_ld_${hex2(code)}`;
  }

  // JMP and JMP32
  const w = cls === Class.JMP32 ? 'w' : 'r';
  if (op === JmpOp.CALL) {
    if (src === CallSrc.subprog) return `${p}call pc${signed(imm)}`;
    let name = 'unknown';
    if (src === CallSrc.helper && imm >= 0 && imm < HELPER_ID_LIMIT) name = HELPER_NAMES[imm];
    else if (src === CallSrc.kfunc) name = opts.kfuncName?.(imm, off) ?? 'kernel-function';
    return `${p}call ${name}#${imm}${src === CallSrc.kfunc && off !== 0 ? ` off=${off}` : ''}`;
  }
  if (code === (Class.JMP | JmpOp.JA)) return `${p}goto pc${signed(off)}`;
  if (code === (Class.JMP | JmpOp.JA | Source.X)) return `${p}gotox r${dst}`;
  if (code === (Class.JMP | JmpOp.JCOND) && src === BPF_MAY_GOTO) return `${p}may_goto pc${signed(off)}`;
  if (code === (Class.JMP32 | JmpOp.JA)) return `${p}gotol pc${signed(imm)}`;
  if (code === (Class.JMP | JmpOp.EXIT)) return `${p}exit`;
  if (opSource(code) === Source.X) return `${p}if ${w}${dst} ${str(JMP_STRING, op)} ${w}${src} goto pc${signed(off)}`;
  return `${p}if ${w}${dst} ${str(JMP_STRING, op)} 0x${u32hex(imm)} goto pc${signed(off)}`;
}

function ldImm64Operand(src: number, lo: number, hi: number): string {
  switch (src) {
    case PseudoSrc.map_fd:
      return `map[id:${lo >>> 0}]`;
    case PseudoSrc.map_value:
      return `map[id:${lo >>> 0}][0]+${hi >>> 0}`;
    case PseudoSrc.map_idx:
      return `map[idx:${lo >>> 0}]`;
    case PseudoSrc.map_idx_value:
      return `map[idx:${lo >>> 0}][0]+${hi >>> 0}`;
    case PseudoSrc.btf_id:
      return `btf_id[${lo >>> 0}]${hi !== 0 ? `[fd:${hi}]` : ''}`;
    case PseudoSrc.func:
      return `func[pc${signed(lo)}]${hi !== 0 ? `[hi:${hi}]` : ''}`;
    default:
      return `0x${((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16)}`;
  }
}

/**
 * One line per instruction, `text` as the kernel prints it after `N: ` in its log.
 * An LD_IMM64 gives one line; its second slot none.
 */
export function disassemble(raw: readonly RawInsn[], opts: DisasmOptions = {}): Array<{ index: number; text: string }> {
  const out: Array<{ index: number; text: string }> = [];
  for (let i = 0; i < raw.length; i++) {
    out.push({ index: i, text: formatInsn(raw, i, opts) });
    if (raw[i].code === OPCODE_LD_IMM64) i++;
  }
  return out;
}
