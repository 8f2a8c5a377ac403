// bpf_convert_ctx_accesses (kernel/bpf/fixups.c) for the program types bpfdiff loads: each load or
// store through the unmodified ctx pointer becomes the access to the kernel structure behind it
// (bpf_convert_ctx_access / tc_cls_act_convert_ctx_access / xdp_convert_ctx_access in
// net/core/filter.c), with the narrow-load shift and mask the verifier appends.
import type { RawInsn } from '../../isa/raw.ts';
import { BPF_AND, BPF_LDX, BPF_MEM, BPF_MEMSX, BPF_MOV, BPF_RSH, BPF_ST, BPF_STX } from '../../isa/index.ts';
import type { ProgType } from '../../program/types.ts';
import type { CtxLayout } from './ctx-layout.ts';

const SIZE = { 4: 0x00, 2: 0x08, 1: 0x10, 8: 0x18 } as const;
type Size = keyof typeof SIZE;
const BYTES: Record<number, Size> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };

const ldx = (size: Size, dst: number, src: number, off: number): RawInsn => ({ code: BPF_LDX | BPF_MEM | SIZE[size], dst, src, off, imm: 0 });
/** BPF_EMIT_STORE: the store keeps its class (ST or STX), size changes to the field's */
const store = (si: RawInsn, size: Size, off: number): RawInsn => ({ ...si, code: (si.code & 0x07) | BPF_MEM | SIZE[size], off });
const alu32Imm = (op: number, dst: number, imm: number): RawInsn => ({ code: 0x04 | op | 0x00, dst, src: 0, off: 0, imm });
const alu64Imm = (op: number, dst: number, imm: number): RawInsn => ({ code: 0x07 | op, dst, src: 0, off: 0, imm });
const jeqImm = (dst: number, imm: number, off: number): RawInsn => ({ code: 0x05 | 0x10, dst, src: 0, off, imm });

/** the conversion of one access; undefined when the model does not know the field's layout */
interface Converted {
  insns: RawInsn[];
  /** *target_size: the width of the kernel field (0 when the conversion does not say) */
  targetSize: number;
}

/** bpf_convert_ctx_access (+ tc_cls_act_convert_ctx_access's ifindex) for struct __sk_buff */
function skbAccess(si: RawInsn, write: boolean, progType: ProgType, L: CtxLayout): Converted | undefined {
  const s = L.skb;
  const rd = (size: Size, off: number | undefined): Converted | undefined => (off === undefined ? undefined : { insns: [ldx(size, si.dst, si.src, off)], targetSize: size });
  const rw = (size: Size, off: number | undefined): Converted | undefined =>
    off === undefined ? undefined : { insns: [write ? store(si, size, off) : ldx(size, si.dst, si.src, off)], targetSize: size };
  switch (si.off) {
    case 0: return rd(4, s.len);
    case 16: return rd(2, s.protocol);
    case 28: return rd(2, s.vlanProto);
    case 32: return rw(4, s.priority);
    case 36: return rd(4, s.skbIif);
    case 68: return rd(4, s.hash);
    case 8: return rw(4, s.mark);
    case 4:
      return s.pktTypeOffset === undefined ? undefined : { insns: [ldx(1, si.dst, si.src, s.pktTypeOffset), alu32Imm(BPF_AND, si.dst, 7)], targetSize: 1 };
    case 12:
      if (write) return undefined; // the NO_QUEUE_MAPPING guard
      return rd(2, s.queueMapping);
    case 44: return rw(2, s.tcIndex);
    case 72: return s.cb === undefined ? undefined : { insns: [write ? store(si, 2, s.cb + L.qdiscTcClassid) : ldx(2, si.dst, si.src, s.cb + L.qdiscTcClassid)], targetSize: 2 };
    case 76: return s.data === undefined ? undefined : { insns: [ldx(8, si.dst, si.src, s.data)], targetSize: 0 };
    case 80: return s.cb === undefined ? undefined : { insns: [ldx(8, si.dst, si.src, s.cb + L.dataEndInCb)], targetSize: 0 };
    case 140: return s.cb === undefined ? undefined : { insns: [ldx(8, si.dst, si.src, s.cb + L.dataMetaInCb)], targetSize: 0 };
    case 40: {
      if (s.dev === undefined || L.netdevIfindex === undefined) return undefined;
      const head = ldx(8, si.dst, si.src, s.dev);
      const tail = ldx(4, si.dst, si.dst, L.netdevIfindex);
      return { insns: progType === 'sched_cls' ? [head, tail] : [head, jeqImm(si.dst, 0, 1), tail], targetSize: 4 };
    }
    case 24: return rd(2, s.vlanTci);
    case 168: return s.sk === undefined ? undefined : { insns: [ldx(8, si.dst, si.src, s.sk)], targetSize: 0 };
    case 20:
      return s.vlanAll === undefined ? undefined : { insns: [ldx(4, si.dst, si.src, s.vlanAll), jeqImm(si.dst, 0, 1), alu32Imm(BPF_MOV, si.dst, 1)], targetSize: 4 };
  }
  if (si.off >= 48 && si.off < 68) {
    if (s.cb === undefined) return undefined;
    const off = si.off - 48 + s.cb + L.qdiscData;
    const size = BYTES[si.code & 0x18]!;
    return { insns: [write ? store(si, size, off) : ldx(size, si.dst, si.src, off)], targetSize: 0 };
  }
  return undefined;
}

