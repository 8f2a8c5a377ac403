// engine/: the differential engine every caller shares (CLI, workers, benchmarks): kernel
// targets from the catalog, a lazily booted VM pool per kernel, batches, campaigns,
// reductions, the corpus. It may import core/, kernel/ and config/.
export { Engine, type CampaignParams, type CampaignProgress, type CampaignResult, type CheckResult, type EngineOptions, type ReduceParams, type ReduceProgress } from './engine.ts';
export { UnknownKernelError, predictedKernels, resolveKernels, type ResolvedKernel } from './targets.ts';
export { DEFAULT_CORPUS_DIR, loadCorpus, type CorpusEntry } from './corpus.ts';
export type { PoolSettings, PoolState, Priority } from './pools.ts';
