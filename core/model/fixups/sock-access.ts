// bpf_sock_convert_ctx_access (net/core/filter.c): a load of a struct bpf_sock field through a
// socket pointer (bpf_sk_lookup_tcp/udp's result, or the sock_common of __sk_buff.sk) becomes a load of the struct sock / sock_common
// field behind it, at the build's offsets (ctx-layout.ts). Only whole-field u32 reads (and dst_port's u16) are
// predicted: the narrow loads' shift and mask and the stores (not allowed for the program types
// bpfdiff loads) are left to a later change, and leave the program without a prediction.
import type { RawInsn } from '../../isa/raw.ts';
import { BPF_LDX, BPF_MEM } from '../../isa/index.ts';
import type { SockLayout } from './ctx-layout.ts';

const SIZE = { 4: 0x00, 2: 0x08, 1: 0x10 } as const;
const BPF_W = 0x00, BPF_H = 0x08;
const ldx = (size: 4 | 2 | 1, si: RawInsn, off: number): RawInsn => ({ code: BPF_LDX | BPF_MEM | SIZE[size], dst: si.dst, src: si.src, off, imm: 0 });
/** NO_QUEUE_MAPPING: the u16 sk_rx_queue_mapping holds when no queue was recorded */
const NO_QUEUE_MAPPING = 0xffff;

/** the instructions a u32 load of a bpf_sock field becomes, or undefined when the model does not predict it */
export function convertSockAccess(si: RawInsn, S: SockLayout): RawInsn[] | undefined {
  if ((si.code & 0x07) !== BPF_LDX || (si.code & 0xe0) !== BPF_MEM) return undefined;
  const off = si.off;
  // dst_port, a __be16, may be read as its 2 bytes too (its ctx_field_size is then 2, no narrowing)
  if ((si.code & 0x18) === BPF_H && off === 48) return [ldx(2, si, S.dport)];
  if ((si.code & 0x18) !== BPF_W) return undefined;
  switch (off) {
    case 0: return [ldx(4, si, S.boundDevIf)];
    case 4: return [ldx(2, si, S.family)];
    case 8: return [ldx(2, si, S.type)];
    case 12: return [ldx(2, si, S.protocol)];
    case 16: return [ldx(4, si, S.mark)];
    case 20: return [ldx(4, si, S.priority)];
    case 24: return [ldx(4, si, S.rcvSaddr)];
    case 44: return [ldx(2, si, S.num)];
    case 48: return [ldx(2, si, S.dport)];
    case 52: return [ldx(4, si, S.daddr)];
    case 72: return [ldx(1, si, S.state)];
    case 76:
      return [ldx(2, si, S.rxQueueMapping), { code: 0x55, dst: si.dst, src: 0, off: 1, imm: NO_QUEUE_MAPPING }, { code: 0xb4, dst: si.dst, src: 0, off: 0, imm: -1 }];
  }
  if (off >= 28 && off < 44) return [ldx(4, si, S.v6RcvSaddr + off - 28)];
  if (off >= 56 && off < 72) return [ldx(4, si, S.v6Daddr + off - 56)];
  return undefined;
}
