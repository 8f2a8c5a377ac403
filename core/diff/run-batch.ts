// The differential runner: every program through the model (once per kernel profile) and
// through every kernel, then each disagreement as a Finding with a dedup signature.
// It knows kernels only through the KernelRunner interface; core never imports kernel/.
import { programToJson, type Outcome, type Program, type ProgramJson } from '../program/index.ts';
import {
  compareOutcomes,
  divergenceSignature,
  normalizeReason,
  outcomeKey,
  type DivergenceClass,
} from './compare.ts';
import { emptyBatchResult, type BatchResult, type KernelTarget } from './finding.ts';
import { soundnessStage, type UnsoundFinding } from './soundness-stage.ts';
import type { ProgramCoverage } from '../guided/coverage.ts';

/** Runs programs on one real kernel; outcomes come back in input order. */
export interface KernelRunner {
  run(programs: Program[], kernelId: string): Promise<Outcome[]>;
  /** the same programs loaded again at verifier log level 2, outcomes with `log` (the soundness oracle; optional) */
  runLevel2?(programs: Program[], kernelId: string): Promise<Outcome[]>;
}

/**
 * The model: what the kernel described by `profile` does with `program` (retval included), its
 * JIT image for `cpu`; with `coverage`, the ids of the model rules the program exercised are added to it.
 */
export type ModelVerify = (program: Program, profile: string, cpu?: string, coverage?: Set<string>) => Outcome;

/** the model runs once per (profile, CPU model) */
const modelKey = (t: KernelTarget): string => `${t.profile}@${t.cpu ?? 'qemu64'}`;

export interface RunBatchOptions {
  runner: KernelRunner;
  verify: ModelVerify;
  /** share of comparable accepted programs the soundness oracle checks (0 or absent: off; needs runner.runLevel2) */
  soundnessRate?: number;
  /** record each program's coverage (model rules, reason lines) in the result's `coverage` */
  coverage?: boolean;
}

/**
 * The comparable facts of two kernels' outcomes (ka, kb) and of their profiles' predictions (ma,
 * mb). A run the model calls unpredictable (a clock, a random number, never-written stack reaching
 * the result) may return different values on two kernels: its retval is no fact.
 */
function pairFacts(pa: Outcome, pb: Outcome, oa: Outcome, ob: Outcome): { ka: string; kb: string; ma: string; mb: string } {
  const noRetval = pa.unpredictable !== undefined || pb.unpredictable !== undefined;
  const fact = (o: Outcome): string => (noRetval && o.verdict === 'accept' ? 'accept' : outcomeKey(o));
  return { ka: fact(oa), kb: fact(ob), ma: outcomeKey(pa), mb: outcomeKey(pb) };
}

const mutationOf = (p: Program): string | undefined => {
  const m = p.meta?.mutation;
  return typeof m === 'string' ? m : undefined;
};

/**
 * Model and kernels on every program, diffed. `start` is the first program's index in its
 * campaign, so findings carry campaign indices.
 */
