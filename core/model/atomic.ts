// check_atomic: the read-modify-write operations (add/or/and/xor with and without fetch,
// xchg, cmpxchg), load-acquire and store-release. The memory side is check_mem_access, as for
// LDX/STX: an RMW reads the location (once more into the fetch register), then writes it.
import type { RawInsn } from '../isa/raw.ts';
import { EACCES, EINVAL, msg } from './messages.ts';
import { checkMemAccess, regTypeStr, tnumStr, type MemEnv } from './memory.ts';
import type { Profile } from './profile.ts';
import { tnumAdd, tnumConst, tnumIsAligned } from './scalar/tnum.ts';
import { reject, type CheckResult } from './precheck.ts';
import { cover } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import { curFrame, type Reg, type RegType, type VState } from './state.ts';
import { BPF_ADD, BPF_AND, BPF_CMPXCHG, BPF_FETCH, BPF_LOAD_ACQ, BPF_OR, BPF_STORE_REL, BPF_XCHG, BPF_XOR, BPF_REG_FP, sizeBytes } from '../isa/index.ts';

const RMW = new Set([BPF_ADD, BPF_ADD | BPF_FETCH, BPF_OR, BPF_OR | BPF_FETCH, BPF_AND, BPF_AND | BPF_FETCH, BPF_XOR, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG]);

/** atomic_ptr_type_ok: not into the ctx, packet data or a socket */
const FORBIDDEN: ReadonlySet<RegType> = new Set<RegType>(['ptr_to_ctx', 'pkt', 'pkt_meta', 'sock', 'sock_common', 'tcp_sock']);

const RMW_RULES: Record<number, CheckRuleId> = {
  [BPF_ADD]: 'check_atomic_rmw:add', [BPF_OR]: 'check_atomic_rmw:or', [BPF_AND]: 'check_atomic_rmw:and', [BPF_XOR]: 'check_atomic_rmw:xor',
  [BPF_XCHG]: 'check_atomic_rmw:xchg', [BPF_CMPXCHG]: 'check_atomic_rmw:cmpxchg',
};

function coverRmw(imm: number, size: number, type: Reg['type']): void {
  const rule = RMW_RULES[imm] ?? RMW_RULES[imm & ~BPF_FETCH];
  if (rule) cover(rule);
  if (imm !== BPF_XCHG && imm !== BPF_CMPXCHG && imm & BPF_FETCH) cover('check_atomic_rmw:fetch');
  if (size === 4) cover('check_atomic_rmw:size4');
  if (type === 'ptr_to_stack') cover('check_atomic_rmw:stack');
  else if (type === 'map_value') cover('check_atomic_rmw:map-value');
}

