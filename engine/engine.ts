// The differential engine: the one path from a seed (or a corpus, or one program) to Findings,
// called by the CLI (`fuzz`, `reduce`), the workers (batch, reduce, replay, check jobs) and the
// benchmarks alike. core/gen generates, core/model predicts, a KernelPools per kernel runs,
// core/diff compares and reduces; only the wiring lives here.
import { availableParallelism } from 'node:os';
import {
  aggregateDivergences,
  emptyBatchResult,
  explainFindings,
  explainWithLog,
  judgedDifferently,
  mergeBatchResults,
  modelVerify,
  reduceProgram,
  runBatch,
  signatureOracle,
  type BatchResult,
  type Finding,
  type FirstDisagreement,
  type KernelRunner,
  type KernelTarget,
  type Reduction,
  type RunBatchOptions,
  type SignatureSummary,
} from '../core/diff/index.ts';
import { generatePrograms, type GenOptions } from '../core/gen/index.ts';
import { GuidedCampaign, type CoverageSummary, type GuidedOptions } from '../core/guided/index.ts';
import { MODEL_RULES } from '../core/model/coverage.ts';
import { parseProgram, programToJson, type Outcome, type Program } from '../core/program/index.ts';
import type { Catalog, KernelImage } from '../kernel/index.ts';
import { DEFAULT_CORPUS_DIR, loadCorpus, type CorpusEntry } from './corpus.ts';
import { KernelPools, type PoolSettings, type PoolState, type Priority } from './pools.ts';
import { resolveKernels, type ResolvedKernel } from './targets.ts';

interface EngineOptions {
  /** guests per kernel (default: the number of cores) */
  poolSize?: number;
  /** passed to every VmPool (timeouts, memory, accel, CPU model) */
  pool?: PoolSettings;
  catalog?: Catalog;
  /** kernel id → profile instead of the catalog's: a prediction deliberately altered in tests */
  profiles?: Record<string, string>;
  /** the kernels as something other than QEMU guests (the model under another profile, in
   *  tests that need no guest); default: the VM pools */
  runner?: KernelRunner;
  corpusDir?: string;
  /**
   * share of the programs a kernel and the model both accept with the same retval that the
   * soundness oracle loads again at verifier log level 2 and checks (default
   * DEFAULT_SOUNDNESS_RATE; 0 turns it off)
   */
  soundnessRate?: number;
  /** load each verdict or reason divergence once more at log level 2 for its first disagreement (default true) */
  explain?: boolean;
}

/** sized so a campaign keeps at least 70% of its rate with the oracle on (bench/soundness.bench.ts, README) */
export const DEFAULT_SOUNDNESS_RATE = 0.1;

interface CampaignParams {
  seed: number;
  count: number;
  /** programs per batch */
  batch: number;
  gen: Partial<GenOptions>;
  kernels: string[];
  /** coverage guidance: the share of each batch made by mutating the campaign corpus; absent or share 0: unguided */
  guided?: GuidedOptions;
  /** keep every program run, in campaign order, in the result's `programs` (`fuzz --save-programs`) */
  keepPrograms?: boolean;
}

/** A kernel's outcome of a check, with where the model first disagrees when it judged differently */
export type CheckedOutcome = Outcome & { firstDisagreement?: FirstDisagreement };

export interface CampaignProgress {
  done: number;
  total: number;
  divergences: number;
  signatures: number;
  elapsedMs: number;
  /** model rules hit and distinct reason lines so far (batches recorded in order) */
  coverage: CoverageSummary;
}

export interface CampaignResult {
  total: BatchResult;
  signatures: SignatureSummary[];
  interrupted: boolean;
  elapsedMs: number;
  coverage: CoverageSummary;
  /** with keepPrograms: the programs run, in campaign order */
  programs?: Program[];
}

interface ReduceProgress {
  checks: number;
  maxChecks: number;
  /** size of the smallest program that still shows the divergence */
  insns: number;
  originalInsns: number;
  /** the last accepted step */
  step: string;
}

interface ReduceParams {
  /** candidate checks, at most (default 1000) */
  maxChecks?: number;
  signal?: AbortSignal;
  onProgress?: (p: ReduceProgress) => void;
  /** guest priority of the candidate checks (default background: campaigns go first) */
  priority?: Priority;
}

export class Engine {
  private readonly pools: KernelPools;
  private readonly kernels = new Map<string, ResolvedKernel>();
  private readonly verify = modelVerify();

  constructor(private readonly opts: EngineOptions = {}) {
    this.pools = new KernelPools(opts.poolSize ?? availableParallelism(), opts.pool);
  }