export async function runBatch(programs: Program[], targets: readonly KernelTarget[], opts: RunBatchOptions, start = 0): Promise<BatchResult> {
  const t0 = performance.now();
  // Start the kernels first: the model runs on this thread while the guests work.
  const actualP = Promise.all(targets.map((k) => opts.runner.run(programs, k.id)));
  actualP.catch(() => undefined);
  const keys = [...new Map(targets.map((t) => [modelKey(t), t])).values()];
  const predicted = new Map<string, Outcome[]>();
  const rules = opts.coverage ? programs.map(() => new Set<string>()) : undefined;
  let modelMs = 0;
  for (const target of keys) {
    const outs: Outcome[] = [];
    let since = performance.now();
    for (const [pi, p] of programs.entries()) {
      const m0 = performance.now();
      outs.push(opts.verify(p, target.profile, target.cpu, rules?.[pi]));
      modelMs += performance.now() - m0;
      // Yield now and then so the kernel runner's I/O keeps the guests fed meanwhile.
      if (performance.now() - since > 5) {
        await new Promise((r) => setImmediate(r));
        since = performance.now();
      }
    }
    predicted.set(modelKey(target), outs);
  }
  const actual = await actualP;
  const kernelMs = performance.now() - t0;
  for (const [i, outs] of actual.entries()) {
    if (outs.length !== programs.length) throw new Error(`kernel ${targets[i].id}: ${outs.length} outcomes for ${programs.length} programs`);
  }

  const result: BatchResult = { ...emptyBatchResult(), programs: programs.length, timing: { modelMs, kernelMs } };
  const rate = opts.soundnessRate ?? 0;
  const level2 = opts.runner.runLevel2?.bind(opts.runner);
  const unsound = new Map<string, UnsoundFinding>();
  if (rate > 0 && level2) {
    const stage = await soundnessStage(programs, targets, (ti, i) => predicted.get(modelKey(targets[ti]!))![i]!, actual, level2, rate, start);
    result.soundness = stage.stats;
    for (const f of stage.found) unsound.set(`${f.target}:${f.program}`, f);
  }
  if (rules) result.coverage = programCoverage(rules, actual, [...predicted.values()]);
  programs.forEach((program, i) => {
    const index = start + i;
    const mutation = mutationOf(program);
    // converted once per program, and only for a program that diverges
    let json: ProgramJson | undefined;
    const programJson = () => (json ??= programToJson(program));
    let clean = true;
    // Every divergence of this program has the same shape: one place builds it.
    const record = (cls: DivergenceClass, reason: string, kernel: string, profile: string, model: Outcome, act: Outcome, detail: string) => {
      clean = false;
      result.byClass[cls]++;
      result.divergences.push({ signature: divergenceSignature(cls, reason, mutation), class: cls, kernel, profile, program: programJson(), index, model, actual: act, mutation, detail });
    };
    targets.forEach((t, ti) => {
      const model = predicted.get(modelKey(t))![i];
      const act = actual[ti][i];
      for (const d of compareOutcomes(model, act)) record(d.class, d.reason, t.id, t.profile, model, act, d.detail);
      const u = unsound.get(`${ti}:${i}`);
      if (u) record('verifier-unsound', u.reason, t.id, t.profile, model, act, u.detail);
    });
    // Pairs of kernels: a difference their profiles did not predict is a finding of its own.
    for (let a = 0; a < targets.length; a++) {
      for (let b = a + 1; b < targets.length; b++) {
        const pa = predicted.get(modelKey(targets[a]))![i];
        const { ka, kb, ma, mb } = pairFacts(pa, predicted.get(modelKey(targets[b]))![i], actual[a][i], actual[b][i]);
        if (ka === kb) continue;
        if (ma !== mb) {
          if (ma === ka && mb === kb) result.expectedCrossKernel++;
          continue; // per-kernel divergences already say what the model got wrong
        }
        const reason = `${targets[a].id}:${normalizeReason(ka)} | ${targets[b].id}:${normalizeReason(kb)}`;
        const detail = `kernels differ where profiles predict the same (${ma}): ${targets[a].id}: ${ka} | ${targets[b].id}: ${kb}`;
        record('cross-kernel', reason, `${targets[a].id}~${targets[b].id}`, `${targets[a].profile}~${targets[b].profile}`, pa, actual[b][i], detail);
      }
    }
    if (clean) result.agreed++;
  });
  return result;
}

const rejectReasons = (outs: readonly Outcome[]): string[] => [...new Set(outs.filter((o) => o.verdict === 'reject' && o.message).map((o) => normalizeReason(o.message)))].sort();

/** Per program: the model rules it hit (every profile's), the kernels' and the model's reject reason lines. */
function programCoverage(rules: ReadonlyArray<Set<string>>, actual: ReadonlyArray<readonly Outcome[]>, predicted: ReadonlyArray<readonly Outcome[]>): ProgramCoverage[] {
  return rules.map((r, i) => ({
    rules: [...r].sort(),
    kernelReasons: rejectReasons(actual.map((outs) => outs[i])),
    modelReasons: rejectReasons(predicted.map((outs) => outs[i])),
  }));
}
