// Helper calls (BPF_CALL with src_reg 0): a table from helper id to an implementation.
// Only helpers whose effect the model can state exactly are here; the rest raise
// InterpUnsupported so a run never silently guesses. A helper whose result differs between
// runs returns a tainted value, so a retval that depends on it is reported as unpredictable.
import type { TestRunEnv } from './test-run.ts';
import type { MapStore } from './maps.ts';
import type { Loaded, Provenance, Region } from './memory.ts';
import { InterpUnsupported } from './errors.ts';
import { csumDiffHelper, csumDiffHelper612 } from './csum.ts';

/** Memory as a helper sees it: by address, with the provenance of every byte. */
export interface HelperMemory {
  /** `size` bytes at `addr`; throws InterpFault when they are not all inside one region */
  read(addr: Loaded, size: number): { bytes: Uint8Array; prov: (Provenance | undefined)[] };
  write(addr: Loaded, bytes: Uint8Array, prov?: (Provenance | undefined)[]): void;
}

export interface HelperCall {
  /** r1..r5 at the call */
  args: readonly Loaded[];
  /** record that the run's result is not reproducible on a real kernel */
  markUnpredictable(why: string): void;
  memory: HelperMemory;
  maps: MapStore;
  testRun: TestRunEnv;
}

export interface HelperImpl {
  name: string;
  run(call: HelperCall): Loaded;
}

export type HelperTable = ReadonlyMap<number, HelperImpl>;

const U32 = 0xffffffffn;
const INT_MAX = 0x7fffffffn;
const EFAULT = 14n, ENOMEM = 12n, EINVAL = 22n;
const errno = (e: bigint): Loaded => ({ value: BigInt.asUintN(64, -e) });
const ok: Loaded = { value: 0n };

const nondeterministic = (name: string, why: string): HelperImpl => ({
  name,
  run() {
    const prov: Provenance = { kind: 'taint', why: `${name}() ${why}` };
    return { value: 0n, prov };
  },
});

/** a helper argument used as a number must be one */
function plain(call: HelperCall, arg: Loaded, what: string): bigint {
  if (arg.prov?.kind === 'taint') call.markUnpredictable(`${what} is not reproducible (${arg.prov.why})`);
  else if (arg.prov?.kind === 'addr') call.markUnpredictable(`${what} is an address`);
  return arg.value;
}

function mapArg(call: HelperCall, name: string): number {
  const idx = call.maps.mapOf(call.args[0]!);
  if (idx === undefined) throw new InterpUnsupported(`${name}() on something that is not one of the program's maps`);
  return idx;
}

/** the bytes of a key or value; bytes that are not plain numbers make the outcome unreproducible */
function plainBytes(call: HelperCall, addr: Loaded, size: number, what: string): { bytes: Uint8Array; prov: (Provenance | undefined)[] } {
  const got = call.memory.read(addr, size);
  const taint = got.prov.find((p) => p?.kind === 'taint');
  if (taint?.kind === 'taint') call.markUnpredictable(`${what} is not reproducible (${taint.why})`);
  return got;
}

const regionPointer = (r: Region): Loaded => ({ value: r.base, prov: { kind: 'addr', region: r } });

const mapLookup: HelperImpl = {
  name: 'bpf_map_lookup_elem',
  run(call) {
    const idx = mapArg(call, this.name);
    const key = plainBytes(call, call.args[1]!, call.maps.decl(idx).keySize, 'the map key');
    const found = call.maps.lookup(idx, key.bytes);
    return found ? regionPointer(found) : { value: 0n };
  },
};

const mapUpdate: HelperImpl = {
  name: 'bpf_map_update_elem',
  run(call) {
    const idx = mapArg(call, this.name);
    const decl = call.maps.decl(idx);
    const key = plainBytes(call, call.args[1]!, decl.keySize, 'the map key');
    const value = call.memory.read(call.args[2]!, decl.valueSize);
    const res = call.maps.update(idx, key.bytes, value.bytes, value.prov, plain(call, call.args[3]!, 'the update flags'));
    return res.ok ? ok : errno(BigInt(res.errno));
  },
};

const mapDelete: HelperImpl = {
  name: 'bpf_map_delete_elem',
  run(call) {
    const idx = mapArg(call, this.name);
    const key = plainBytes(call, call.args[1]!, call.maps.decl(idx).keySize, 'the map key');
    const res = call.maps.delete(idx, key.bytes);
    return res.ok ? ok : errno(BigInt(res.errno));
  },
};

function skbOf(call: HelperCall, name: string): NonNullable<TestRunEnv['skb']> {
  const skb = call.testRun.skb;
  if (!skb) throw new InterpUnsupported(`${name}() outside an skb program`);
  return skb;
}

/** bpf_skb_load_bytes: skb_header_pointer on a linear skb, zeroing the buffer on failure */
const skbLoadBytes: HelperImpl = {
  name: 'bpf_skb_load_bytes',
  run(call) {
    const skb = skbOf(call, this.name);
    const off = plain(call, call.args[1]!, 'the packet offset') & U32;
    const len = Number(call.args[3]!.value & U32);
    const packet = call.testRun.packet.bytes;
    if (off <= INT_MAX && off + BigInt(len) <= BigInt(skb.headlen)) {
      const start = skb.data + Number(off);
      call.memory.write(call.args[2]!, packet.slice(start, start + len));
      return ok;
    }
    call.memory.write(call.args[2]!, new Uint8Array(len));
    return errno(EFAULT);
  },
};