  /** Kernel ids as targets (the catalog's profile for each); throws UnknownKernelError. */
  targets(ids: readonly string[]): KernelTarget[] {
    const missing = ids.filter((id) => !this.kernels.has(id));
    if (missing.length) {
      for (const k of resolveKernels(missing, { catalog: this.opts.catalog, profiles: this.opts.profiles, cpu: this.opts.pool?.cpuModel })) this.kernels.set(k.target.id, k);
    }
    return ids.map((id) => this.kernels.get(id)!.target);
  }

  private image(id: string): KernelImage {
    this.targets([id]);
    return this.kernels.get(id)!.image;
  }

  private diffOptions(priority: Priority, soundnessRate = this.opts.soundnessRate ?? DEFAULT_SOUNDNESS_RATE): RunBatchOptions {
    const runner: KernelRunner = this.opts.runner ?? {
      run: (programs, kernel) => this.pools.run(this.image(kernel), programs, priority),
      // the soundness oracle's second load: every state in the log (the agent grows the buffer to 16 MiB)
      runLevel2: (programs, kernel) => this.pools.run(this.image(kernel), programs, priority, { settings: { logLevel: 2 }, keepLog: true }),
    };
    return { runner, verify: this.verify, soundnessRate };
  }

  /** Boots the kernels' pools now rather than on first use (the CLI fails fast on a bad image). */
  async boot(ids: readonly string[]): Promise<void> {
    if (this.opts.runner) return;
    await Promise.all(ids.map((id) => this.pools.pool(this.image(id))));
  }

  /** Programs [start, start+count) of the campaign with this seed: the same on every machine. */
  generate(seed: number, start: number, count: number, gen: Partial<GenOptions>): Program[] {
    return generatePrograms(seed, count, gen, start);
  }

  /** Model and kernels on every program, diffed; `start` makes finding indices campaign indices. */
  async runBatch(programs: Program[], kernels: readonly string[], opts: { start?: number; priority?: Priority; soundnessRate?: number; coverage?: boolean } = {}): Promise<BatchResult> {
    const diff = this.diffOptions(opts.priority ?? 'normal', opts.soundnessRate);
    const result = await runBatch(programs, this.targets(kernels), { ...diff, coverage: opts.coverage }, opts.start ?? 0);
    // each verdict or reason divergence once more at log level 2: where model and kernel first part ways
    if (this.opts.explain !== false) await explainFindings(result.divergences, diff.runner);
    result.vmRestarts = await this.pools.newRestarts();
    return result;
  }

  /**
   * A whole campaign in this process: batches are generated and sent two at a time, so the
   * guests work on one batch while the model and the differ handle the other. Every program's
   * coverage is folded into the campaign's in batch order; a guided campaign's batch b mutates
   * the corpus as it stood after batch b-2 (core/guided/campaign.ts), so it is deterministic.
   */
  async runCampaign(params: CampaignParams, hooks: { signal?: AbortSignal; onProgress?: (p: CampaignProgress) => void } = {}): Promise<CampaignResult> {
    this.targets(params.kernels);
    const total = emptyBatchResult();
    const started = performance.now();
    const bySig = new Set<string>();
    const guided = new GuidedCampaign(params.seed, params.gen, params.guided ?? { share: 0 }, MODEL_RULES.length);
    // batches finished but not yet recorded (an earlier one is still running), and lanes waiting for the corpus
    const finished = new Map<number, { start: number; programs: Program[]; result: BatchResult }>();
    let recorded = 0;
    let wake: Array<() => void> = [];
    let next = 0;
    let batchNo = 0;
    const kept: Program[] = [];
    const report = () =>
      hooks.onProgress?.({ done: total.programs, total: params.count, divergences: total.divergences.length, signatures: bySig.size, elapsedMs: performance.now() - started, coverage: guided.summary() });
    const recordInOrder = () => {
      for (let f = finished.get(recorded); f; f = finished.get(recorded)) {
        finished.delete(recorded);
        const cov = f.result.coverage ?? [];
        guided.record(recorded, f.programs.map((program, i) => ({ program, index: f.start + i, coverage: cov[i] ?? { rules: [], kernelReasons: [], modelReasons: [] } })));
        delete f.result.coverage;
        if (params.keepPrograms) kept.push(...f.programs);
        for (const d of f.result.divergences) bySig.add(d.signature);
        mergeBatchResults(total, f.result);
        recorded++;
        report();
      }
      const waiting = wake;
      wake = [];
      for (const w of waiting) w();
    };
    const lane = async (): Promise<void> => {
      while (next < params.count && !hooks.signal?.aborted) {
        const start = next;
        const b = batchNo++;
        const n = Math.min(params.batch, params.count - start);
        next += n;
        while (!guided.ready(b)) await new Promise<void>((r) => wake.push(r));
        const programs = guided.programs(b, start, n);
        const result = await this.runBatch(programs, params.kernels, { start, coverage: true });
        finished.set(b, { start, programs, result });
        recordInOrder();
      }
    };
    await Promise.all([lane(), lane()]);
    total.divergences.sort((a, b) => a.index - b.index);
    return { total, signatures: aggregateDivergences(total.divergences), interrupted: hooks.signal?.aborted === true, elapsedMs: performance.now() - started, coverage: guided.summary(), ...(params.keepPrograms ? { programs: kept } : {}) };
  }

