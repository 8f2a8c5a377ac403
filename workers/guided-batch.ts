// The programs of a service campaign's batch, guided or not, and what the batch adds to its job's
// coverage. A guided batch b mutates the corpus the campaign had after batches 0..b-2, rebuilt
// from the novel programs those batches stored (Store.recordCoverage): the same programs the
// CLI's `fuzz` makes for the same seed, batch size and share, whichever worker runs the batch.
import type { GenOptions } from '../core/gen/index.ts';
import { GuidedCampaign, type CoveredProgram } from '../core/guided/index.ts';
import { MODEL_RULES } from '../core/model/coverage.ts';
import { parseProgram, programToJson, type Program, type ProgramJson } from '../core/program/index.ts';
import type { BatchResult } from '../core/diff/index.ts';
import type { BatchCoverage, Store } from '../store/index.ts';
import type { Pipeline } from './pipeline.ts';

interface StoredNovel {
  index: number;
  program: ProgramJson;
  coverage: CoveredProgram['coverage'];
}

interface BatchPlan {
  programs: Program[];
  /** the campaign as of batch b-2 (guided batches only): judges which of this batch's programs are novel */
  campaign?: GuidedCampaign;
}

/**
 * The batch's programs; undefined while a guided batch's corpus is not known yet (a batch two or
 * more before it has not stored its novel programs): the caller tries again later.
 */
export async function planBatch(
  store: Store,
  pipeline: Pipeline,
  job: { jobId: string; batchIndex: number; seed: number; start: number; count: number; generator: Record<string, unknown>; guidedShare?: number },
): Promise<BatchPlan | undefined> {
  const share = job.guidedShare ?? 0;
  const gen = job.generator as Partial<GenOptions>;
  if (share <= 0) return { programs: pipeline.generate(job.seed, job.start, job.count, gen) };
  const prior = await store.guidedBatches(job.jobId, job.batchIndex - 2);
  if (!prior) return undefined;
  const campaign = new GuidedCampaign(job.seed, gen, { share }, MODEL_RULES.length, (index) => pipeline.generate(job.seed, index, 1, gen)[0]!);
  prior.forEach((novel, k) =>
    campaign.record(k, (novel as StoredNovel[]).map((n) => ({ index: n.index, coverage: n.coverage, program: parseProgram(n.program) }))),
  );
  return { programs: campaign.programs(job.batchIndex, job.start, job.count), campaign };
}

/** What the batch adds to the job's coverage, and its novel programs for later batches. */
export function batchCoverage(plan: BatchPlan, start: number, result: BatchResult, mutated: number): BatchCoverage {
  const cov = result.coverage ?? [];
  const covered: CoveredProgram[] = plan.programs.map((program, i) => ({ program, index: start + i, coverage: cov[i] ?? { rules: [], kernelReasons: [], modelReasons: [] } }));
  const union = (pick: (c: CoveredProgram['coverage']) => string[]) => [...new Set(covered.flatMap((c) => pick(c.coverage)))].sort();
  const novel = plan.campaign ? plan.campaign.novelBatchPrograms(covered) : [];
  return {
    rulesTotal: MODEL_RULES.length,
    rules: union((c) => c.rules),
    kernelReasons: union((c) => c.kernelReasons),
    modelReasons: union((c) => c.modelReasons),
    mutated,
    novel: novel.map((n): StoredNovel => ({ index: n.index, coverage: n.coverage, program: programToJson(n.program) })),
  };
}
