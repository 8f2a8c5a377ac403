// The concrete interpreter: what an accepted program returns from BPF_PROG_TEST_RUN.
export { execute } from './execute.ts';
export { InterpFault, InterpStepLimit, InterpUnsupported, TestRunRejected } from './errors.ts';
export { DEFAULT_HELPERS, type HelperCall, type HelperImpl, type HelperMemory, type HelperTable } from './helpers.ts';
export { MapStore } from './maps.ts';
export { aluResult, endianResult } from './alu.ts';
export type { Loaded, Provenance } from './memory.ts';
