// Memory access checks (check_mem_access and the helpers' check_helper_mem_access) for the pointer
// kinds the model covers: the BPF stack (check_stack_write_fixed_off, check_stack_read_fixed_off,
// check_stack_access_within_bounds, check_stack_range_initialized), the program context
// (check_ctx_access with net/core/filter.c's *_is_valid_access tables), map values
// (check_map_access), packets (check_packet_access), sockets (check_sock_access) and map pointers.
import type { MapDecl, ProgType } from '../program/types.ts';
import { EACCES, EINVAL, fillMessage, msg } from './messages.ts';
import type { Profile } from './profile.ts';
import { reject, unknown, type CheckResult } from './precheck.ts';
import { cover } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import { BTF_POINTER_USE, checkPtrToMapAccess, isBtfPointer } from './map-ptr-access.ts';
import { misalignedStack, stackVarOffAccess, varOffText } from './stack-var-off.ts';
import { coerceRegToSize, coerceRegToSizeSx, markKnown, markUnknown, regWidth, smax, smin, umax } from './scalar/bounds.ts';
import { tnumAdd, tnumConst, tnumIsAligned, tnumIsConst, type Tnum } from './scalar/tnum.ts';
import {
  BPF_REG_SIZE, MAX_BPF_STACK, growStack, knownScalar, mayBeNull, nextId, type Frame, type Reg, type RegType, type SlotType, type VState,
} from './state.ts';

const BPF_MAX_VAR_OFF = 1n << 29n;
const S64_MIN = -(1n << 63n);

const TYPE_STR: Partial<Record<RegType, string>> = { not_init: '?', ptr_to_ctx: 'ctx', ptr_to_stack: 'fp', btf_sock: 'ptr_', btf_sock_or_null: 'ptr_or_null_' };

/** reg_type_str (kernel/bpf/log.c): the other model types are named as the kernel prints them */
export function regTypeStr(r: Reg | RegType): string {
  if (typeof r !== 'string' && r.type === 'ptr_to_btf_id' && r.btf) return r.btf;
  const t = typeof r === 'string' ? r : r.type;
  return TYPE_STR[t] ?? t;
}

/** tnum_strn (kernel/bpf/log.c) */
export function tnumStr(t: Tnum): string {
  if (t.mask === 0n) {
    if (t.value <= 0xffffn) return t.value.toString();
    const s = BigInt.asIntN(64, t.value);
    if (s >= -32768n && s <= 32767n) return s.toString();
    return '0x' + t.value.toString(16);
  }
  const hex = (v: bigint): string => '0x' + v.toString(16); // the kernel's %#llx prints 0 as 0x0
  return `(${hex(t.value)}; ${hex(t.mask)})`;
}

export interface Access {
  /** register name used in messages, e.g. "R1" */
  who: string;
  off: number;
  size: number;
  write: boolean;
  /** register being stored (STX) or loaded into (LDX) */
  valueRegno: number;
  /** BPF_ST immediate */
  imm?: number;
  ldsx: boolean;
}

/** What memory checks need to know about the program being verified. */
export interface MemEnv {
  profile: Profile;
  progType: ProgType;
  maps: readonly MapDecl[];
  /** update_stack_depth: a frame's stack reaches `bytes` below its frame pointer */
  onStackDepth(frame: Frame, bytes: number): void;
}

