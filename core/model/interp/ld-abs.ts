// LD_ABS/LD_IND, the cBPF carry-over packet loads, as the test run executes them
// (bpf_skb_load_helper_8/16/32 and bpf_internal_load_pointer_neg_helper in net/core/filter.c).
import { sizeBytes, type RawInsn } from '../../isa/index.ts';
import { InterpFault, InterpUnsupported } from './errors.ts';
import type { TestRunEnv } from './test-run.ts';

/** SKF_NET_OFF / SKF_LL_OFF: negative offsets relative to the network or the mac header */
const SKF_NET_OFF = -0x100000;
const SKF_LL_OFF = -0x200000;

/**
 * LD_ABS/LD_IND (cBPF carry-over): a big-endian load relative to skb->data, or to the mac or
 * network header for the SKF_*_OFF offsets (bpf_skb_load_helper_*, bpf_internal_load_pointer_neg_helper).
 * Returns undefined when the kernel's helper fails.
 */
export function legacyPacketLoad(env: TestRunEnv, insn: RawInsn, srcValue: bigint, indirect: boolean, pc: number): bigint | undefined {
  if (!env.skb) throw new InterpFault('LD_ABS/LD_IND outside an skb program', pc);
  const size = sizeBytes(insn.code);
  if (size === 8) throw new InterpFault('LD_ABS/LD_IND of 8 bytes', pc);
  const offset = indirect ? Number(BigInt.asIntN(32, srcValue + BigInt(insn.imm))) : insn.imm;
  const { data, headlen, mac, network } = env.skb;
  let start: number;
  if (offset >= 0) {
    if (offset + size > headlen) return undefined;
    start = data + offset;
  } else if (offset >= SKF_NET_OFF) {
    start = network + offset - SKF_NET_OFF;
  } else if (offset >= SKF_LL_OFF) {
    start = mac + offset - SKF_LL_OFF;
  } else {
    return undefined;
  }
  if (start < 0) throw new InterpUnsupported('LD_ABS/LD_IND reading skb headroom', pc);
  if (start + size > env.packet.bytes.length) return undefined;
  let v = 0n;
  for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(env.packet.bytes[start + i]);
  return v;
}
