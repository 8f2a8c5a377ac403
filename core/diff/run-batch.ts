// The differential runner: every program through the model (once per kernel profile) and
// through every kernel, then each disagreement as a Divergence with a dedup signature.
// It knows kernels only through the KernelRunner interface; core never imports kernel/.
import type { Outcome, Program } from '../program/index.ts';
import { KERNEL_PROFILE } from '../model/index.ts';
import {
  compareOutcomes,
  DIVERGENCE_CLASSES,
  divergenceSignature,
  normalizeReason,
  outcomeKey,
  type DivergenceClass,
} from './compare.ts';

/** Runs programs on one real kernel; outcomes come back in input order. */
export interface KernelRunner {
  run(programs: Program[], kernelId: string): Promise<Outcome[]>;
}

/** The model: what the kernel described by `profile` does with `program` (retval included). */
export type ModelVerify = (program: Program, profile: string) => Outcome;

/** A kernel id and the model profile that predicts it. */
export interface KernelTarget {
  id: string;
  profile: string;
}

export interface Divergence {
  signature: string;
  class: DivergenceClass;
  /** kernel id; for cross-kernel, `a~b` */
  kernel: string;
  /** the profile that made the prediction; for cross-kernel, `pa~pb` */
  profile: string;
  program: Program;
  /** position of the program in the batch */
  index: number;
  model: Outcome;
  actual: Outcome;
  mutation?: string;
  detail: string;
}

export interface BatchResult {
  programs: number;
  /** programs on which every kernel agreed with its profile's prediction */
  agreed: number;
  byClass: Record<DivergenceClass, number>;
  divergences: Divergence[];
  /** kernel pairs that differed exactly as their profiles predicted (e.g. 6.12 rejects r11, 7.2 accepts) */
  expectedCrossKernel: number;
  /** wall time spent in the model and waiting for the kernels, milliseconds */
  timing: { modelMs: number; kernelMs: number };
}

export interface RunBatchOptions {
  runner: KernelRunner;
  verify: ModelVerify;
}

export function resolveKernelTarget(kernel: string | KernelTarget): KernelTarget {
  if (typeof kernel !== 'string') return kernel;
  const profile = KERNEL_PROFILE[kernel];
  if (!profile) throw new RangeError(`kernel: no model profile for kernel id ${kernel}; expected one of ${Object.keys(KERNEL_PROFILE).join(', ')} or an explicit {id, profile}`);
  return { id: kernel, profile };
}

export function emptyByClass(): Record<DivergenceClass, number> {
  return Object.fromEntries(DIVERGENCE_CLASSES.map((c) => [c, 0])) as Record<DivergenceClass, number>;
}

const mutationOf = (p: Program): string | undefined => {
  const m = p.meta?.mutation;
  return typeof m === 'string' ? m : undefined;
};

export async function runBatch(programs: Program[], kernels: Array<string | KernelTarget>, opts: RunBatchOptions): Promise<BatchResult> {
  const targets = kernels.map(resolveKernelTarget);
  const t0 = performance.now();
  // Start the kernels first: the model runs on this thread while the guests work.
  const actualP = Promise.all(targets.map((k) => opts.runner.run(programs, k.id)));
  actualP.catch(() => undefined);
  const profiles = [...new Set(targets.map((t) => t.profile))];
  const predicted = new Map<string, Outcome[]>();
  let modelMs = 0;
  for (const profile of profiles) {
    const outs: Outcome[] = [];
    let since = performance.now();
    for (const p of programs) {
      const m0 = performance.now();
      outs.push(opts.verify(p, profile));
      modelMs += performance.now() - m0;
      // Yield now and then so the kernel runner's I/O keeps the guests fed meanwhile.
      if (performance.now() - since > 5) {
        await new Promise((r) => setImmediate(r));
        since = performance.now();
      }
    }
    predicted.set(profile, outs);
  }
  const actual = await actualP;
  const kernelMs = performance.now() - t0;
  for (const [i, outs] of actual.entries()) {
    if (outs.length !== programs.length) throw new Error(`kernel ${targets[i].id}: ${outs.length} outcomes for ${programs.length} programs`);
  }

  const result: BatchResult = {
    programs: programs.length,
    agreed: 0,
    byClass: emptyByClass(),
    divergences: [],
    expectedCrossKernel: 0,
    timing: { modelMs, kernelMs },
  };
  programs.forEach((program, index) => {
    const mutation = mutationOf(program);
    let clean = true;
    targets.forEach((t, ti) => {
      const model = predicted.get(t.profile)![index];
      const act = actual[ti][index];
      for (const d of compareOutcomes(model, act)) {
        clean = false;
        result.byClass[d.class]++;
        result.divergences.push({
          signature: divergenceSignature(d.class, d.reason, mutation),
          class: d.class,
          kernel: t.id,
          profile: t.profile,
          program,
          index,
          model,
          actual: act,
          mutation,
          detail: d.detail,
        });
      }
    });
    // Pairs of kernels: a difference their profiles did not predict is a finding of its own.
    for (let a = 0; a < targets.length; a++) {
      for (let b = a + 1; b < targets.length; b++) {
        const ka = outcomeKey(actual[a][index]);
        const kb = outcomeKey(actual[b][index]);
        const ma = outcomeKey(predicted.get(targets[a].profile)![index]);
        const mb = outcomeKey(predicted.get(targets[b].profile)![index]);
        if (ka === kb) continue;
        if (ma !== mb) {
          if (ma === ka && mb === kb) result.expectedCrossKernel++;
          continue; // per-kernel divergences already say what the model got wrong
        }
        clean = false;
        result.byClass['cross-kernel']++;
        const reason = `${targets[a].id}: ${ka} | ${targets[b].id}: ${kb}`;
        result.divergences.push({
          signature: divergenceSignature('cross-kernel', `${targets[a].id}:${normalizeReason(ka)} | ${targets[b].id}:${normalizeReason(kb)}`, mutation),
          class: 'cross-kernel',
          kernel: `${targets[a].id}~${targets[b].id}`,
          profile: `${targets[a].profile}~${targets[b].profile}`,
          program,
          index,
          model: predicted.get(targets[a].profile)![index],
          actual: actual[b][index],
          mutation,
          detail: `kernels differ where profiles predict the same (${ma}): ${reason}`,
        });
      }
    }
    if (clean) result.agreed++;
  });
  return result;
}

export interface SignatureSummary {
  signature: string;
  class: DivergenceClass;
  count: number;
  kernels: string[];
  /** the first instance, as the reproducer to keep */
  example: Divergence;
}

/** Divergences grouped by signature, most frequent first. */
export function aggregateDivergences(divergences: readonly Divergence[]): SignatureSummary[] {
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

/** Adds one batch's counts to a running total (for campaigns made of many batches). */
export function mergeBatchResults(into: BatchResult, from: BatchResult): BatchResult {
  into.programs += from.programs;
  into.agreed += from.agreed;
  for (const c of DIVERGENCE_CLASSES) into.byClass[c] += from.byClass[c];
  into.divergences.push(...from.divergences);
  into.expectedCrossKernel += from.expectedCrossKernel;
  into.timing.modelMs += from.timing.modelMs;
  into.timing.kernelMs += from.timing.kernelMs;
  return into;
}

export function emptyBatchResult(): BatchResult {
  return { programs: 0, agreed: 0, byClass: emptyByClass(), divergences: [], expectedCrossKernel: 0, timing: { modelMs: 0, kernelMs: 0 } };
}
