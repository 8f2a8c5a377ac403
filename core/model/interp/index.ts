// The concrete interpreter: what an accepted program returns from BPF_PROG_TEST_RUN.
export { execute } from './execute.ts';
export type { Provenance } from './memory.ts';
export { InterpFault, InterpStepLimit, InterpUnsupported, TestRunRejected } from './errors.ts';
export { DEFAULT_HELPERS, HELPERS_6_12 } from './helpers.ts';
export { MapStore } from './maps.ts';
export { aluResult } from './alu.ts';
