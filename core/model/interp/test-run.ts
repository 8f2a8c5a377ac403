// The context BPF_PROG_TEST_RUN hands to the program for a packet, without ctx_in:
// bpf_prog_test_run_skb / bpf_prog_test_run_xdp in net/bpf/test_run.c (7.2), with the
// loopback device of the guest's init namespace. Field values follow what the ctx
// rewrites of net/core/filter.c (bpf_convert_ctx_access, xdp_convert_ctx_access) load.
import type { ProgType } from '../../program/types.ts';
import { CTX_BASE, PACKET_BASE, readBytes, writeBytes, type Loaded, type Region } from './memory.ts';
import { InterpUnsupported, TestRunRejected } from './errors.ts';

const EINVAL = 22;
const ETH_HLEN = 14;
const ETH_P_802_3_MIN = 0x0600;
/** PAGE_SIZE - (NET_SKB_PAD + NET_IP_ALIGN) - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 */
const SKB_MAX_LINEAR = 4096 - 64 - 320;
/** PAGE_SIZE - XDP_PACKET_HEADROOM - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
const XDP_MAX_LINEAR = 4096 - 256 - 320;
const LOOPBACK_IFINDEX = 1;

/** struct __sk_buff offsets (include/uapi/linux/bpf.h) */
const SkBuff = {
  len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, vlan_present: 20, vlan_tci: 24,
  vlan_proto: 28, priority: 32, ingress_ifindex: 36, ifindex: 40, tc_index: 44, cb: 48, hash: 68,
  tc_classid: 72, data: 76, data_end: 80, napi_id: 84, family: 88, data_meta: 140, flow_keys: 144,
  tstamp: 152, wire_len: 160, gso_segs: 164, sk: 168, gso_size: 176, tstamp_type: 180, hwtstamp: 184,
} as const;
const SK_BUFF_SIZE = 192;

/**
 * __sk_buff fields whose sk_buff storage is narrower than 4 bytes, by offset -> target size.
 * A narrow read at least that wide loads the whole field wherever in the 4 bytes it points
 * (convert_ctx_accesses only shifts and masks when size < target_size).
 */
const NARROW_TARGET: ReadonlyMap<number, number> = new Map([
  [SkBuff.pkt_type, 1], [SkBuff.queue_mapping, 2], [SkBuff.protocol, 2], [SkBuff.vlan_tci, 2], [SkBuff.vlan_proto, 2],
  [SkBuff.tc_index, 2], [SkBuff.tc_classid, 2], [SkBuff.gso_segs, 2], [SkBuff.gso_size, 2],
]);

/** struct xdp_md offsets */
const XdpMd = { data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12, rx_queue_index: 16, egress_ifindex: 20 } as const;
const XDP_MD_SIZE = 24;

export interface TestRunEnv {
  ctx: Region;
  packet: Region;
  /**
   * What LD_ABS/LD_IND see (skb programs): offsets into `packet.bytes` of skb->data and of
   * the mac and network headers, and skb_headlen.
   */
  skb?: { data: number; headlen: number; mac: number; network: number };
}

/**
 * pkt_type from the destination MAC against the loopback device (eth_skb_pkt_type). The
 * loopback device's address and its broadcast address are both all zero, so ff:ff:ff:ff:ff:ff
 * counts as multicast, as the real test run reports.
 */
function packetType(input: Uint8Array): number {
  const dest = input.subarray(0, 6);
  if (dest.every((b) => b === 0)) return 0; // PACKET_HOST
  return dest[0] & 1 ? 2 : 3; // PACKET_MULTICAST : PACKET_OTHERHOST
}

/** skb->protocol as eth_type_trans sets it, read back as the u16 it is stored as (network order) */
function skbProtocol(input: Uint8Array): number {
  const wire = (input[12] << 8) | input[13];
  const stored = (ethertype: number): number => ((ethertype & 0xff) << 8) | (ethertype >> 8);
  if ((wire & 0xff00) >= ETH_P_802_3_MIN) return stored(wire);
  const ipx = input.length >= ETH_HLEN + 2 && input[14] === 0xff && input[15] === 0xff;
  return stored(ipx ? 0x0001 : 0x0004); // ETH_P_802_3 : ETH_P_802_2
}

const pointerField = (packet: Region, off: number): Loaded => ({
  value: packet.base + BigInt(off),
  prov: { kind: 'addr', region: packet },
});

