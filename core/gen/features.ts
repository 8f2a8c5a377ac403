// The generator's feature rates (bpfdiff-gen/3): one rate per feature beyond bpfdiff-gen/2's
// call graphs, each with its default and what it draws. A rate of 0 draws no randomness at all,
// so with every rate here at 0, sched_cls only and gen/2's mutation kinds (the `gen2` preset)
// the generator gives bpfdiff-gen/2's programs byte for byte.
//
// Adding a feature: a rate here (FEATURE_RATES, the interface and GEN2_PRESET's zero come from
// it), its statement or filler in its own body-<feature>.ts registered in body-features.ts, and
// its mutation kinds at the end of mutations.ts with `needs` naming the rate.
import type { GenOptions } from './options.ts';
import { GEN2_MUTATION_KINDS } from './mutations.ts';

interface FeatureRate {
  default: number;
  /** what the rate is the chance of, for --help and the README */
  what: string;
}

export interface FeatureRates {
  /** packet access: load data/data_end from the ctx, bounds-check, read (and on xdp write) packet bytes */
  packetRate: number;
  /** an argument that is a bounds-checked packet pointer (static callees whose callers hold the ctx) */
  packetArgRate: number;
  /** a stack array (the locals) read or written at a bounded variable index */
  stackVarRate: number;
  /** a branch or loop condition drawn among the signed and JMP32 comparisons */
  signedCmpRate: number;
  /** a signed division or modulo (sdiv/smod) filler */
  sdivRate: number;
  /** a sign-extending move (movsx) filler */
  movsxRate: number;
  /** a sign-extending load (ldsx) filler */
  ldsxRate: number;
  /** a byte swap (bswap, be/le) filler */
  bswapRate: number;
  /** a map statement: lookup with NULL check and value accesses, update or delete (body-maps.ts) */
  mapRate: number;
  /** an argument that is a pointer to an array map's value (body-maps.ts) */
  mapArgRate: number;
  /** a helper call with typed arguments (body-helpers.ts) */
  helperRate: number;
  /** a socket lookup, NULL check and release (body-sockets.ts) */
  socketRate: number;
  /** an atomic and/or/xor, fetch, xchg or cmpxchg on a stack local (body-atomics.ts) */
  atomicOpsRate: number;
  /** arithmetic on the frame pointer, never dereferenced (body-ptrarith.ts) */
  ptrArithRate: number;
  /** an argument of a global function that is the ctx or a pointer to memory (body-global-ptr.ts) */
  globalPtrArgRate: number;
  /** a function laid out with its exit first, ending in a jump back to it (body-jumps.ts) */
  jumpLayoutRate: number;
  /** a store into a writable ctx field (body-ctxwrite.ts) */
  ctxWriteRate: number;
  /** a load-acquire or store-release on a stack local (body-acqrel.ts) */
  acqRelRate: number;
  /** the skb's socket: ctx->sk, NULL check, a sock_common field read (body-sk.ts) */
  skbSkRate: number;
  /** a one-element array's value through ld_imm64 BPF_PSEUDO_MAP_VALUE (body-mapvalue.ts) */
  mapValueImmRate: number;
}

export const FEATURE_RATES: Record<keyof FeatureRates, FeatureRate> = {
  packetRate: { default: 0.06, what: 'per statement, a packet access (data/data_end from the ctx, bounds check, reads; writes on xdp) in a function holding the ctx of a sched_cls or xdp program' },
  packetArgRate: { default: 0.1, what: 'per argument of a static callee whose callers hold the ctx (sched_cls, xdp), a packet pointer the caller bounds-checked; the callee reads within the checked bytes' },
  stackVarRate: { default: 0.06, what: 'per statement, the locals read or written as an array at a variable index bounded by a mask, an unsigned, signed or JMP32 comparison' },
  signedCmpRate: { default: 0.3, what: 'per branch and per loop, a condition drawn among the signed comparisons (64-bit and JMP32); loops count up or down in r5/w5' },
  sdivRate: { default: 0.03, what: 'per filler, a signed division or modulo' },
  movsxRate: { default: 0.03, what: 'per filler, a sign-extending move' },
  ldsxRate: { default: 0.03, what: 'per filler, a sign-extending load' },
  bswapRate: { default: 0.03, what: 'per filler, a byte swap' },
  mapRate: { default: 0.03, what: 'per statement, a map lookup (with its NULL check and value accesses), update or delete' },
  mapArgRate: { default: 0.02, what: 'per argument of a subprogram, a pointer to an array map value' },
  helperRate: { default: 0.04, what: 'per statement, a helper call with typed arguments (csum_diff, skb_load_bytes/store_bytes/pull_data, smp_processor_id, clocks, ...) the program type may call' },
  ptrArithRate: { default: 0.02, what: 'per statement, arithmetic on the frame pointer a privileged loader may do, never dereferenced: pointer minus pointer (folded), minus a bounded scalar, scalar plus pointer, a 32-bit or sign-extending move or a negation of it' },
  atomicOpsRate: { default: 0.03, what: 'per statement, an atomic and/or/xor, a fetch form of add/and/or/xor, xchg or cmpxchg on a stack local, 64 or 32 bits, the old value folded into the checksum' },
  globalPtrArgRate: { default: 0.3, what: 'per argument (r1-r5, at most two) of a global function, a pointer from its BTF: the ctx where every caller holds it, or 8..32 bytes of memory (maybe NULL, or arg:nonnull) the callee NULL-tests, reads and writes; callers pass NULL, their locals or a map value' },
  jumpLayoutRate: { default: 0.15, what: 'per function, the exit laid out before the body: a ja or gotol over it, the exit sequence, a ja or gotol back, so the function ends in an unconditional jump' },
  ctxWriteRate: { default: 0.04, what: 'per statement, a store into a ctx field the program type may write (sched_cls: mark, priority, tc_index, cb[]; socket_filter: cb[]), read back into the checksum' },
  acqRelRate: { default: 0.03, what: 'per statement, a load-acquire or store-release of 1, 2, 4 or 8 bytes on a stack local, the value folded into the checksum (6.15+; 6.12 rejects the opcode)' },
  skbSkRate: { default: 0.03, what: 'per statement, the socket of the skb (sched_cls, socket_filter): __sk_buff.sk, its NULL check, a field a sock_common may read (not folded: the test run makes the socket)' },
  mapValueImmRate: { default: 0.03, what: 'per statement, the value of a one-element array map addressed by ld_imm64 (BPF_PSEUDO_MAP_VALUE, as C globals are): a store and a load at constant offsets, folded' },
  socketRate: { default: 0.02, what: 'per statement, bpf_sk_lookup_tcp/udp with a tuple on the stack, NULL check, a field read and bpf_sk_release (sched_cls, xdp; in a function holding the ctx)' },
};

/** bpfdiff-gen/2's options: every new rate 0, sched_cls only, gen/2's mutation kinds. */
export const GEN2_PRESET: Partial<GenOptions> = {
  progTypes: { sched_cls: 1 },
  ...(Object.fromEntries(Object.keys(FEATURE_RATES).map((k) => [k, 0])) as unknown as FeatureRates),
  mutations: [...GEN2_MUTATION_KINDS],
};
