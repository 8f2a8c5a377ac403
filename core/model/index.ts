// core/model: the executable model of the kernel's BPF verifier (and, in interp/, its test run).
export { verify, check } from './verify.ts';
export type { Reg } from './state.ts';
export { PROFILES, PROFILE_IDS, resolveProfile, type Profile, type ProfileId } from './profile.ts';
export { traceModel } from './walk-log.ts';
export { MODEL_RULES, type ModelRule } from './coverage.ts';
