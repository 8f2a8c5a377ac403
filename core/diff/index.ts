// core/diff: model-vs-kernel comparison, divergence classes and signatures, the batch runner
// (against the KernelRunner interface, so core never imports kernel/), and the reducer.
export {
  CONSOLE_CLASSES,
  compareOutcomes,
  divergenceSignature,
  signatureId,
  signatureTitle,
  type DivergenceClass,
} from './compare.ts';
export {
  aggregateDivergences,
  emptyBatchResult,
  mergeBatchResults,
  splitCpu,
  type BatchResult,
  type Finding,
  type KernelTarget,
  type Reduction,
  type SignatureSummary,
} from './finding.ts';
export { runBatch, type KernelRunner, type RunBatchOptions } from './run-batch.ts';
export { modelRunner, modelVerify } from './model.ts';
export { reduceProgram, signatureOracle } from './reduce.ts';
export { consoleTitle } from './console-title.ts';
export { explainFindings, explainWithLog, judgedDifferently } from './explain.ts';
export type { FirstDisagreement } from './first-disagreement.ts';
