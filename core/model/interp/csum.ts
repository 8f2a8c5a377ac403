// bpf_csum_diff (net/core/filter.c) as the x86-64 kernel computes it: csum_partial
// (arch/x86/lib/csum-partial_64.c: a ones'-complement sum of little-endian u64 words, the tail
// zero-padded, folded to 32 bits by from64to32), csum_sub, and csum_from32to16 on the result.
import type { Loaded, Provenance } from './memory.ts';
import type { HelperCall, HelperImpl } from './helpers.ts';

const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;

/** csum_partial on x86-64: `sum` and the result are __wsum (u32) */
export function csumPartial(bytes: Uint8Array, sum: bigint): bigint {
  let acc = sum & M32;
  for (let at = 0; at < bytes.length; at += 8) {
    let word = 0n;
    for (let k = Math.min(7, bytes.length - at - 1); k >= 0; k--) word = (word << 8n) | BigInt(bytes[at + k]!);
    acc += word;
    if (acc > M64) acc = (acc & M64) + 1n; // add64_with_carry
  }
  // from64to32
  acc = (acc & M32) + (acc >> 32n);
  acc = (acc & M32) + (acc >> 32n);
  return acc & M32;
}

/** csum_add / csum_sub on __wsum */
const csumAdd = (a: bigint, b: bigint): bigint => {
  const r = (a + b) & M32;
  return (r + (r < b ? 1n : 0n)) & M32;
};
const csumSub = (a: bigint, b: bigint): bigint => csumAdd(a, ~b & M32);

/** csum_from32to16 */
function csumFrom32to16(sum: bigint): bigint {
  const s = (sum + (((sum >> 16n) | (sum << 16n)) & M32)) & M32;
  return (s >> 16n) & 0xffffn;
}

export function csumDiff(from: Uint8Array, to: Uint8Array, seed: bigint): bigint {
  let ret = seed & M32;
  if (from.length && to.length) ret = csumSub(csumPartial(to, ret), csumPartial(from, 0n));
  else if (to.length) ret = csumPartial(to, ret);
  else if (from.length) ret = ~csumPartial(from, ~ret & M32) & M32;
  return csumFrom32to16(ret);
}

/**
 * bpf_csum_diff as 6.12 computes it (before 7.x folds the result): csum_partial over the
 * complemented `from` words followed by the `to` words, seeded, returned as the 32-bit __wsum.
 */
export function csumDiffUnfolded(from: Uint8Array, to: Uint8Array, seed: bigint): bigint {
  const diff = new Uint8Array(from.length + to.length);
  from.forEach((b, i) => (diff[i] = ~b & 0xff));
  diff.set(to, from.length);
  return csumPartial(diff, seed);
}

function bytesAt(call: HelperCall, addr: Loaded, size: number): Uint8Array {
  if (size === 0) return new Uint8Array(0);
  const got = call.memory.read(addr, size);
  const taint = got.prov.find((p: Provenance | undefined) => p !== undefined);
  if (taint) call.markUnpredictable('bpf_csum_diff() summed bytes that are not plain numbers');
  return got.bytes;
}

const csumDiffWith = (diff: typeof csumDiff): HelperImpl => ({
  name: 'bpf_csum_diff',
  run(call) {
    const from = bytesAt(call, call.args[0]!, Number(call.args[1]!.value & M32));
    const to = bytesAt(call, call.args[2]!, Number(call.args[3]!.value & M32));
    if (call.args[4]!.prov) call.markUnpredictable('the seed of bpf_csum_diff() is not a plain number');
    return { value: diff(from, to, call.args[4]!.value) };
  },
});

export const csumDiffHelper = csumDiffWith(csumDiff);
/** 6.12's bpf_csum_diff (net/core/filter.c there): the unfolded sum */
export const csumDiffHelper612 = csumDiffWith(csumDiffUnfolded);
