// Memory access checks for the pointer kinds the model covers: the BPF stack (check_stack_write_fixed_off,
// check_stack_read_fixed_off, check_stack_access_within_bounds, check_generic_ptr_alignment) and the
// program context (check_ctx_access with net/core/filter.c's *_is_valid_access tables).
import type { ProgType } from '../program/types.ts';
import { EACCES, msg } from './messages.ts';
import { reject, unknown, type CheckResult } from './precheck.ts';
import { coerceRegToSize, coerceRegToSizeSx, markKnown, markUnknown, regWidth, smax, smin, umax } from './scalar/bounds.ts';
import { U64, tnumAdd, tnumConst, tnumIsAligned, tnumIsConst, type Tnum } from './scalar/tnum.ts';
import { BPF_REG_SIZE, MAX_BPF_STACK, growStack, knownScalar, type Frame, type Reg, type SlotType, type VState } from './state.ts';

const BPF_MAX_VAR_OFF = 1n << 29n;

export function regTypeStr(r: Reg): string {
  switch (r.type) {
    case 'scalar': return 'scalar';
    case 'ptr_to_ctx': return 'ctx';
    case 'ptr_to_stack': return 'fp';
    default: return '?';
  }
}

/** tnum_strn (kernel/bpf/log.c) */
export function tnumStr(t: Tnum): string {
  if (t.mask === 0n) {
    if (t.value <= 0xffffn) return t.value.toString();
    const s = BigInt.asIntN(64, t.value);
    if (s >= -32768n && s <= 32767n) return s.toString();
    return '0x' + t.value.toString(16);
  }
  const hex = (v: bigint): string => (v === 0n ? '0' : '0x' + v.toString(16));
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

/** check_mem_access for the register kinds the model knows */
export function checkMemAccess(st: VState, ptr: Reg, a: Access, onStackDepth: (frame: Frame, bytes: number) => void, progType: ProgType): CheckResult | undefined {
  const frame = st.frames[st.frames.length - 1]!;
  const regs = frame.regs;
  switch (ptr.type) {
    case 'ptr_to_stack': {
      if (a.size > 1) {
        const aligned = tnumIsAligned(tnumAdd(ptr.varOff, tnumConst(BigInt.asUintN(64, BigInt(a.off)))), a.size);
        if (!aligned) return reject(EACCES, `misaligned stack access off ${tnumStr(ptr.varOff)}+${a.off} size ${a.size}`);
      }
      if (!tnumIsConst(ptr.varOff)) {
        if (smax(ptr) >= BPF_MAX_VAR_OFF || smin(ptr) <= -BPF_MAX_VAR_OFF)
          return reject(EACCES, `invalid unbounded variable-offset${a.write ? ' write to' : ' read from'} stack ${a.who}`);
        return unknown('variable-offset stack access');
      }
      const minOff = BigInt.asIntN(64, ptr.varOff.value) + BigInt(a.off);
      const maxOff = minOff + BigInt(a.size);
      if (minOff < -BigInt(MAX_BPF_STACK) || maxOff > 0n)
        return reject(EACCES, msg.invalidStackAccess(a.write ? 'write to' : 'read from', a.who, minOff, a.size));
      const target = st.frames[ptr.frameno]!;
      growStack(target, Number(-minOff));
      onStackDepth(target, Number(-minOff));
      const off = Number(minOff);
      return a.write ? stackWrite(st, target, frame, off, a) : stackRead(target, frame, off, a);
    }
    case 'ptr_to_ctx': {
      // check_ctx_access: these program types rewrite ctx accesses, so only the unmodified pointer may be used
      if (!tnumIsConst(ptr.varOff)) return reject(EACCES, `variable ctx access var_off=${tnumStr(ptr.varOff)} disallowed`);
      if (smin(ptr) < 0n) return reject(EACCES, msg.negativeCtx(a.who, BigInt.asIntN(64, ptr.varOff.value)));
      if (ptr.varOff.value !== 0n) return reject(EACCES, msg.modifiedCtx(a.who, BigInt.asIntN(64, ptr.varOff.value)));
      const off = a.off + Number(umax(ptr));
      const res = ctxFieldAccess(progType, off, a.size, a.write, a.ldsx);
      if (res === false) return reject(EACCES, msg.ctxAccess(off, a.size));
      if (res !== 'scalar') return unknown(`${res} from the context`);
      if (!a.write && a.valueRegno >= 0) {
        markUnknown(regs[a.valueRegno]!);
        narrowLoad(regs[a.valueRegno]!, a);
      }
      return undefined;
    }
    default:
      return reject(EACCES, msg.invalidMemAccess(a.who, regTypeStr(ptr)));
  }
}

function narrowLoad(r: Reg, a: Access): void {
  if (a.size >= BPF_REG_SIZE || r.type !== 'scalar') return;
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

const byteIndex = (addr: number): number => (-addr - 1) % BPF_REG_SIZE;

function stackWrite(st: VState, target: Frame, cur: Frame, off: number, a: Access): CheckResult | undefined {
  const slot = -off - 1;
  const spi = Math.floor(slot / BPF_REG_SIZE);
  const s = target.stack[spi]!;
  const reg = a.valueRegno >= 0 ? cur.regs[a.valueRegno]! : undefined;
  const save = (r: Reg): void => {
    s.spilled = { ...r };
    let i = BPF_REG_SIZE;
    for (; i > BPF_REG_SIZE - a.size; i--) s.types[i - 1] = 'spill';
    for (; i; i--) if (s.types[i - 1] !== 'zero') s.types[i - 1] = 'misc';
  };
  if (reg && off % BPF_REG_SIZE === 0 && reg.type === 'scalar') {
    const fits = regWidth(reg) <= 8 * a.size;
    if (fits) assignScalarId(st, reg);
    save(reg);
    if (!fits) s.spilled.id = 0;
  } else if (!reg && off % BPF_REG_SIZE === 0 && a.imm !== undefined) {
    save(knownScalar(BigInt(a.imm)));
  } else if (reg && reg.type !== 'scalar' && reg.type !== 'not_init') {
    if (a.size !== BPF_REG_SIZE) return reject(EACCES, msg.invalidSizeSpill());
    if (target !== cur && reg.type === 'ptr_to_stack') return reject(22, 'cannot spill pointers to stack into stack frame of the caller');
    save(reg);
  } else {
    s.spilled = { ...s.spilled, type: 'not_init' };
    let type: SlotType = 'misc';
    const isNull = reg ? reg.type === 'scalar' && tnumIsConst(reg.varOff) && reg.varOff.value === 0n : a.imm === 0;
    if (isNull) type = 'zero';
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
      if (a.size <= spillSize && off % BPF_REG_SIZE === 0) {
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
      cur.regs[dst] = { ...reg };
    }
  } else if (dst >= 0) {
    // mark_reg_stack_read: all-zero bytes give a known zero, anything else an unknown scalar;
    // privileged programs may read never-written bytes (allow_uninit_stack)
    let zeros = 0;
    for (let i = 0; i < a.size; i++) if (s.types[(slot - i) % BPF_REG_SIZE] === 'zero') zeros++;
    if (zeros === a.size) cur.regs[dst] = knownScalar(0n);
    else markUnknown(cur.regs[dst]!);
  }
  if (dst >= 0) narrowLoad(cur.regs[dst]!, a);
  return undefined;
}

let idGen = 1 << 20;
/** assign_scalar_id_before_mov: give a non-constant scalar an id so its copies stay linked */
export function assignScalarId(_st: VState, r: Reg): void {
  if (r.type !== 'scalar') return;
  if (r.id === 0 && !tnumIsConst(r.varOff)) r.id = ++idGen;
}
export function freshId(): number {
  return ++idGen;
}

// ---- program context -------------------------------------------------------------------------
type CtxResult = false | 'scalar' | 'packet pointers' | 'socket pointers';

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
  if (inRange(off, SKB.sk, 8)) return write || size !== 8 ? false : 'socket pointers';
  if (off === SKB.tstamp_type) return false;
  if (off >= SKB.tstamp_type + 1 && off < SKB.hwtstamp) return false;
  if (write) return size !== 4 ? false : 'scalar';
  return size <= 4 && (size & (size - 1)) === 0 ? 'scalar' : false;
}

export function ctxFieldAccess(progType: ProgType, off: number, size: number, write: boolean, ldsx: boolean): CtxResult {
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
      if (inRange(off, SKB.data, 4) || inRange(off, SKB.data_meta, 4) || inRange(off, SKB.data_end, 4)) kind = 'packet pointers';
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
      return off === 0 || off === 4 || off === 8 ? 'packet pointers' : 'scalar';
    }
  }
}

export { markKnown, U64 };
