// Kernel versions as data: which features a verifier has, its limits and the message texts that
// differ between versions. The kernel id → profile table is what `bpfdiff model --profile` resolves.

export type ProfileId = 'linux-6.12' | 'linux-7.2' | 'linux-7.3' | 'next';

export interface Profile {
  id: ProfileId;
  features: {
    /** functions with more than 5 arguments through the r11 stack-argument area */
    stackArgs: boolean;
    /** register number that addresses the stack-argument area (BPF_REG_PARAMS) */
    stackArgReg: number;
    /** bpf_csum_diff folds its result to 16 bits (7.x; 6.12 returns the 32-bit sum) */
    csumDiffFolds: boolean;
    /** 7.x checks register numbers and reserved fields for every insn before the walk
     *  (check_and_resolve_insns); 6.12 checks them when the walk reaches the insn */
    insnFieldsCheckedBeforeWalk: boolean;
    /** scalar ranges as circular numbers (cnum, 7.2+) rather than four min/max pairs; without them
     *  scalars are tracked as 6.12 does: a multiplication is bounded for non-negative factors only
     *  (scalar_min_max_mul), NEG, END, DIV and MOD leave an unknown scalar */
    cnumBounds: boolean;
    /** 7.3+: a structured "Verification failed:" report follows the reason line */
    structuredReport: boolean;
    /** instruction set version the verifier accepts (cpu=v4: sdiv/smod, movsx, ldsx, bswap, ja32) */
    isaVersion: number;
    /** an array lookup with a constant in-range key returns a pointer that is never NULL (can_elide_value_nullness) */
    constKeyArrayLookupNotNull: boolean;
    /** a ctx pointer is among the memory a helper argument accepts (mem_types has PTR_TO_CTX) */
    ctxAsHelperMemory: boolean;
    /**
     * check_packet_access reports a failed range check with check_mem_region_access's own lines
     * (7.x); before, it ended with `R%d offset is outside of the packet` for any failure
     */
    packetAccessAsMemRegion: boolean;
    /** 6.12 kept a pointer's constant offset in reg->off apart from var_off, and prints both
     *  (`var_off=(0x0; 0xf) off=-16`, `misaligned stack access off (0x0; 0xf)+-16+0 size 8`) */
    ptrFixedOff: boolean;
    /**
     * btf_check_func_arg_match refuses a known NULL (a zero scalar) for an `arg:nonnull` memory
     * argument (bpf_register_is_null, 7.x). 6.12.117 checks only may-be-NULL pointer types, so it
     * accepts NULL there and the callee dereferences it at run time (measured: a kernel oops)
     */
    nonnullArgRejectsNull: boolean;
    /** 7.x: is_state_visited clears the ids of singular scalars on each state it keeps
     *  (bpf_clear_singular_ids); 6.12 keeps them, so later ids are numbered differently */
    clearSingularIds: boolean;
    /**
     * 7.x finds dead registers before the walk (bpf_compute_live_registers, on the program
     * bpf_prune_dead_branches left) and clears them in the current state at each prune point; 6.12
     * skips, in an explored state whose paths all ended, the registers no explored path read (read
     * marks). Without this the model does the latter with the registers no CFG path reads, a
     * superset of 6.12's (live-regs.ts). The same table limits which registers a conditional jump
     * links (collect_linked_regs gathers live ones only, before deciding the branch; linked-regs.ts)
     */
    liveRegsFolded: boolean;
    /**
     * 7.x's bounds refinements: reg_bounds_sync on cnum arcs with __update_reg64_bounds's
     * single tnum/u64 overlap point (tnum_step) and cnum64_cnum32_intersect, and
     * is_scalar_branch_taken ending with simulate_both_branches_taken (an edge whose refined bounds
     * are empty is dead). 6.12 keeps four min/max pairs (__reg32/64_deduce_bounds,
     * __reg_deduce_mixed_bounds), decides a branch by the ranges only, and on an edge whose bounds
     * break an invariant (REG INVARIANTS VIOLATION) marks the register unbounded and walks on
     * (reg_set_min_max, reg_bounds_sanity_check): scalar/bounds-612.ts
     */
    boundsSync7x: boolean;
    /** load-acquire and store-release (BPF_ATOMIC imm BPF_LOAD_ACQ/BPF_STORE_REL, 6.15+); 6.12's
     *  check_atomic calls them an invalid atomic opcode */
    atomicLoadStore: boolean;
    /** sk_filter_func_proto and tc_cls_act_func_proto offer bpf_get_netns_cookie (7.x; 6.12 refuses it) */
    netnsCookieInSkbProgs: boolean;
    /**
     * 7.x: a cast (bpf_tcp_sock, bpf_sk_fullsock, bpf_skc_to_*) of a referenced socket is the same
     * reference: R0 is not NULL and takes the argument's id, and the NULL result is a branch of its
     * own (check_helper_call, is_ptr_cast_function). 6.12 gave R0 the reference as ref_obj_id
     * beside a fresh id instead (Reg.refObjId)
     */
    ptrCastSharesRefId: boolean;
  };
  limits: {
    maxCallFrames: number;
    maxStackBytes: number;
    /** BPF_COMPLEXITY_LIMIT_INSNS */
    complexityInsns: number;
    maxSubprogs: number;
    /** MAX_BPF_FUNC_REG_ARGS */
    maxRegArgs: number;
    /** MAX_BPF_FUNC_ARGS: 12 with stack arguments, 5 before */
    maxFuncArgs: number;
    /** BPF_COMPLEXITY_LIMIT_JMP_SEQ: pending branch states */
    maxJmpSeq: number;
    /** LINKED_REGS_MAX: registers a conditional jump links (7.x 5: a 4-bit frame number in each entry; 6.12 6) */
    linkedRegsMax: number;
  };
  messages: {
    /** a reference still held at the main program's exit ({id}, {insn}: see leakedReference) */
    referenceLeakAtExit: string;
    /**
     * which held reference the leak line names: 6.12 prints a line for each (the reason is the last
     * one), 7.3 reports the first and stops
     */
    leakedReference: 'first' | 'last';
    /** a pointer the program holds no reference to, passed to a release helper ({helper}, {reg}) */
    releaseUnreferenced: string;
    /** an LD_ABS/LD_IND in main while a reference is held (check_ld_abs; {id}, {insn} as referenceLeakAtExit) */
    ldAbsReferenceLeak: string;
    /** how check_stack_access_within_bounds names a helper's access to the stack ({rw}: `read from` or `write to`) */
    helperStackAccess: string;
  };
}