export function buildTestRun(progType: ProgType, input: Uint8Array): TestRunEnv {
  if (progType === 'xdp') return buildXdp(input);
  return buildSkb(progType, input);
}

function buildSkb(progType: ProgType, input: Uint8Array): TestRunEnv {
  if (input.length < ETH_HLEN) throw new TestRunRejected(EINVAL, `packet of ${input.length} bytes is shorter than ETH_HLEN`);
  if (input.length > SKB_MAX_LINEAR) throw new InterpUnsupported(`non-linear skb (packet of ${input.length} bytes)`);
  const protocol = skbProtocol(input);
  const l3 = input.length - ETH_HLEN;
  if (protocol === 0x0008 && l3 < 20) throw new TestRunRejected(EINVAL, 'IPv4 packet shorter than its header');
  if (protocol === 0xdd86 && l3 < 40) throw new TestRunRejected(EINVAL, 'IPv6 packet shorter than its header');

  const isL2 = progType === 'sched_cls';
  const dataOff = isL2 ? 0 : ETH_HLEN;
  const packet: Region = { name: 'packet', base: PACKET_BASE, bytes: Uint8Array.from(input), writable: isL2 };
  const bytes = new Uint8Array(SK_BUFF_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(SkBuff.len, input.length - dataOff, true);
  view.setUint32(SkBuff.pkt_type, packetType(input), true);
  view.setUint32(SkBuff.protocol, protocol, true);
  view.setUint32(SkBuff.ifindex, LOOPBACK_IFINDEX, true);
  // everything else starts zeroed: the skb comes from slab_build_skb and no ctx_in is given

  const special = {
    read(off: number, size: number): Loaded | undefined {
      if (off === SkBuff.data && size === 4 && isL2) return pointerField(packet, 0);
      if (off === SkBuff.data_meta && size === 4 && isL2) return pointerField(packet, 0);
      if (off === SkBuff.data_end && size === 4 && isL2) return pointerField(packet, input.length);
      if (off === SkBuff.sk || off === SkBuff.flow_keys) throw new InterpUnsupported('__sk_buff->sk and flow_keys');
      if (off >= SkBuff.family && off < SkBuff.data_meta) throw new InterpUnsupported('__sk_buff socket fields');
      const field = off & ~3;
      const target = NARROW_TARGET.get(field);
      if (target !== undefined && size < 4 && size >= target) return { value: readBytes(bytes, field, 4) };
      return undefined;
    },
    write(off: number, _size: number, value: bigint): boolean {
      // tc_index and tc_classid are u16 in the skb; queue_mapping too, and values >= 0xffff are ignored
      if (off === SkBuff.tc_index || off === SkBuff.tc_classid) {
        writeBytes(bytes, off, 4, value & 0xffffn);
        return true;
      }
      if (off === SkBuff.queue_mapping) {
        if ((value & 0xffffffffn) < 0xffffn) writeBytes(bytes, off, 4, value & 0xffffn);
        return true;
      }
      return false;
    },
  };
  const ctx: Region = { name: 'ctx', base: CTX_BASE, bytes, writable: true, special };
  return {
    ctx,
    packet,
    skb: { data: dataOff, headlen: input.length - dataOff, mac: 0, network: ETH_HLEN },
  };
}

function buildXdp(input: Uint8Array): TestRunEnv {
  if (input.length < ETH_HLEN) throw new TestRunRejected(EINVAL, `packet of ${input.length} bytes is shorter than ETH_HLEN`);
  if (input.length > XDP_MAX_LINEAR) throw new InterpUnsupported(`multi-buffer xdp (packet of ${input.length} bytes)`);
  const packet: Region = { name: 'packet', base: PACKET_BASE, bytes: Uint8Array.from(input), writable: true };
  const bytes = new Uint8Array(XDP_MD_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(XdpMd.ingress_ifindex, LOOPBACK_IFINDEX, true);
  const special = {
    read(off: number): Loaded | undefined {
      if (off === XdpMd.data || off === XdpMd.data_meta) return pointerField(packet, 0);
      if (off === XdpMd.data_end) return pointerField(packet, input.length);
      if (off === XdpMd.egress_ifindex) throw new InterpUnsupported('xdp_md->egress_ifindex (devmap programs)');
      return undefined;
    },
    write(): boolean {
      return false;
    },
  };
  return { ctx: { name: 'ctx', base: CTX_BASE, bytes, writable: false, special }, packet };
}

