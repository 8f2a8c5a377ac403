// Mutation kinds: each breaks exactly one kernel rule of the stack-argument feature (or a
// general call-graph limit next to it) in an otherwise valid program. `rule` names the kernel
// function that enforces it; `expect` is the reason line the 7.2 verifier prints for it.
// New kinds go at the end (a kind's place in the list is part of which programs a seed gives),
// with the feature rate they need in MUTATION_FEATURE.
import type { ProgType } from '../program/index.ts';
import type { GenOptions } from './options.ts';
import type { FeatureRates } from './features.ts';
import { skbSkTypes } from './body-sk.ts';

/** bpfdiff-gen/2's kinds, in its order */
export const GEN2_MUTATION_KINDS = [
  'missing-stack-arg-store',
  'extra-stack-arg-store',
  'call-between-store-and-call',
  'no-restore-after-call',
  'missing-store-after-unreliable',
  'load-after-store',
  'load-after-call',
  'load-past-incoming',
  'store-past-max',
  'r11-bad-offset',
  'r11-wrong-size',
  'r11-misuse',
  'too-many-args',
  'global-many-args',
  'too-deep',
  'too-much-stack',
  'scalar-deref',
] as const;

export const MUTATION_KINDS = [
  ...GEN2_MUTATION_KINDS,
  // maps (drawn only while mapRate > 0; mutate-maps.ts)
  'map-no-null-check',
  'map-value-past-end',
  'map-value-unbounded',
  'map-bad-key',
  'map-update-uninit',
  // packet access, ISA v4 arithmetic (mutate-packet.ts, mutate-arith.ts)
  'pkt-no-bounds-check',
  'pkt-check-one-short',
  'pkt-access-past-check',
  'pkt-unbounded-offset',
  'alu-reserved-off',
  'movsx-bad-width',
  'bswap-bad-width',
  'ldsx-dw',
  // helpers and sockets (mutate-helpers.ts, mutate-sockets.ts)
  'helper-bad-arg',
  'helper-bad-size',
  'helper-not-allowed',
  'sock-leak',
  'sock-release-unchecked',
  'sock-use-after-release',
  // variable stack offsets (mutate-stackvar.ts)
  'stackvar-unbounded-index',
  'stackvar-unbounded-min',
  'stackvar-out-of-range',
  'stackvar-signed-upper-only',
  // more rules of the same features
  'pkt-signed-offset',
  'pkt-ptr-alu32',
  'pkt-ptr-bitwise',
  'pkt-ptr-mul',
  'pkt-end-arith',
  'pkt-ctx-modified',
  'pkt-ctx-write',
  'stackvar-misaligned',
  'stackvar-subtract-index',
  'sdiv-by-zero',
  'loop-no-progress',
  'map-ptr-alu',
  'sock-release-non-socket',
  'atomic-bad-size',
  'atomic-bad-op',
  'shift-out-of-range',
  'helper-unknown',
  // global functions with pointer arguments (mutate-global-ptr.ts)
  'global-mem-no-null-check',
  'global-mem-past-size',
  'global-mem-too-small',
  'global-ctx-not-ctx',
  'global-mem-nonnull-null',
  'global-mem-not-mem',
  'global-mem-returned',
  // malformed programs: the passes before the walk, and a subprogram's exit (mutate-malformed.ts)
  'fp-write',
  'jump-out-of-range',
  'falls-through',
  'unreachable-insn',
  'jump-into-ldimm64',
  'ldimm64-malformed',
  'ldimm64-bad-src',
  'insn-reserved-field',
  'recursive-call',
  'return-stack-pointer',
  'too-many-params',
  // pointer misuse (mutate-pointers.ts)
  'ctx-negative-off',
  'ctx-variable-off',
  'atomic-on-ctx',
  'pointer-spill-narrow',
  'stack-ptr-to-caller',
  // global functions with pointer arguments, packets (mutate-global-ptr.ts)
  'pkt-global-changes-data',
  // the skb's socket (mutate-sk.ts)
  'sk-write',
  'sk-bad-field',
  'sk-release-unreferenced',
  // direct map value loads (mutate-mapvalue.ts)
  'map-value-imm-hash',
  'map-value-imm-bad',
] as const;

export type MutationKind = (typeof MUTATION_KINDS)[number];

interface MutationRule {
  /** kernel function whose check the mutation targets */
  rule: string;
  /** what the mutation does, for people reading a finding */
  what: string;
}

const packetProg = (t: ProgType): boolean => t === 'sched_cls' || t === 'xdp';