/** check_mem_access for the register kinds the model knows */
export function checkMemAccess(st: VState, ptr: Reg, a: Access, env: MemEnv): CheckResult | undefined {
  const frame = st.frames[st.frames.length - 1]!;
  const regs = frame.regs;
  let res: CheckResult | undefined;
  switch (ptr.type) {
    case 'ptr_to_stack': {
      if (a.size > 1) {
        const aligned = tnumIsAligned(tnumAdd(ptr.varOff, tnumConst(BigInt.asUintN(64, BigInt(a.off)))), a.size);
        if (!aligned) return reject(EACCES, misalignedStack(ptr, a.off, a.size, env.profile));
      }
      if (!tnumIsConst(ptr.varOff)) return stackVarOffAccess(st, ptr, a, env);
      const minOff = BigInt.asIntN(64, ptr.varOff.value) + BigInt(a.off);
      const maxOff = minOff + BigInt(a.size);
      const bounds = stackBoundsErrno(minOff, maxOff);
      if (bounds) return reject(bounds, msg.invalidStackAccess(a.write ? 'write to' : 'read from', a.who, minOff, a.size));
      const target = st.frames[ptr.frameno]!;
      growStack(target, Number(-minOff));
      env.onStackDepth(target, Number(-minOff));
      const off = Number(minOff);
      cover(a.write ? 'check_mem_access:stack-write' : 'check_mem_access:stack-read');
      if (target !== frame) cover('check_mem_access:caller-stack');
      return a.write ? stackWrite(st, target, frame, off, a) : stackRead(target, frame, off, a);
    }
    case 'ptr_to_ctx': {
      // check_ctx_access: these program types rewrite ctx accesses, so only the unmodified pointer may be used
      if (!tnumIsConst(ptr.varOff)) return reject(EACCES, `variable ctx access var_off=${tnumStr(ptr.varOff)} disallowed`);
      if (smin(ptr) < 0n) return reject(EACCES, msg.negativeCtx(a.who, BigInt.asIntN(64, ptr.varOff.value)));
      if (ptr.varOff.value !== 0n) return reject(EACCES, msg.modifiedCtx(a.who, BigInt.asIntN(64, ptr.varOff.value)));
      const off = a.off + Number(umax(ptr));
      const kind = ctxFieldAccess(env.progType, off, a.size, a.write, a.ldsx);
      if (kind === false) return reject(EACCES, msg.ctxAccess(off, a.size));
      cover(a.write ? 'check_mem_access:ctx-write' : 'check_mem_access:ctx-read');
      cover(CTX_RULES[env.progType]);
      if (a.write || a.valueRegno < 0) return undefined;
      const dst = regs[a.valueRegno]!;
      if (kind === 'scalar') {
        markUnknown(dst);
        narrowLoad(dst, a);
        return undefined;
      }
      // a pointer field: known zero offset, a fresh id when it may be NULL
      cover(kind === 'sock_common_or_null' ? 'check_mem_access:ctx-sk' : 'check_mem_access:ctx-pkt-pointer');
      markKnown(dst, 0n);
      dst.type = kind;
      if (mayBeNull(kind)) dst.id = nextId();
      return undefined;
    }
    case 'map_value': {
      // privileged: storing a pointer into a map value is allowed (is_pointer_value is false)
      const valueSize = env.maps[ptr.mapIdx]!.valueSize;
      res = checkMemRegionAccess(ptr, a.who, a.off, a.size, valueSize, false);
      if (!res) {
        cover(a.write ? 'check_mem_access:map-value-write' : 'check_mem_access:map-value-read');
        if (!tnumIsConst(ptr.varOff)) cover('check_mem_access:map-value-var-off');
      }
      break;
    }
    case 'mem':
      // privileged: a stored pointer does not leak (is_pointer_value is false)
      res = checkMemRegionAccess(ptr, a.who, a.off, a.size, ptr.range, false);
      if (!res) cover(a.write ? 'check_mem_access:mem-write' : 'check_mem_access:mem-read');
      break;
    case 'pkt':
    case 'pkt_meta':
      // sched_cls and xdp may read and write packet data directly (may_access_direct_pkt_data)
      res = checkPacketAccess(ptr, a.who, a.off, a.size, false, env.profile);
      if (!res) cover(ptr.type === 'pkt_meta' ? 'check_mem_access:pkt-meta' : a.write ? 'check_mem_access:pkt-write' : 'check_mem_access:pkt-read');
      break;
    case 'map_ptr': {
      // the struct bpf_map of the map type, through BTF (map-ptr-access.ts)
      res = checkPtrToMapAccess(regs, ptr, a, env);
      if (res) return res;
      cover('check_mem_access:map-ptr');
      if (a.valueRegno >= 0) narrowLoad(regs[a.valueRegno]!, a);
      return undefined;
    }
    case 'sock':
    case 'sock_common':
    case 'tcp_sock': {
      if (a.write) return reject(EACCES, `${a.who} cannot write into ${ptr.type}`);
      // check_sock_access
      const valid = ptr.type === 'tcp_sock' ? tcpSockFieldValid(a.off, a.size) : sockFieldValid(ptr.type, a.off, a.size);
      if (!valid) return reject(EACCES, `${a.who} invalid ${ptr.type} access off=${a.off} size=${a.size}`);
      cover('check_mem_access:sock-read');
      cover(ptr.type === 'tcp_sock' ? 'check_sock_access:tcp-sock' : sockFieldRule(a.off));
      break;
    }
    default:
      if (isBtfPointer(ptr)) return unknown(BTF_POINTER_USE);
      return reject(EACCES, msg.invalidMemAccess(a.who, regTypeStr(ptr)));
  }
  if (res) return res;
  if (!a.write && a.valueRegno >= 0) {
    const dst = regs[a.valueRegno]!;
    markUnknown(dst);
    narrowLoad(dst, a);
  }
  return undefined;
}

