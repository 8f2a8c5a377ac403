// Mutation kinds: each breaks exactly one kernel rule of the stack-argument feature (or a
// general call-graph limit next to it) in an otherwise valid program. `rule` names the kernel
// function that enforces it; `expect` is the reason line the 7.2 verifier prints for it.

export const MUTATION_KINDS = [
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
  // maps (drawn only while mapRate > 0; mutate-maps.ts)
  'map-no-null-check',
  'map-value-past-end',
  'map-value-unbounded',
  'map-bad-key',
  'map-update-uninit',
] as const;

export type MutationKind = (typeof MUTATION_KINDS)[number];

interface MutationRule {
  /** kernel function whose check the mutation targets */
  rule: string;
  /** what the mutation does, for people reading a finding */
  what: string;
}

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
};

/** The generator option a mutation kind needs above 0 to be drawn (its feature makes its maps, helpers or sockets). */
export const MUTATION_FEATURE: Partial<Record<MutationKind, 'mapRate'>> = {
  'map-no-null-check': 'mapRate',
  'map-value-past-end': 'mapRate',
  'map-value-unbounded': 'mapRate',
  'map-bad-key': 'mapRate',
  'map-update-uninit': 'mapRate',
};

export function isMutationKind(name: string): name is MutationKind {
  return (MUTATION_KINDS as readonly string[]).includes(name);
}