export const MUTATION_RULES: Record<MutationKind, MutationRule> = {
  'missing-stack-arg-store': { rule: 'check_outgoing_stack_args', what: 'one outgoing stack-argument store before a call is dropped' },
  'extra-stack-arg-store': { rule: 'bpf_fixup_call_args', what: 'a function writes one more outgoing slot than any of its calls needs' },
  'call-between-store-and-call': { rule: 'invalidate_outgoing_stack_args', what: 'a helper call sits between the stack-argument stores and the call that needs them' },
  'no-restore-after-call': { rule: 'invalidate_outgoing_stack_args', what: 'a second call reuses the stack arguments stored for the first one' },
  'missing-store-after-unreliable': { rule: 'btf_check_subprog_call', what: 'a callee first gets a pointer where BTF says scalar (marking its BTF unreliable), then a call without its stack-argument stores' },
  'load-after-store': { rule: 'check_stack_arg_read', what: 'an r11 load of an incoming argument after an r11 store' },
  'load-after-call': { rule: 'check_stack_arg_read', what: 'an r11 load of an incoming argument after a call' },
  'load-past-incoming': { rule: 'check_stack_arg_read', what: 'an r11 load of a slot past the incoming arguments' },
  'store-past-max': { rule: 'check_stack_arg_write', what: 'an r11 store past the 7 outgoing slots' },
  'r11-bad-offset': { rule: 'check_and_resolve_insns', what: 'an r11 access with an offset of the wrong sign, zero or not a multiple of 8' },
  'r11-wrong-size': { rule: 'check_and_resolve_insns', what: 'an r11 access that is not a 64-bit MEM load/store' },
  'r11-misuse': { rule: 'check_and_resolve_insns', what: 'r11 used by an ALU or jump instruction' },
  'too-many-args': { rule: 'check_stack_arg_write', what: 'a call that stores a 13th argument (an 8th stack slot) for a 12-argument callee' },
  'global-many-args': { rule: 'btf_prepare_func_args', what: 'a global function with more than 5 arguments' },
  'too-deep': { rule: 'setup_func_entry', what: 'a call chain of 17 frames, past every kernel\'s limit (8 on 6.12, 16 from 7.2)' },
  'too-much-stack': { rule: 'check_max_stack_depth', what: 'a call chain whose combined stack passes 512 bytes' },
  'scalar-deref': { rule: 'check_mem_access', what: 'a scalar passed where the callee dereferences a pointer argument' },
  'map-no-null-check': { rule: 'check_mem_access', what: 'a hash map lookup\'s result dereferenced before its NULL check' },
  'map-value-past-end': { rule: 'check_map_access', what: 'a map value accessed past value_size or before 0, or through a mask one bit too wide' },
  'map-value-unbounded': { rule: 'check_reg_sane_offset', what: 'a map value pointer plus an index never bounded, or bounded only from above and signed' },
  'map-bad-key': { rule: 'check_reg_type', what: 'bpf_map_lookup_elem with a scalar key, a possibly-NULL map value as key, or a key running past the frame' },
  'map-update-uninit': { rule: 'check_stack_range_initialized', what: 'bpf_map_update_elem from a stack buffer never written, read back (accepted with CAP_PERFMON; the retval is unpredictable)' },
  'pkt-no-bounds-check': { rule: 'check_packet_access', what: 'a packet read with no comparison against data_end' },
  'pkt-check-one-short': { rule: 'check_packet_access', what: 'a packet read of N bytes after a bounds check of N - 1' },
  'pkt-access-past-check': { rule: 'check_packet_access', what: 'a packet read just past the checked range' },
  'pkt-unbounded-offset': { rule: 'check_reg_sane_offset', what: 'an unbounded scalar added to a packet pointer' },
  'alu-reserved-off': { rule: 'check_alu_fields', what: 'an ALU instruction other than div/mod with off 1 (the signed flag)' },
  'movsx-bad-width': { rule: 'check_alu_fields', what: 'a sign-extending move from a width other than 8, 16 or 32' },
  'bswap-bad-width': { rule: 'check_alu_fields', what: 'a byte swap of a width other than 16, 32 or 64, or with a source register or offset' },
  'ldsx-dw': { rule: 'bpf_opcode_in_insntable', what: 'a sign-extending load of 8 bytes (no such opcode)' },
  'helper-bad-arg': { rule: 'check_reg_type', what: 'a helper gets a scalar where a pointer goes, a stack pointer where the ctx goes, or a pointer where a size goes' },
  'helper-bad-size': { rule: 'check_mem_size_reg', what: 'a helper buffer smaller than its size argument, or a size never bounded, possibly negative or zero' },
  'helper-not-allowed': { rule: 'check_helper_call', what: 'a call of a helper the program type may not use, or of no helper at all' },
  'sock-leak': { rule: 'check_reference_leak', what: 'a socket looked up in main and never released' },
  'sock-release-unchecked': { rule: 'check_func_arg', what: 'bpf_sk_release of the lookup\'s result before its NULL check' },
  'sock-use-after-release': { rule: 'release_reference', what: 'a spilled copy of a released socket released again, or read' },
  'stackvar-unbounded-index': { rule: 'check_stack_access_within_bounds', what: 'a stack access at fp + base + an index never bounded (a u32 ctx field)' },
  'stackvar-unbounded-min': { rule: 'check_reg_sane_offset', what: 'fp plus an index with no lower bound (a ctx field shifted into the upper half)' },
  'stackvar-out-of-range': { rule: 'check_stack_access_within_bounds', what: 'a stack index bounded one step too far, so the access may reach past the frame' },
  'pkt-signed-offset': { rule: 'check_mem_region_access', what: 'a packet pointer moved by a sign-extended byte (maybe negative), then checked and read' },
  'pkt-ptr-alu32': { rule: 'adjust_ptr_min_max_vals', what: '32-bit arithmetic on the data pointer' },
  'pkt-ptr-bitwise': { rule: 'adjust_ptr_min_max_vals', what: 'a bitwise AND on the data pointer' },
  'pkt-ptr-mul': { rule: 'adjust_ptr_min_max_vals', what: 'a multiplication of the data pointer' },
  'pkt-end-arith': { rule: 'adjust_ptr_min_max_vals', what: 'data_end moved by a constant before the bounds check' },
  'pkt-ctx-modified': { rule: 'check_ptr_off_reg', what: 'the data field read through a ctx pointer moved by a constant' },
  'pkt-ctx-write': { rule: 'check_ctx_access', what: 'a store into the ctx\'s data or data_end field' },
  'stackvar-misaligned': { rule: 'check_ptr_alignment', what: 'an 8-byte stack access at an index not aligned to 8 (the stack is strictly aligned)' },
  'stackvar-subtract-index': { rule: 'adjust_ptr_min_max_vals', what: 'a bounded variable subtracted from the frame pointer' },
  'sdiv-by-zero': { rule: 'check_alu_op', what: 'a (signed) division or modulo by an immediate 0' },
  'loop-no-progress': { rule: 'is_state_visited', what: 'a loop on a signed counter that never changes' },
  'stackvar-signed-upper-only': { rule: 'check_reg_sane_offset', what: 'a stack index bounded only by a signed JMP32 upper bound, then sign-extended' },
  'map-ptr-alu': { rule: 'adjust_ptr_min_max_vals', what: 'ALU on a map value pointer the verifier refuses: bitwise, multiply, 32-bit, pointer from scalar, pointer + pointer, or before the NULL check' },
  'sock-release-non-socket': { rule: 'check_reg_type', what: 'bpf_sk_release of a stack pointer, the ctx or a map value' },
  'atomic-bad-size': { rule: 'check_atomic_rmw', what: 'an atomic add, fetch-add or xchg on 1 or 2 bytes of the stack' },
  'atomic-bad-op': { rule: 'check_atomic', what: 'an atomic whose operation code is no atomic operation' },
  'shift-out-of-range': { rule: 'check_alu_op', what: 'a shift by an immediate of the register\'s width or more' },
  'helper-unknown': { rule: 'check_helper_call', what: 'a call of a helper id past the last helper' },
  'global-mem-no-null-check': { rule: 'check_mem_access', what: 'a global function reads its memory argument (PTR_TO_MEM, may be NULL) before testing it for NULL' },
  'global-mem-past-size': { rule: 'check_mem_region_access', what: 'a global function accesses its memory argument past the size its BTF declares' },
  'global-mem-too-small': { rule: 'check_mem_reg', what: 'a caller passes less stack than a global function\'s memory argument declares' },
  'global-ctx-not-ctx': { rule: 'btf_check_func_arg_match', what: 'a caller passes a scalar, a stack pointer or a moved ctx where a global function takes the ctx' },
  'global-mem-nonnull-null': { rule: 'btf_check_func_arg_match', what: 'a caller passes NULL for an arg:nonnull memory argument (6.12 accepts it and oopses at run time)' },
  'global-mem-not-mem': { rule: 'check_mem_reg', what: 'a caller passes a non-NULL scalar or the ctx for a memory argument' },
  'global-mem-returned': { rule: 'process_bpf_exit_full', what: 'a global function returns its memory argument' },
  'pkt-global-changes-data': { rule: 'btf_check_func_arg_match', what: 'a caller passes checked packet bytes for the memory argument of a global function that may move packet data (skb_pull_data, xdp_adjust_head)' },
  'fp-write': { rule: 'check_reg_arg', what: 'a move, ALU operation or load into r10' },
  'jump-out-of-range': { rule: 'check_subprogs', what: 'a conditional jump past the end (or before the start) of its function' },
  'falls-through': { rule: 'check_subprogs', what: 'a function whose last instruction is a move after its exit' },
  'unreachable-insn': { rule: 'bpf_check_cfg', what: 'an instruction jumped over by an unconditional jump, so no path reaches it' },
  'jump-into-ldimm64': { rule: 'bpf_check_cfg', what: 'a conditional jump landing on the second half of an ld_imm64' },
  'ldimm64-malformed': { rule: 'check_and_resolve_insns', what: 'an ld_imm64 whose second half is an instruction, or with a nonzero offset' },
  'ldimm64-bad-src': { rule: 'resolve_pseudo_ldimm64', what: 'an ld_imm64 with an unknown source register, or a map by index with no fd_array' },
  'insn-reserved-field': { rule: 'check_insn_fields', what: 'a may_goto with an immediate, or an address-space cast between spaces other than 0 and 1' },
  'recursive-call': { rule: 'sort_subprogs_topo', what: 'a function that calls itself' },
  'return-stack-pointer': { rule: 'prepare_func_exit', what: 'a subprogram that returns a pointer to its own stack (static), or any pointer (global)' },
  'too-many-params': { rule: 'btf_prepare_func_args', what: 'a callee whose prototype has 13 or more parameters' },
  'ctx-negative-off': { rule: 'check_ptr_off_reg', what: 'a ctx field read through a copy of the ctx moved back by a constant' },
  'ctx-variable-off': { rule: 'check_ptr_off_reg', what: 'a ctx field read through a copy of the ctx moved by a masked variable' },
  'atomic-on-ctx': { rule: 'check_atomic', what: 'an atomic add, fetch-add or xchg on a ctx field' },
  'pointer-spill-narrow': { rule: 'check_stack_write_fixed_off', what: 'a stack pointer spilled with a 4-, 2- or 1-byte store' },
  'sk-write': { rule: 'check_sock_access', what: 'a store into the sock_common of ctx->sk' },
  'sk-bad-field': { rule: 'check_sock_access', what: 'a read of a bpf_sock field a sock_common does not have (type, protocol, mark, priority)' },
  'sk-release-unreferenced': { rule: 'check_func_arg', what: 'bpf_sk_release of ctx->sk, which the program holds no reference to' },
  'map-value-imm-hash': { rule: 'resolve_pseudo_ldimm64', what: 'ld_imm64 of a hash map\'s value (BPF_PSEUDO_MAP_VALUE), which only arrays have' },
  'map-value-imm-bad': { rule: 'resolve_pseudo_ldimm64', what: 'ld_imm64 of a map value at an offset at or past value_size, or of an array of several elements' },
  'stack-ptr-to-caller': { rule: 'check_stack_write_fixed_off', what: 'a callee stores a pointer to its own stack through the stack pointer its caller passed' },
};

