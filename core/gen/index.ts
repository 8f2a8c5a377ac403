// core/gen: seeded random multi-argument call graphs and the mutations that break one
// stack-argument rule each. The same seed and options give byte-identical programs.
export { Prng } from './prng.ts';
export { DEFAULT_GEN_OPTIONS, checkGenOptions, resolveGenOptions, type GenOptions } from './options.ts';
export { MUTATION_KINDS, MUTATION_RULES, isMutationKind, type MutationKind, type MutationRule } from './mutations.ts';
export { GENERATOR_ID, generateProgram, generatePrograms, type ArgKind, type GeneratedProgramMeta } from './generate.ts';
export { parseGenOptions, GEN_OPTION_NAMES, type GenOptionProblem } from './user-options.ts';