const base7: Profile = {
  id: 'linux-7.2',
  features: {
    stackArgs: true, stackArgReg: 11, csumDiffFolds: true, insnFieldsCheckedBeforeWalk: true, cnumBounds: true, structuredReport: false, isaVersion: 4,
    constKeyArrayLookupNotNull: true, ctxAsHelperMemory: true, packetAccessAsMemRegion: true, ptrFixedOff: false,
    nonnullArgRejectsNull: true, clearSingularIds: true, liveRegsFolded: true, atomicLoadStore: true, boundsSync7x: true,
    netnsCookieInSkbProgs: true, ptrCastSharesRefId: true,
  },
  limits: { maxCallFrames: 16, maxStackBytes: 512, complexityInsns: 1_000_000, maxSubprogs: 256, maxRegArgs: 5, maxFuncArgs: 12, maxJmpSeq: 8192, linkedRegsMax: 5 },
  messages: {
    referenceLeakAtExit: 'BPF_EXIT instruction in main prog would lead to reference leak',
    ldAbsReferenceLeak: 'BPF_LD_[ABS|IND] would lead to reference leak',
    leakedReference: 'last',
    releaseUnreferenced: 'release helper {helper} expects referenced PTR_TO_BTF_ID passed to {reg}',
    helperStackAccess: '{rw}',
  },
};

export const PROFILES: Record<ProfileId, Profile> = {
  'linux-6.12': {
    id: 'linux-6.12',
    features: {
      ...base7.features, stackArgs: false, csumDiffFolds: false, insnFieldsCheckedBeforeWalk: false, cnumBounds: false,
      constKeyArrayLookupNotNull: false, ctxAsHelperMemory: false, packetAccessAsMemRegion: false, ptrFixedOff: true,
      nonnullArgRejectsNull: false, clearSingularIds: false, liveRegsFolded: false, atomicLoadStore: false, boundsSync7x: false,
      netnsCookieInSkbProgs: false, ptrCastSharesRefId: false,
    },
    limits: { ...base7.limits, maxFuncArgs: 5, maxCallFrames: 8, linkedRegsMax: 6 },
    // seen on Debian's 6.12 kernel; its other texts for maps, helpers, packets and references are assumed to be 7.2's
    messages: {
      ...base7.messages,
      referenceLeakAtExit: 'Unreleased reference id={id} alloc_insn={insn}',
      ldAbsReferenceLeak: 'BPF_LD_[ABS|IND] cannot be mixed with socket references',
      releaseUnreferenced: '{reg} must be referenced when passed to release function',
      helperStackAccess: 'indirect access to',
    },
  },
  'linux-7.2': base7,
  'linux-7.3': {
    id: 'linux-7.3',
    features: { ...base7.features, structuredReport: true },
    limits: { ...base7.limits },
    messages: { ...base7.messages, referenceLeakAtExit: 'Unreleased reference id={id} alloc_insn={insn}', leakedReference: 'first', ldAbsReferenceLeak: 'Unreleased reference id={id} alloc_insn={insn}' },
  },
  next: {
    id: 'next',
    features: { ...base7.features, structuredReport: true },
    limits: { ...base7.limits },
    messages: { ...base7.messages, referenceLeakAtExit: 'Unreleased reference id={id} alloc_insn={insn}', leakedReference: 'first', ldAbsReferenceLeak: 'Unreleased reference id={id} alloc_insn={insn}' },
  },
};


export const PROFILE_IDS = Object.keys(PROFILES) as ProfileId[];

/**
 * A profile by its id, or by the short name of a release profile (`7.2` for `linux-7.2`, as the
 * kernel catalog writes it); undefined when neither. Which kernel a profile predicts is the
 * catalog's business (engine/targets.ts), not this module's.
 */
export function resolveProfile(name: string): Profile | undefined {
  if (name in PROFILES) return PROFILES[name as ProfileId];
  const long = `linux-${name}`;
  return long in PROFILES ? PROFILES[long as ProfileId] : undefined;
}
