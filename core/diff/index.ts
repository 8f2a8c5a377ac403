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
  resolveKernelTarget,
  runBatch,
  type BatchResult,
  type Divergence,
  type KernelRunner,
  type KernelTarget,
  type ModelVerify,
  type RunBatchOptions,
  type SignatureSummary,
} from './run-batch.ts';
export { modelRunner, modelVerify } from './model.ts';
export { reduceProgram, signatureOracle, type ReduceOptions, type ReduceOracle, type ReduceResult } from './reduce.ts';
export { parseVerifierLog, btfLogReason, boundVerifierLog, LOG_KEEP_BYTES, type VerifierLogFacts } from './verifier-log.ts';
export { consoleTitle, isGenericFrame, type ConsoleTitle } from './console-title.ts';