/** The generator option a mutation kind needs above 0 to be drawn (its feature makes its maps, helpers or sockets). */
export const MUTATION_FEATURE: Partial<Record<MutationKind, keyof FeatureRates>> = {
  'atomic-bad-size': 'atomicOpsRate',
  'atomic-bad-op': 'atomicOpsRate',
  'shift-out-of-range': 'atomicOpsRate',
  'helper-unknown': 'helperRate',
  'map-no-null-check': 'mapRate',
  'map-value-past-end': 'mapRate',
  'map-value-unbounded': 'mapRate',
  'map-bad-key': 'mapRate',
  'map-update-uninit': 'mapRate',
  'pkt-no-bounds-check': 'packetRate',
  'pkt-check-one-short': 'packetRate',
  'pkt-access-past-check': 'packetRate',
  'pkt-unbounded-offset': 'packetRate',
  'alu-reserved-off': 'sdivRate',
  'movsx-bad-width': 'movsxRate',
  'bswap-bad-width': 'bswapRate',
  'ldsx-dw': 'ldsxRate',
  'helper-bad-arg': 'helperRate',
  'helper-bad-size': 'helperRate',
  'helper-not-allowed': 'helperRate',
  'sock-leak': 'socketRate',
  'sock-release-unchecked': 'socketRate',
  'sock-use-after-release': 'socketRate',
  'stackvar-unbounded-index': 'stackVarRate',
  'stackvar-unbounded-min': 'stackVarRate',
  'stackvar-out-of-range': 'stackVarRate',
  'stackvar-signed-upper-only': 'signedCmpRate',
  'pkt-signed-offset': 'packetRate',
  'pkt-ptr-alu32': 'packetRate',
  'pkt-ptr-bitwise': 'packetRate',
  'pkt-ptr-mul': 'packetRate',
  'pkt-end-arith': 'packetRate',
  'pkt-ctx-modified': 'packetRate',
  'pkt-ctx-write': 'packetRate',
  'stackvar-misaligned': 'stackVarRate',
  'stackvar-subtract-index': 'stackVarRate',
  'sdiv-by-zero': 'sdivRate',
  'loop-no-progress': 'signedCmpRate',
  'map-ptr-alu': 'mapRate',
  'sock-release-non-socket': 'socketRate',
  'global-mem-no-null-check': 'globalPtrArgRate',
  'global-mem-past-size': 'globalPtrArgRate',
  'global-mem-too-small': 'globalPtrArgRate',
  'global-ctx-not-ctx': 'globalPtrArgRate',
  'global-mem-nonnull-null': 'globalPtrArgRate',
  'global-mem-not-mem': 'globalPtrArgRate',
  'global-mem-returned': 'globalPtrArgRate',
  'pkt-global-changes-data': 'globalPtrArgRate',
  'fp-write': 'ptrArithRate',
  'pointer-spill-narrow': 'ptrArithRate',
  'stack-ptr-to-caller': 'ptrArithRate',
  'return-stack-pointer': 'ptrArithRate',
  'jump-out-of-range': 'jumpLayoutRate',
  'falls-through': 'jumpLayoutRate',
  'unreachable-insn': 'jumpLayoutRate',
  'jump-into-ldimm64': 'jumpLayoutRate',
  'recursive-call': 'jumpLayoutRate',
  'too-many-params': 'jumpLayoutRate',
  'ldimm64-malformed': 'mapRate',
  'ldimm64-bad-src': 'mapRate',
  'insn-reserved-field': 'movsxRate',
  'ctx-negative-off': 'ctxWriteRate',
  'ctx-variable-off': 'ctxWriteRate',
  'atomic-on-ctx': 'ctxWriteRate',
  'sk-write': 'skbSkRate',
  'sk-bad-field': 'skbSkRate',
  'sk-release-unreferenced': 'skbSkRate',
  'map-value-imm-hash': 'mapValueImmRate',
  'map-value-imm-bad': 'mapValueImmRate',
};