export function narrowLoad(r: Reg, a: Access): void {
  if (a.size >= BPF_REG_SIZE || r.type !== 'scalar') return;
  cover(a.ldsx ? 'check_mem_access:ldsx-narrow' : 'check_mem_access:narrow-load');
  if (!a.ldsx) coerceRegToSize(r, a.size);
  else {
    const noSext = umax(r) < 1n << BigInt(a.size * 8 - 1);
    coerceRegToSizeSx(r, a.size);
    if (!noSext) {
      r.id = 0;
      r.delta = 0;
    }
  }
}

// ---- memory regions: map values, packets --------------------------------------------------------

const accessOk = (off: bigint, size: number, memSize: number, zeroOk: boolean): boolean =>
  off >= 0n && (size > 0 || (size === 0 && zeroOk)) && BigInt.asUintN(64, off) + BigInt(size) <= BigInt(memSize);

/**
 * check_mem_region_access: [ptr + off, ptr + off + size) within [0, memSize) for every offset the
 * pointer may have. On a failed bound __check_mem_access first prints a line naming the memory
 * (`invalid access to map value, value_size=8 off=8 size=8`); the reason is the line after it.
 */
function checkMemRegionAccess(ptr: Reg, who: string, off: number, size: number, memSize: number, zeroOk: boolean): CheckResult | undefined {
  const lo = smin(ptr);
  const o = BigInt(off);
  if (lo < 0n && (lo === S64_MIN || o + lo !== BigInt.asIntN(32, o + lo) || lo + o < 0n))
    return reject(EACCES, `${who} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  if (!accessOk(BigInt.asIntN(32, lo + o), size, memSize, zeroOk)) return reject(EACCES, `${who} min value is outside of the allowed memory range`);
  const hi = umax(ptr);
  if (hi >= BPF_MAX_VAR_OFF) return reject(EACCES, `${who} unbounded memory access, make sure to bounds check any such access`);
  if (!accessOk(BigInt.asIntN(32, hi + o), size, memSize, zeroOk)) return reject(EACCES, `${who} max value is outside of the allowed memory range`);
  cover('check_mem_region_access:in-bounds');
  return undefined;
}

/** check_packet_access: the range learned from comparisons with pkt_end */
function checkPacketAccess(ptr: Reg, who: string, off: number, size: number, zeroOk: boolean, profile: Profile): CheckResult | undefined {
  if (ptr.range < 0) return reject(EINVAL, `${who} offset is outside of the packet`);
  const res = checkMemRegionAccess(ptr, who, off, size, ptr.range, zeroOk);
  if (!res) cover('check_packet_access:in-range');
  if (!res || profile.features.packetAccessAsMemRegion || res.kind !== 'reject' || res.message.includes(' min value is negative')) return res;
  // 6.12 ends any other failed check with one line of its own
  return reject(res.errno, `${who} offset is outside of the packet`);
}

// ---- helper arguments ----------------------------------------------------------------------------

/** what check_stack_range_initialized leaves for check_helper_call (meta.raw_mode, access_size, regno) */
export interface RawWrite {
  rawMode: boolean;
  /** bytes the helper writes to the stack, 0 when none */
  accessSize: number;
  regno: number;
}

/**
 * check_helper_mem_access: `size` bytes at a helper's pointer argument. `raw` (meta) is given only
 * for a buffer the helper fills (MEM_UNINIT) with a constant size.
 */
export function checkHelperMemAccess(
  st: VState, reg: Reg, regno: number, size: number, write: boolean, zeroOk: boolean, raw: RawWrite | undefined, env: MemEnv,
): CheckResult | undefined {
  const who = `R${regno}`;
  switch (reg.type) {
    case 'pkt':
    case 'pkt_meta':
      cover('check_helper_mem_access:pkt');
      return checkPacketAccess(reg, who, 0, size, zeroOk, env.profile);
    case 'map_value':
      cover('check_helper_mem_access:map-value');
      return checkMemRegionAccess(reg, who, 0, size, env.maps[reg.mapIdx]!.valueSize, zeroOk);
    case 'mem':
      cover('check_helper_mem_access:mem');
      return checkMemRegionAccess(reg, who, 0, size, reg.range, zeroOk);
    case 'ptr_to_stack':
      cover('check_helper_mem_access:stack');
      return checkStackRangeInitialized(st, reg, regno, size, zeroOk, write, raw, env);
    default:
      // also scalars: a NULL pointer with a zero size is fine
      if (zeroOk && size === 0 && reg.type === 'scalar' && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) {
        cover('check_helper_mem_access:null-zero-size');
        return undefined;
      }
      return reject(EACCES, `${who} type=${regTypeStr(reg)} expected=fp`);
  }
}

/** check_stack_range_initialized for a privileged program (allow_uninit_stack, allow_ptr_leaks) */
function checkStackRangeInitialized(
  st: VState, reg: Reg, regno: number, size: number, zeroOk: boolean, write: boolean, raw: RawWrite | undefined, env: MemEnv,
): CheckResult | undefined {
  const who = `R${regno}`;
  if (size === 0 && !zeroOk) return reject(EACCES, 'invalid zero-sized read');
  // check_stack_access_within_bounds (6.12 says `indirect access to` for any helper access)
  const rw = ' ' + fillMessage(env.profile.messages.helperStackAccess, { rw: write ? 'write to' : 'read from' });
  const known = tnumIsConst(reg.varOff);
  let minOff: bigint, maxOff: bigint;
  if (known) {
    minOff = BigInt.asIntN(64, reg.varOff.value);
    maxOff = minOff + BigInt(size);
  } else {
    if (smax(reg) >= BPF_MAX_VAR_OFF || smin(reg) <= -BPF_MAX_VAR_OFF) return reject(EACCES, `invalid unbounded variable-offset${rw} stack ${who}`);
    cover('check_stack_range_initialized:var-off');
    minOff = smin(reg);
    maxOff = smax(reg) + BigInt(size);
  }
  const bounds = stackBoundsErrno(minOff, maxOff);
  if (bounds) {
    if (known) return reject(bounds, `invalid${rw} stack ${who} off=${minOff} size=${size}`);
    const t = varOffText(reg, 0, env.profile);
    return reject(bounds, `invalid variable-offset${rw} stack ${who} var_off=${t.varOff} off=${t.off} size=${size}`);
  }
  const target = st.frames[reg.frameno]!;
  growStack(target, Number(-minOff));
  env.onStackDepth(target, Number(-minOff));
  if (raw?.rawMode && known) {
    // the helper fills the buffer: check_helper_call writes it byte by byte after the arguments
    cover('check_stack_range_initialized:raw-mode');
    raw.accessSize = size;
    raw.regno = regno;
    return undefined;
  }
  // privileged: every byte may be read (STACK_INVALID included); a helper that writes leaves it misc
  if (!write) return undefined;
  cover('check_stack_range_initialized:helper-write');
  const lo = Number(known ? minOff : smin(reg));
  const hi = Number(known ? minOff : smax(reg)) + size;
  for (let i = lo; i < hi; i++) {
    const slot = -i - 1;
    const s = target.stack[Math.floor(slot / BPF_REG_SIZE)]!;
    const k = slot % BPF_REG_SIZE;
    if (s.types[k] === 'misc') continue;
    if (s.types[BPF_REG_SIZE - 1] === 'spill') {
      markUnknown(s.spilled);
      for (let j = 0; j < BPF_REG_SIZE; j++) if (s.types[j] !== 'invalid') s.types[j] = 'misc';
      continue;
    }
    s.types[k] = 'misc';
  }
  return undefined;
}

/**
 * check_stack_access_within_bounds: the errno of an access outside the frame, 0 when inside. A start
 * outside [-512, -1] is EACCES (check_stack_slot_within_bounds); an end above the frame pointer EINVAL.
 */
export function stackBoundsErrno(minOff: bigint, maxOff: bigint): number {
  if (minOff < -BigInt(MAX_BPF_STACK) || minOff > -1n) return EACCES;
  return maxOff > 0n ? EINVAL : 0;
}

// ---- sockets ---------------------------------------------------------------------------------------

const BPF_SOCK = { type: 8, priority: 20, dstPort: 48, dstIp4: 52, size: 80 };
const NARROW_SOCK_FIELDS = new Set([4, 8, 12, 44, 72, 76]); // family, type, protocol, src_port, state, rx_queue_mapping

function sockFieldRule(off: number): CheckRuleId {
  if (NARROW_SOCK_FIELDS.has(off)) return 'check_sock_access:narrow-field';
  if ((off >= 24 && off < 44) || (off >= BPF_SOCK.dstIp4 && off < 72)) return 'check_sock_access:ip-field';
  if (off >= BPF_SOCK.dstPort && off < BPF_SOCK.dstIp4) return 'check_sock_access:dst-port';
  return 'check_sock_access:other-field';
}

/** bpf_sock_is_valid_access / bpf_sock_common_is_valid_access, reads */
function sockFieldValid(type: 'sock' | 'sock_common', off: number, size: number): boolean {
  if (type === 'sock_common' && off >= BPF_SOCK.type && off < BPF_SOCK.priority + 4) return false;
  if (off < 0 || off >= BPF_SOCK.size || off % size !== 0) return false;
  const narrowOk = (fieldSize: number): boolean => size <= fieldSize && (size & (size - 1)) === 0;
  if (NARROW_SOCK_FIELDS.has(off) || (off >= 24 && off < 44) || (off >= BPF_SOCK.dstIp4 && off < 72)) return narrowOk(4);
  if (off >= BPF_SOCK.dstPort && off < BPF_SOCK.dstPort + 2) return narrowOk(size === 4 ? 4 : 2);
  if (off >= BPF_SOCK.dstPort + 2 && off < BPF_SOCK.dstIp4) return false;
  return size === 4;
}

/** struct bpf_tcp_sock: u32 fields but for the two u64 byte counters; it ends with icsk_retransmits */
const BPF_TCP_SOCK = { bytesReceived: 80, bytesAcked: 88, size: 112 };

/** bpf_tcp_sock_is_valid_access (net/core/filter.c): whole fields only, no narrow loads */
function tcpSockFieldValid(off: number, size: number): boolean {
  if (off < 0 || off >= BPF_TCP_SOCK.size || off % size !== 0) return false;
  return off === BPF_TCP_SOCK.bytesReceived || off === BPF_TCP_SOCK.bytesAcked ? size === 8 : size === 4;
}

// ---- the stack ----------------------------------------------------------------------------------

function stackWrite(st: VState, target: Frame, cur: Frame, off: number, a: Access): CheckResult | undefined {
  const slot = -off - 1;
  const spi = Math.floor(slot / BPF_REG_SIZE);
  const s = target.stack[spi]!;
  const reg = a.valueRegno >= 0 ? cur.regs[a.valueRegno]! : undefined;
  // save_register_state: the bytes below a narrow spill become misc unless zero or never written
  const save = (r: Reg): void => {
    s.spilled = { ...r };
    let i = BPF_REG_SIZE;
    for (; i > BPF_REG_SIZE - a.size; i--) s.types[i - 1] = 'spill';
    for (; i; i--) if (s.types[i - 1] !== 'zero' && s.types[i - 1] !== 'invalid') s.types[i - 1] = 'misc';
  };
  if (reg && off % BPF_REG_SIZE === 0 && reg.type === 'scalar') {
    const fits = regWidth(reg) <= 8 * a.size;
    cover(a.size === BPF_REG_SIZE ? 'check_stack_write_fixed_off:spill-scalar' : fits ? 'check_stack_write_fixed_off:spill-narrow' : 'check_stack_write_fixed_off:misc');
    if (fits) assignScalarId(st, reg);
    save(reg);
    if (!fits) s.spilled.id = 0;
  } else if (!reg && off % BPF_REG_SIZE === 0 && a.imm !== undefined) {
    cover('check_stack_write_fixed_off:spill-imm');
    save(knownScalar(BigInt(a.imm)));
  } else if (reg && reg.type !== 'scalar' && reg.type !== 'not_init') {
    if (a.size !== BPF_REG_SIZE) return reject(EACCES, msg.invalidSizeSpill());
    if (target !== cur && reg.type === 'ptr_to_stack') return reject(EINVAL, 'cannot spill pointers to stack into stack frame of the caller');
    cover('check_stack_write_fixed_off:spill-pointer');
    save(reg);
  } else {
    // scrub_special_slot: a plain write destroys a spilled register in the slot
    s.spilled = { ...s.spilled, type: 'not_init' };
    if (s.types[BPF_REG_SIZE - 1] === 'spill') {
      cover('check_stack_write_fixed_off:scrub-spill');
      for (let i = 0; i < BPF_REG_SIZE; i++) if (s.types[i] !== 'invalid') s.types[i] = 'misc';
    }
    let type: SlotType = 'misc';
    const isNull = reg ? reg.type === 'scalar' && tnumIsConst(reg.varOff) && reg.varOff.value === 0n : a.imm === 0;
    if (isNull) type = 'zero';
    cover(isNull ? 'check_stack_write_fixed_off:zero' : 'check_stack_write_fixed_off:misc');
    for (let i = 0; i < a.size; i++) s.types[(slot - i) % BPF_REG_SIZE] = type;
  }
  return undefined;
}

function stackRead(target: Frame, cur: Frame, off: number, a: Access): CheckResult | undefined {
  const slot = -off - 1;
  const spi = Math.floor(slot / BPF_REG_SIZE);
  const s = target.stack[spi]!;
  const dst = a.valueRegno;
  const isSpill = s.types[BPF_REG_SIZE - 1] === 'spill';
  if (isSpill) {
    let spillSize = 1;
    for (let i = BPF_REG_SIZE - 1; i > 0 && s.types[i - 1] === 'spill'; i--) spillSize++;
    const reg = s.spilled;
    if (a.size !== BPF_REG_SIZE || spillSize !== BPF_REG_SIZE) {
      if (reg.type !== 'scalar') return reject(EACCES, 'invalid size of register fill');
      if (dst < 0) return undefined;
      const narrowFill = a.size <= spillSize && off % BPF_REG_SIZE === 0;
      cover(narrowFill ? 'check_stack_read_fixed_off:fill-narrow' : 'check_stack_read_fixed_off:fill-partial');
      if (narrowFill) {
        // a 4-byte fill of a 4-byte spill links the register with the slot
        if (a.size === 4 && spillSize === 4 && regWidth(reg) <= 32) assignScalarId(undefined, reg);
        cur.regs[dst] = { ...reg };
        if (regWidth(reg) > a.size * 8) {
          cur.regs[dst]!.id = 0;
          cur.regs[dst]!.delta = 0;
        }
      } else {
        let spillCnt = 0, zeroCnt = 0;
        for (let i = 0; i < a.size; i++) {
          const t = s.types[(slot - i) % BPF_REG_SIZE];
          if (t === 'spill') spillCnt++;
          else if (t === 'zero') zeroCnt++;
        }
        if ((spillCnt === a.size && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) || zeroCnt === a.size) cur.regs[dst] = knownScalar(0n);
        else {
          const r = cur.regs[dst]!;
          markUnknown(r);
        }
      }
    } else if (dst >= 0) {
      // restore the register state; a scalar gets an id to link the register with the slot
      cover(reg.type === 'scalar' ? 'check_stack_read_fixed_off:fill' : 'check_stack_read_fixed_off:fill-pointer');
      assignScalarId(undefined, reg);
      cur.regs[dst] = { ...reg };
    }
  } else if (dst >= 0) {
    // mark_reg_stack_read: all-zero bytes give a known zero, anything else an unknown scalar;
    // privileged programs may read never-written bytes (allow_uninit_stack)
    let zeros = 0;
    for (let i = 0; i < a.size; i++) if (s.types[(slot - i) % BPF_REG_SIZE] === 'zero') zeros++;
    cover(zeros === a.size ? 'check_stack_read_fixed_off:zero' : 'check_stack_read_fixed_off:misc');
    if (zeros === a.size) cur.regs[dst] = knownScalar(0n);
    else markUnknown(cur.regs[dst]!);
  }
  if (dst >= 0) narrowLoad(cur.regs[dst]!, a);
  return undefined;
}

/** assign_scalar_id_before_mov: give a non-constant scalar an id so its copies stay linked */
export function assignScalarId(_st: VState | undefined, r: Reg): void {
  if (r.type !== 'scalar') return;
  // a register linked with a constant delta loses the link: multiple rX += const are not tracked
  if (r.linked32 !== undefined) {
    r.id = 0;
    r.delta = 0;
    r.linked32 = undefined;
  }
  if (r.id === 0 && !tnumIsConst(r.varOff)) r.id = nextId();
}

// ---- program context -------------------------------------------------------------------------
/** what a context field loads: a scalar, or one of the pointers the verifier hands out */
type CtxResult = false | 'scalar' | 'pkt' | 'pkt_meta' | 'pkt_end' | 'sock_common_or_null';

const SKB = {
  mark: 8, queue_mapping: 12, priority: 32, tc_index: 44, cb0: 48, cb4end: 68, tc_classid: 72, data: 76, data_end: 80,
  family: 88, remote_ip4: 92, local_ip4: 96, remote_ip6: 100, local_ip6: 116, local_port_end: 140, data_meta: 140,
  flow_keys: 144, tstamp: 152, wire_len: 160, sk: 168, tstamp_type: 180, hwtstamp: 184, size: 192,
};
const inRange = (off: number, start: number, len: number): boolean => off >= start && off < start + len;

/** bpf_skb_is_valid_access */
function skbValid(off: number, size: number, write: boolean, ldsx: boolean): CtxResult {
  if (off < 0 || off >= SKB.size) return false;
  if (off % size !== 0) return false;
  if (off >= SKB.cb0 && off < SKB.cb4end) return off + size <= SKB.cb4end ? 'scalar' : false;
  if (inRange(off, SKB.data, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.data_end, 4)) return ldsx || size !== 4 ? false : 'scalar';
  if (inRange(off, SKB.remote_ip6, 32) || inRange(off, SKB.remote_ip4, 4) || inRange(off, SKB.local_ip4, 4)) return size !== 4 ? false : 'scalar';
  if (inRange(off, SKB.flow_keys, 8)) return false;
  if (inRange(off, SKB.hwtstamp, 8)) return write || size !== 8 ? false : 'scalar';
  if (inRange(off, SKB.tstamp, 8)) return size !== 8 ? false : 'scalar';
  if (inRange(off, SKB.sk, 8)) return write || size !== 8 ? false : 'sock_common_or_null';
  if (off === SKB.tstamp_type) return false;
  if (off >= SKB.tstamp_type + 1 && off < SKB.hwtstamp) return false;
  if (write) return size !== 4 ? false : 'scalar';
  return size <= 4 && (size & (size - 1)) === 0 ? 'scalar' : false;
}

const CTX_RULES: Record<ProgType, CheckRuleId> = {
  sched_cls: 'check_ctx_access:sched_cls', xdp: 'check_ctx_access:xdp', socket_filter: 'check_ctx_access:socket_filter',
};

function ctxFieldAccess(progType: ProgType, off: number, size: number, write: boolean, ldsx: boolean): CtxResult {
  switch (progType) {
    case 'socket_filter': {
      // sk_filter_is_valid_access
      if (inRange(off, SKB.tc_classid, 4) || inRange(off, SKB.data, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.data_end, 4) ||
        (off >= SKB.family && off < SKB.local_port_end) || inRange(off, SKB.tstamp, 8) || inRange(off, SKB.wire_len, 4) || inRange(off, SKB.hwtstamp, 8))
        return false;
      if (write && !(off >= SKB.cb0 && off < SKB.cb4end)) return false;
      return skbValid(off, size, write, ldsx);
    }
    case 'sched_cls': {
      // tc_cls_act_is_valid_access
      if (write) {
        const ok = inRange(off, SKB.mark, 4) || inRange(off, SKB.tc_index, 4) || inRange(off, SKB.priority, 4) || inRange(off, SKB.tc_classid, 4) ||
          (off >= SKB.cb0 && off < SKB.cb4end) || inRange(off, SKB.tstamp, 8) || inRange(off, SKB.queue_mapping, 4);
        if (!ok) return false;
      }
      let kind: CtxResult = 'scalar';
      if (inRange(off, SKB.data, 4)) kind = 'pkt';
      else if (inRange(off, SKB.data_meta, 4)) kind = 'pkt_meta';
      else if (inRange(off, SKB.data_end, 4)) kind = 'pkt_end';
      else if (off >= SKB.family && off < SKB.local_port_end) return false;
      else if (off === SKB.tstamp_type) return size === 1 ? 'scalar' : false;
      const v = skbValid(off, size, write, ldsx);
      return v === false ? false : kind === 'scalar' ? v : kind;
    }
    case 'xdp': {
      // xdp_is_valid_access (not a devmap program: egress_ifindex is off limits)
      if (off === 20) return false;
      if (write) return false;
      if ((off === 0 || off === 4 || off === 8) && ldsx) return false;
      if (off < 0 || off >= 24 || off % size !== 0 || size !== 4) return false;
      return off === 0 ? 'pkt' : off === 4 ? 'pkt_end' : off === 8 ? 'pkt_meta' : 'scalar';
    }
  }
}