/** xdp_convert_ctx_access for struct xdp_md */
function xdpAccess(si: RawInsn, L: CtxLayout): Converted | undefined {
  const x = L.xdp;
  switch (si.off) {
    case 0: return { insns: [ldx(8, si.dst, si.src, x.data)], targetSize: 0 };
    case 4: return { insns: [ldx(8, si.dst, si.src, x.dataEnd)], targetSize: 0 };
    case 8: return { insns: [ldx(8, si.dst, si.src, x.dataMeta)], targetSize: 0 };
    case 12:
      if (L.netdevIfindex === undefined) return undefined;
      return { insns: [ldx(8, si.dst, si.src, x.rxq), ldx(8, si.dst, si.dst, L.rxqDev), ldx(4, si.dst, si.dst, L.netdevIfindex)], targetSize: 0 };
    case 16: return { insns: [ldx(8, si.dst, si.src, x.rxq), ldx(4, si.dst, si.dst, L.rxqQueueIndex)], targetSize: 0 };
  }
  return undefined;
}

/** the ctx_field_size the *_is_valid_access recorded: u32 for __sk_buff's plain fields, else 0 */
function ctxFieldSize(progType: ProgType, off: number, write: boolean): number {
  if (progType === 'xdp' || write) return 0;
  if (off >= 48 && off < 68) return 0; // cb[]
  if (off === 76 || off === 80 || off === 140 || off === 168) return 0; // data, data_end, data_meta, sk
  if (off >= 88 && off < 140) return 0; // socket fields: 4-byte only
  return 4;
}

/**
 * The instructions one ctx access becomes (the body of bpf_convert_ctx_accesses' loop for
 * PTR_TO_CTX), or undefined when the model does not know the conversion.
 */
export function convertCtxAccess(si: RawInsn, progType: ProgType, L: CtxLayout): RawInsn[] | undefined {
  const c = si.code & 0x07;
  const write = c === BPF_ST || c === BPF_STX;
  const mode = si.code & 0xe0;
  if (mode !== BPF_MEM && !(c === BPF_LDX && mode === BPF_MEMSX)) return undefined;
  if (mode === BPF_MEMSX) return undefined;
  const size = BYTES[si.code & 0x18]!;
  const fieldSize = ctxFieldSize(progType, si.off, write);
  const narrow = size < fieldSize;
  const off = si.off;
  let insn = si;
  if (narrow) insn = { ...si, off: off & ~(fieldSize - 1), code: BPF_LDX | BPF_MEM | SIZE[fieldSize as Size] };
  const conv = progType === 'xdp' ? xdpAccess(insn, L) : skbAccess(insn, write, progType, L);
  if (!conv) return undefined;
  const out = [...conv.insns];
  if (narrow && size < conv.targetSize) {
    const shift = (off & (fieldSize - 1)) * 8; // little endian: bpf_ctx_narrow_access_offset
    if (fieldSize <= 4) {
      if (shift) out.push(alu32Imm(BPF_RSH, si.dst, shift));
      out.push(alu32Imm(BPF_AND, si.dst, size * 8 >= 32 ? -1 : (1 << (size * 8)) - 1));
    } else {
      if (shift) out.push(alu64Imm(BPF_RSH, si.dst, shift));
      out.push(alu32Imm(BPF_AND, si.dst, size * 8 >= 32 ? -1 : (1 << (size * 8)) - 1));
    }
  }
  return out;
}
