// The one shape of a result, from a batch to the store, the API, the CLI's files and the
// dashboard: a Finding is one divergence of one program (as bpfdiff.program/v1 JSON, so it
// serializes as it is), with its index in the campaign, its signature and both outcomes; a
// BatchResult is the counts of a batch (or a campaign) and its findings; a Reduction is the
// smallest program found that still shows a finding's signature.
import type { Outcome, ProgramJson } from '../program/index.ts';
import { DIVERGENCE_CLASSES, type DivergenceClass } from './compare.ts';
import type { FirstDisagreement } from './first-disagreement.ts';
import type { ProgramCoverage } from '../guided/coverage.ts';

/** A kernel id and the model profile that predicts it. */
/** `7.2@Haswell` → ['7.2', 'Haswell']: a kernel id may name its guests' QEMU CPU model after an @ */
export function splitCpu(id: string): [string, string | undefined] {
  const m = /^(.+)@([A-Za-z][A-Za-z0-9_.-]*)$/.exec(id);
  return m ? [m[1]!, m[2]!] : [id, undefined];
}

export interface KernelTarget {
  id: string;
  profile: string;
  /** QEMU CPU model of the guests (default qemu64): part of the kernel's identity for the JIT */
  cpu?: string;
}

export interface Finding {
  signature: string;
  class: DivergenceClass;
  /** kernel id; for cross-kernel, `a~b` */
  kernel: string;
  /** the profile that made the prediction; for cross-kernel, `pa~pb` */
  profile: string;
  /** position of the program in its campaign (in its batch for a lone batch) */
  index: number;
  program: ProgramJson;
  model: Outcome;
  actual: Outcome;
  mutation?: string;
  detail: string;
  /**
   * verdict and reason divergences: where the model's beliefs and the kernel's (its log at
   * level 2, obtained by loading the program once more) first part ways
   */
  firstDisagreement?: FirstDisagreement;
}

export interface Reduction {
  program: ProgramJson;
  /** the kernel label of the finding reduced (`a~b` for cross-kernel) */
  kernel: string;
  originalInsns: number;
  reducedInsns: number;
  /** candidate programs checked on the kernels */
  checks?: number;
  /** the reducer's accepted steps, in order */
  steps?: string[];
  /** the outcomes of the reduced program (the divergence as it shows there) */
  model?: Outcome;
  actual?: Outcome;
  /** the verifier log of the reduced program at level 2 (every state) on the first kernel */
  logLevel2?: string;
  /** where the model's beliefs and that log first part ways, for a verdict or reason divergence */
  firstDisagreement?: FirstDisagreement;
}

export interface BatchResult {
  programs: number;
  /** programs on which every kernel agreed with its profile's prediction */
  agreed: number;
  byClass: Record<DivergenceClass, number>;
  divergences: Finding[];
  /** kernel pairs that differed exactly as their profiles predicted (e.g. 6.12 rejects r11, 7.2 accepts) */
  expectedCrossKernel: number;
  /** wall time spent in the model and waiting for the kernels, milliseconds */
  timing: { modelMs: number; kernelMs: number };
  /** guests restarted while this batch ran (crashes, hangs) */
  vmRestarts: number;
  /** per program, in batch order, when the batch was asked for coverage (not merged: a campaign folds it in order) */
  coverage?: ProgramCoverage[];
  /** the soundness oracle's share of the batch, when it ran (soundness-stage.ts) */
  soundness?: SoundnessStats;
}

export interface SoundnessStats {
  /** (program, kernel) pairs loaded a second time at log level 2 and compared */
  programs: number;
  /** register values compared with a kernel belief */
  values: number;
  /** pairs whose run was followed to its end (past pruning points, into the walks that covered them) */
  complete: number;
  /** host time parsing logs and running the interpreter, and wall time of the second loads, ms */
  hostMs: number;
  kernelMs: number;
}

export interface SignatureSummary {
  signature: string;
  class: DivergenceClass;
  count: number;
  kernels: string[];
  /** the first instance, as the reproducer to keep */
  example: Finding;
}

function emptyByClass(): Record<DivergenceClass, number> {
  return Object.fromEntries(DIVERGENCE_CLASSES.map((c) => [c, 0])) as Record<DivergenceClass, number>;
}

export function emptyBatchResult(): BatchResult {
  return { programs: 0, agreed: 0, byClass: emptyByClass(), divergences: [], expectedCrossKernel: 0, timing: { modelMs: 0, kernelMs: 0 }, vmRestarts: 0 };
}

/** Adds one batch's counts to a running total (for campaigns made of many batches). */
export function mergeBatchResults(into: BatchResult, from: BatchResult): BatchResult {
  into.programs += from.programs;
  into.agreed += from.agreed;
  for (const c of DIVERGENCE_CLASSES) into.byClass[c] += from.byClass[c];
  into.divergences.push(...from.divergences);
  into.expectedCrossKernel += from.expectedCrossKernel;
  into.timing.modelMs += from.timing.modelMs;
  into.timing.kernelMs += from.timing.kernelMs;
  into.vmRestarts += from.vmRestarts;
  if (from.soundness) {
    const t = (into.soundness ??= { programs: 0, values: 0, complete: 0, hostMs: 0, kernelMs: 0 });
    t.programs += from.soundness.programs;
    t.values += from.soundness.values;
    t.complete += from.soundness.complete;
    t.hostMs += from.soundness.hostMs;
    t.kernelMs += from.soundness.kernelMs;
  }
  return into;
}

/** Divergences grouped by signature, most frequent first. */
export function aggregateDivergences(divergences: readonly Finding[]): SignatureSummary[] {
  const by = new Map<string, SignatureSummary>();
  for (const d of divergences) {
    const s = by.get(d.signature);
    if (s) {
      s.count++;
      if (!s.kernels.includes(d.kernel)) s.kernels.push(d.kernel);
    } else by.set(d.signature, { signature: d.signature, class: d.class, count: 1, kernels: [d.kernel], example: d });
  }
  return [...by.values()].sort((a, b) => b.count - a.count || a.signature.localeCompare(b.signature));
}