export function checkAtomic(st: VState, insn: RawInsn, env: MemEnv): CheckResult | undefined {
  const regs = curFrame(st).regs;
  const size = sizeBytes(insn.code);
  const readOk = (r: number): CheckResult | undefined => (regs[r]!.type === 'not_init' ? reject(EACCES, msg.notReadOk(r)) : undefined);
  const access = (regno: number, write: boolean, valueRegno: number): CheckResult | undefined => {
    const ptr = regs[regno]!;
    if (ptr.type === 'scalar') return reject(EACCES, msg.invalidMemAccess(`R${regno}`, 'scalar'));
    return checkMemAccess(st, { ...ptr }, { who: `R${regno}`, off: insn.off, size, write, valueRegno, ldsx: false }, env);
  };

  if (RMW.has(insn.imm)) {
    // check_atomic_rmw
    if (size !== 4 && size !== 8) return reject(EINVAL, 'invalid atomic operand size');
    const e = readOk(insn.src) ?? readOk(insn.dst) ?? (insn.imm === BPF_CMPXCHG ? readOk(0) : undefined);
    if (e) return e;
    // pointer leaks into memory are allowed when loading as root (allow_ptr_leaks)
    if (FORBIDDEN.has(regs[insn.dst]!.type)) return reject(EACCES, `BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(regs[insn.dst]!)} is not allowed`);
    const loadReg = insn.imm === BPF_CMPXCHG ? 0 : insn.imm & BPF_FETCH ? insn.src : -1;
    if (loadReg === BPF_REG_FP) return reject(EACCES, msg.fpReadOnly());
    // check_mem_access with strict_alignment_once: atomics are aligned whatever the program's flags
    const misaligned = strictAlignment(regs[insn.dst]!, insn.off, size, env.profile);
    if (misaligned) return reject(EACCES, misaligned);
    const type = regs[insn.dst]!.type;
    const res = access(insn.dst, false, -1) ?? (loadReg >= 0 ? access(insn.dst, false, loadReg) : undefined) ?? access(insn.dst, true, -1);
    if (!res) coverRmw(insn.imm, size, type);
    return res;
  }
  const loadStore = env.profile.features.atomicLoadStore;
  if (insn.imm === BPF_LOAD_ACQ && loadStore) {
    // check_atomic_load → check_load_mem
    const e = readOk(insn.src);
    if (e) return e;
    if (FORBIDDEN.has(regs[insn.src]!.type)) return reject(EACCES, `BPF_ATOMIC loads from R${insn.src} ${regTypeStr(regs[insn.src]!)} is not allowed`);
    if (insn.dst === BPF_REG_FP) return reject(EACCES, msg.fpReadOnly());
    // check_load_mem → check_mem_access with strict_alignment_once, before the pointer type
    const misaligned = strictAlignment(regs[insn.src]!, insn.off, size, env.profile);
    if (misaligned) return reject(EACCES, misaligned);
    cover('check_atomic_load:load-acquire');
    return access(insn.src, false, insn.dst);
  }
  if (insn.imm === BPF_STORE_REL && loadStore) {
    // check_atomic_store: the store is checked first (check_mem_access with strict_alignment_once,
    // the alignment before the pointer type), then the pointer type
    const misaligned = (): CheckResult | undefined => {
      const m = strictAlignment(regs[insn.dst]!, insn.off, size, env.profile);
      return m ? reject(EACCES, m) : undefined;
    };
    const e = readOk(insn.src) ?? readOk(insn.dst) ?? misaligned() ?? access(insn.dst, true, insn.src);
    if (e) return e;
    if (FORBIDDEN.has(regs[insn.dst]!.type)) return reject(EACCES, `BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(regs[insn.dst]!)} is not allowed`);
    cover('check_atomic_store:store-release');
    return undefined;
  }
  return reject(EINVAL, `BPF_ATOMIC uses invalid atomic opcode ${(insn.imm >>> 0).toString(16).padStart(2, '0')}`);
}

// a scalar falls to check_ptr_alignment's default: no description, its value's tnum as the offset
const POINTER_DESC: Partial<Record<Reg['type'], string>> = { scalar: '', map_ptr: '', map_value: 'value ', ptr_to_ctx: 'context ', ptr_to_stack: 'stack ', sock: 'sock ', sock_common: 'sock_common ', tcp_sock: 'tcp_sock ' };

/**
 * check_ptr_alignment with strict set (check_pkt_ptr_alignment for packets, which emulates
 * NET_IP_ALIGN 2; check_generic_ptr_alignment for the rest): the message, or undefined when aligned.
 */
function strictAlignment(ptr: Reg, off: number, size: number, profile: Profile): string | undefined {
  if (size === 1) return undefined;
  const fixed = profile.features.ptrFixedOff;
  const scalar = ptr.type === 'scalar';
  const varText = tnumStr(fixed && !scalar ? (ptr.varPart ?? tnumConst(0n)) : ptr.varOff);
  const offText = fixed ? `${scalar ? 0 : ptr.fixedOff}+${off}` : `${off}`;
  if (ptr.type === 'pkt' || ptr.type === 'pkt_meta') {
    if (tnumIsAligned(tnumAdd(ptr.varOff, tnumConst(BigInt(2 + off))), size)) return undefined;
    return `misaligned packet access off 2+${varText}+${offText} size ${size}`;
  }
  const desc = POINTER_DESC[ptr.type];
  if (desc === undefined) return undefined;
  if (tnumIsAligned(tnumAdd(ptr.varOff, tnumConst(BigInt.asUintN(64, BigInt(off)))), size)) return undefined;
  return `misaligned ${desc}access off ${varText}+${offText} size ${size}`;
}
