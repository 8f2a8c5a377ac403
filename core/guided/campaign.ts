// A guided campaign's programs, batch by batch. Program `index` is, with probability `share`
// (drawn from the campaign seed and the index), a mutation of a corpus program; otherwise it is
// the generator's program `index`, as an unguided campaign has it. Batch `b` mutates the corpus
// as it stood after batches 0..b-2 were recorded in order (two batches are in flight at once), so
// the same seed and options give the same campaign however the batches' kernel work interleaves.
import { Prng, generateProgram, resolveGenOptions, type GenOptions } from '../gen/index.ts';
import type { Program } from '../program/index.ts';
import { CampaignCoverage, type CoverageSummary, type ProgramCoverage } from './coverage.ts';
import { DEFAULT_CORPUS_CAPACITY, GuidedCorpus, type CorpusEntry } from './corpus.ts';
import { mutateProgram } from './mutate.ts';

export const GUIDED_GENERATOR_ID = 'bpfdiff-guided/1';
/** the Prng stream of the guided draws, apart from the generator's own (stream 0) */
const GUIDED_STREAM = 0x6775;
/** batch b mutates the corpus after batches 0..b-LAG */
const CORPUS_LAG = 2;
export const DEFAULT_GUIDED_SHARE = 0.3;

export interface GuidedOptions {
  /** share of each batch made by mutating corpus programs (0..1); 0 is an unguided campaign */
  share: number;
  /** corpus entries kept at most */
  capacity?: number;
}

/** `guidedShare: expected ...` for a bad share, in the project's field-naming style */
function checkGuidedShare(share: unknown): string | undefined {
  return typeof share === 'number' && share >= 0 && share <= 1 ? undefined : `guidedShare: expected a number from 0 to 1, got ${JSON.stringify(share)}`;
}

/**
 * Program `index` of a guided campaign given the corpus it may mutate: a mutant (meta names its
 * parent's campaign index and the mutations) or the generator's program.
 */
function guidedProgram(seed: number, index: number, fresh: (index: number) => Program, share: number, corpus: readonly CorpusEntry[]): Program {
  if (corpus.length > 0 && share > 0) {
    const rng = Prng.forProgram(seed, index, GUIDED_STREAM);
    if (rng.chance(share)) {
      const parent = rng.pick(corpus);
      const m = mutateProgram(parent.program, corpus.map((e) => e.program), rng);
      if (m.mutations.length > 0) {
        return { ...m.program, meta: { generator: GUIDED_GENERATOR_ID, seed, index, parent: parent.index, mutations: m.mutations } };
      }
    }
  }
  return fresh(index);
}

/** A program of the campaign with its index and what it covered. */
export interface CoveredProgram {
  program: Program;
  index: number;
  coverage: ProgramCoverage;
}

export class GuidedCampaign {
  readonly coverage: CampaignCoverage;
  private readonly corpus: GuidedCorpus;
  private readonly fresh: (index: number) => Program;
  /** batches recorded so far (0..recorded-1) */
  private recorded = 0;
  private readonly snapshots = new Map<number, readonly CorpusEntry[]>();
  /** programs made by mutation so far */
  mutated = 0;

  constructor(
    private readonly seed: number,
    gen: Partial<GenOptions>,
    private readonly opts: GuidedOptions,
    rulesTotal: number,
    /** program `index` of the generator (default core/gen's with `gen`; the service passes its pipeline's) */
    fresh?: (index: number) => Program,
  ) {
    const problem = checkGuidedShare(opts.share);
    if (problem) throw new RangeError(problem);
    const resolved: GenOptions = resolveGenOptions(gen);
    this.fresh = fresh ?? ((index) => generateProgram(seed, index, resolved));
    this.coverage = new CampaignCoverage(rulesTotal);
    this.corpus = new GuidedCorpus(this.coverage, opts.capacity ?? DEFAULT_CORPUS_CAPACITY);
  }

  /** whether batch `b` can be made: its corpus is known (batches 0..b-LAG recorded), or it needs none */
  ready(b: number): boolean {
    return this.opts.share === 0 || this.recorded >= b - CORPUS_LAG + 1;
  }

  /** The programs of batch `b` (campaign indices start..start+n-1); needs ready(b). */
  programs(b: number, start: number, n: number): Program[] {
    if (!this.ready(b)) throw new Error(`guided campaign: batch ${b} asked for before batch ${b - CORPUS_LAG} was recorded`);
    const corpus = this.opts.share > 0 ? (this.snapshots.get(b - CORPUS_LAG) ?? []) : [];
    this.snapshots.delete(b - CORPUS_LAG);
    const out: Program[] = [];
    for (let i = 0; i < n; i++) {
      const p = guidedProgram(this.seed, start + i, this.fresh, this.opts.share, corpus);
      if (p.meta?.generator === GUIDED_GENERATOR_ID) this.mutated++;
      out.push(p);
    }
    return out;
  }

  /**
   * Batch `b`'s programs with their coverage, in campaign order (b must be the next batch). A
   * batch's novel programs alone (novelBatchPrograms) give the same corpus as all of them.
   */
  record(b: number, programs: readonly CoveredProgram[]): void {
    if (b !== this.recorded) throw new Error(`guided campaign: batch ${b} recorded out of order (expected ${this.recorded})`);
    for (const p of programs) this.corpus.offer(p.program, p.index, p.coverage);
    if (this.opts.share > 0) this.snapshots.set(b, this.corpus.snapshot());
    this.recorded++;
  }

  /**
   * The programs of a batch that bring something new against the coverage recorded so far and
   * the batch's earlier programs: a superset of what record() will keep once the batches between
   * are recorded too, and all it needs (the others' coverage is already in the union by then).
   * The service stores these per batch so any worker can rebuild the corpus.
   */
  novelBatchPrograms(programs: readonly CoveredProgram[]): CoveredProgram[] {
    const seen = new CampaignCoverage(this.coverage.rulesTotal);
    seen.add({ rules: [...this.coverage.rules], kernelReasons: [...this.coverage.kernelReasons], modelReasons: [...this.coverage.modelReasons] });
    return programs.filter((p) => seen.add(p.coverage));
  }

  summary(): CoverageSummary {
    return { ...this.coverage.summary(), corpusSize: this.corpus.size, mutated: this.mutated };
  }
}