/** bpf_skb_store_bytes: the test run's skb is linear and not cloned, so it is always writable up to its length */
const skbStoreBytes: HelperImpl = {
  name: 'bpf_skb_store_bytes',
  run(call) {
    const skb = skbOf(call, this.name);
    const flags = plain(call, call.args[4]!, 'the flags');
    if (flags & ~3n) return errno(EINVAL); // BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH
    const off = plain(call, call.args[1]!, 'the packet offset') & U32;
    if (off > INT_MAX) return errno(EFAULT);
    const len = call.args[3]!.value & U32;
    if (((off + len) & U32) > BigInt(skb.headlen)) return errno(EFAULT);
    const from = call.memory.read(call.args[2]!, Number(len));
    const at = skb.data + Number(off);
    if (from.prov.some((p) => p)) call.markUnpredictable('bpf_skb_store_bytes() wrote bytes that are not plain numbers into the packet');
    call.testRun.packet.bytes.set(from.bytes, at);
    return ok;
  },
};

/** bpf_skb_pull_data: skb_ensure_writable on a linear, uncloned skb */
const skbPullData: HelperImpl = {
  name: 'bpf_skb_pull_data',
  run(call) {
    const skb = skbOf(call, this.name);
    const len = plain(call, call.args[1]!, 'the length') & U32;
    return (len === 0n ? BigInt(skb.headlen) : len) <= BigInt(skb.headlen) ? ok : errno(ENOMEM);
  },
};

/** bpf_sk_lookup_tcp/udp: the guest has no sockets, so no lookup finds one */
const skLookup = (name: string): HelperImpl => ({ name, run: () => ({ value: 0n }) });

const skRelease: HelperImpl = {
  name: 'bpf_sk_release',
  run() {
    throw new InterpUnsupported('bpf_sk_release() of a socket (no lookup finds one in the guest)');
  },
};

/** a helper on a socket: only skb->sk reaches one in the test run, whose fields the model does not know */
const onSocket = (name: string): HelperImpl => ({
  name,
  run() {
    throw new InterpUnsupported(`${name}() of a socket`);
  },
});

/** a helper that fills a buffer (args[bufArg], `size` bytes or the size in args[sizeArg]) with bytes a run cannot reproduce */
const fillsUnreproducible = (name: string, why: string, bufArg: number, size: number | { sizeArg: number }): HelperImpl => ({
  name,
  run(call) {
    const n = typeof size === 'number' ? size : Number(call.args[size.sizeArg]!.value & U32);
    const prov: Provenance = { kind: 'taint', why: `${name}() ${why}` };
    call.memory.write(call.args[bufArg]!, new Uint8Array(n), new Array<Provenance>(n).fill(prov));
    return { value: 0n, prov };
  },
});

function onSocketlessUnsupported(name: string, what: string): HelperImpl {
  return {
    name,
    run() {
      throw new InterpUnsupported(`${name}() (${what})`);
    },
  };
}

/** The helpers every run has; callers may pass their own table to execute(). */
export const DEFAULT_HELPERS: HelperTable = new Map<number, HelperImpl>([
  [1, mapLookup],
  [2, mapUpdate],
  [3, mapDelete],
  [5, nondeterministic('bpf_ktime_get_ns', 'reads a clock')],
  [6, nondeterministic('bpf_trace_printk', 'returns the length of the formatted text')],
  [7, nondeterministic('bpf_get_prandom_u32', 'returns a random number')],
  // the pool's guests have one CPU: the verifier itself knows the result is 0
  [8, { name: 'bpf_get_smp_processor_id', run: () => ({ value: 0n }) }],
  [9, skbStoreBytes],
  [26, skbLoadBytes],
  [28, csumDiffHelper],
  [34, nondeterministic('bpf_get_hash_recalc', 'hashes the flow with a per-boot seed')],
  [39, skbPullData],
  // -ENOTSUPP or the new skb->csum, by the test skb's checksum state, which the model does not keep
  [40, nondeterministic('bpf_csum_update', 'depends on the skb checksum state')],
  [42, { name: 'bpf_get_numa_node_id', run: () => ({ value: 0n }) }], // the guest has one NUMA node
  [46, nondeterministic('bpf_get_socket_cookie', 'returns a socket cookie')],
  [54, onSocketlessUnsupported('bpf_xdp_adjust_meta', 'the test run\'s metadata room')],
  [84, skLookup('bpf_sk_lookup_tcp')],
  [85, skLookup('bpf_sk_lookup_udp')],
  [86, skRelease],
  [95, onSocket('bpf_sk_fullsock')],
  [96, onSocket('bpf_tcp_sock')],
  [98, onSocket('bpf_get_listener_sock')],
  [99, skLookup('bpf_skc_lookup_tcp')],
  [106, fillsUnreproducible('bpf_strtoul', 'parses a string (not modelled)', 3, 8)],
  [113, fillsUnreproducible('bpf_probe_read_kernel', 'reads kernel memory', 0, { sizeArg: 1 })],
  [122, nondeterministic('bpf_get_netns_cookie', 'returns the netns cookie')],
  [137, onSocket('bpf_skc_to_tcp_sock')],
  [139, onSocket('bpf_skc_to_tcp_request_sock')],
  [125, nondeterministic('bpf_ktime_get_boot_ns', 'reads a clock')],
  [160, nondeterministic('bpf_ktime_get_coarse_ns', 'reads a clock')],
]);

/** the helpers of a 6.12 kernel: bpf_csum_diff returns the 32-bit sum there, 7.x folds it to 16 bits */
export const HELPERS_6_12: HelperTable = new Map([...DEFAULT_HELPERS, [28, csumDiffHelper612]]);