/** Kinds that need direct packet access, which only sched_cls and xdp programs have. */
const PACKET_ONLY = new Set<MutationKind>(MUTATION_KINDS.filter((k) => k.startsWith('pkt-')));

/**
 * Kinds whose instruction has no text form (reserved fields, an opcode that does not exist, a helper
 * with no name): the
 * kernel's log and our disassembler print something the assembler cannot read back.
 */
export const RAW_ONLY_MUTATIONS: ReadonlySet<MutationKind> = new Set<MutationKind>(['alu-reserved-off', 'movsx-bad-width', 'bswap-bad-width', 'ldsx-dw', 'atomic-bad-size', 'atomic-bad-op', 'helper-unknown', 'ldimm64-malformed', 'ldimm64-bad-src', 'insn-reserved-field']);

/**
 * The kinds of `o.mutations` that can be drawn for a program of type `progType`: a feature's kinds
 * only while its rate is above 0, so a seed gives the same programs without the feature.
 */
export function drawableMutations(o: GenOptions, progType: ProgType): MutationKind[] {
  return o.mutations.filter((m) => {
    const f = MUTATION_FEATURE[m];
    return (f === undefined || o[f] > 0) && (!PACKET_ONLY.has(m) || packetProg(progType)) && (!m.startsWith('sk-') || skbSkTypes(progType));
  });
}

export function isMutationKind(name: string): name is MutationKind {
  return (MUTATION_KINDS as readonly string[]).includes(name);
}
