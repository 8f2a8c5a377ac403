// core/diff: model-vs-kernel comparison, divergence classes and signatures, the batch runner
// (against the KernelRunner interface, so core never imports kernel/), and the reducer.
export {
  CONSOLE_CLASSES,
  DIVERGENCE_CLASSES,
  compareOutcomes,
  consoleHeadline,
  divergenceSignature,
  normalizeReason,
  outcomeKey,
  signatureId,
  signatureTitle,
  type DivergenceClass,
  type OutcomeDifference,
} from './compare.ts';
export {
  aggregateDivergences,
  emptyBatchResult,
  emptyByClass,
  mergeBatchResults,
  splitCpu,
  type BatchResult,
  type Finding,
  type KernelTarget,
  type Reduction,
  type SignatureSummary,
} from './finding.ts';
export { runBatch, type KernelRunner, type ModelVerify, type RunBatchOptions } from './run-batch.ts';
export { modelRunner, modelVerify } from './model.ts';
export { reduceProgram, signatureOracle, type ReduceOptions, type ReduceOracle, type ReduceResult } from './reduce.ts';
export { consoleTitle, isGenericFrame, type ConsoleTitle } from './console-title.ts';
