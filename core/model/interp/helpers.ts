// Helper calls (BPF_CALL with src_reg 0): a table from helper id to an implementation.
// Only helpers whose effect the model can state exactly are here; the rest raise
// InterpUnsupported so a run never silently guesses.
import type { Loaded, Provenance } from './memory.ts';

export interface HelperCall {
  /** r1..r5 at the call */
  args: readonly Loaded[];
  /** record that the run's result is not reproducible on a real kernel */
  markUnpredictable(why: string): void;
}

export interface HelperImpl {
  name: string;
  run(call: HelperCall): Loaded;
}

export type HelperTable = ReadonlyMap<number, HelperImpl>;

const nondeterministic = (name: string, why: string): HelperImpl => ({
  name,
  run() {
    const prov: Provenance = { kind: 'taint', why: `${name}() ${why}` };
    return { value: 0n, prov };
  },
});

/** The helpers every run has; callers may pass their own table to execute(). */
export const DEFAULT_HELPERS: HelperTable = new Map<number, HelperImpl>([
  [5, nondeterministic('bpf_ktime_get_ns', 'reads a clock')],
  [7, nondeterministic('bpf_get_prandom_u32', 'returns a random number')],
  [8, nondeterministic('bpf_get_smp_processor_id', 'depends on the CPU the test run lands on')],
  [125, nondeterministic('bpf_ktime_get_boot_ns', 'reads a clock')],
  [160, nondeterministic('bpf_ktime_get_coarse_ns', 'reads a clock')],
  [42, { name: 'bpf_get_numa_node_id', run: () => ({ value: 0n }) }], // the guest has one NUMA node
]);