  /**
   * Shrinks a finding's program while its signature still shows on the kernels it showed on
   * (both of a cross-kernel `a~b`); undefined when the program no longer shows it at all.
   */
  async reduce(finding: Pick<Finding, 'program' | 'kernel' | 'signature'>, params: ReduceParams = {}): Promise<Reduction | undefined> {
    const kernels = this.targets(finding.kernel.split('~'));
    // a soundness finding is checked on every candidate; other classes need no second load
    const diff = this.diffOptions(params.priority ?? 'background', finding.signature.startsWith('verifier-unsound|') ? 1 : 0);
    const oracle = signatureOracle(finding.signature, kernels, diff);
    const program = parseProgram(finding.program);
    if (!(await oracle([program]))[0]) return undefined;
    const maxChecks = params.maxChecks ?? 1000;
    const r = await reduceProgram(program, oracle, {
      maxChecks,
      signal: params.signal,
      onProgress: (p) => params.onProgress?.({ ...p, maxChecks, originalInsns: program.insns.length }),
    });
    const shown = (await runBatch([r.program], kernels, diff)).divergences.find((d) => d.signature === finding.signature);
    // the reduced program once more at verifier log level 2 (every state), for the finding page
    const level2 = this.opts.runner ? undefined : (await this.pools.run(this.image(kernels[0].id), [r.program], 'background', { settings: { logLevel: 2 }, keepLog: true }))[0]?.log;
    const explained = level2 && shown && !finding.kernel.includes('~') && judgedDifferently(shown.model, shown.actual) ? explainWithLog(r.program, kernels[0].profile, level2) : undefined;
    return {
      ...(level2 ? { logLevel2: level2 } : {}),
      ...(explained ? { firstDisagreement: explained } : {}),
      program: programToJson(r.program),
      kernel: finding.kernel,
      originalInsns: r.originalInsns,
      reducedInsns: r.reducedInsns,
      checks: r.checks,
      steps: r.steps,
      model: shown?.model,
      actual: shown?.actual,
    };
  }

  /** The model's outcome for a program under a kernel's profile (no guest). */
  modelOutcome(program: Program, kernel: string): Outcome {
    return this.verify(program, this.targets([kernel])[0].profile);
  }

  /**
   * One program's real outcome on each kernel; where the model (under that kernel's profile) judges
   * it differently, the program is loaded once more at log level 2 and the outcome carries where
   * the two first disagree.
   */
  async kernelOutcomes(program: Program, kernels: readonly string[]): Promise<Record<string, CheckedOutcome>> {
    // a user waits on a check: it goes to a guest before any campaign batch or reduction
    const { runner } = this.diffOptions('interactive');
    const entries = await Promise.all(
      kernels.map(async (k): Promise<[string, CheckedOutcome]> => {
        const actual = (await runner.run([program], k))[0]!;
        const profile = this.targets([k])[0].profile;
        if (this.opts.explain === false || !runner.runLevel2 || !judgedDifferently(this.verify(program, profile), actual)) return [k, actual];
        const log = (await runner.runLevel2([program], k))[0]?.log;
        const where = log ? explainWithLog(program, profile, log) : undefined;
        return [k, where ? { ...actual, firstDisagreement: where } : actual];
      }),
    );
    return Object.fromEntries(entries);
  }

  corpus(): Promise<CorpusEntry[]> {
    return loadCorpus(this.opts.corpusDir ?? DEFAULT_CORPUS_DIR);
  }

  /** id → the booted pool's `uname -r` (the model's identity for a model runner) */
  async unames(): Promise<Record<string, string>> {
    if (this.opts.runner) return Object.fromEntries([...this.kernels.values()].map((k) => [k.target.id, `model:${k.target.profile}`]));
    return this.pools.unames();
  }

  restarts(): Promise<number> {
    return this.pools.totalRestarts();
  }

  poolState(): Record<string, PoolState> {
    return this.pools.state();
  }

  close(): Promise<void> {
    return this.pools.close();
  }
}
