// engine/: the differential engine every caller shares (CLI, workers, benchmarks): kernel
// targets from the catalog, a lazily booted VM pool per kernel, batches, campaigns,
// reductions, the corpus. It may import core/, kernel/ and config/.
export { DEFAULT_SOUNDNESS_RATE, Engine, type CampaignProgress, type CampaignResult, type CheckedOutcome } from './engine.ts';
export { UnknownKernelError, predictedKernels } from './targets.ts';
export type { PoolSettings, PoolState } from './pools.ts';
