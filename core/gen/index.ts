// core/gen: seeded random multi-argument call graphs and the mutations that break one
// stack-argument rule each. The same seed and options give byte-identical programs.
export { Prng } from './prng.ts';
export { DEFAULT_GEN_OPTIONS, GEN_PRESET_NAMES, checkGenOptions, resolveGenOptions, type GenOptions } from './options.ts';
export { FEATURE_RATES } from './features.ts';
export { MUTATION_FEATURE, MUTATION_KINDS, RAW_ONLY_MUTATIONS, isMutationKind, type MutationKind } from './mutations.ts';
export { generateProgram, generatePrograms } from './generate.ts';
export { parseGenOptions } from './user-options.ts';
