// What one program exercised, and what a campaign has exercised so far: the model's rule ids
// (core/model/coverage.ts) and the reason lines (numbers normalised, as divergence signatures
// normalise them) of the kernels' and the model's rejections. Debian's kernels have no KCOV;
// these two are the coverage a campaign can see, and what the guided corpus is steered by.

/** One program's coverage: rule ids the model hit, normalised reject reason lines. */
export interface ProgramCoverage {
  rules: string[];
  /** the kernels' reject reason lines, normalised (one per distinct line, any kernel) */
  kernelReasons: string[];
  /** the model's reject reason lines, normalised */
  modelReasons: string[];
}

/** A campaign's coverage in numbers: what the progress line, the summary and the store show. */
export interface CoverageSummary {
  rulesHit: number;
  /** rules in the model (MODEL_RULES.length) */
  rulesTotal: number;
  /** distinct kernel reject reason lines */
  reasonLines: number;
  /** distinct model reject reason lines */
  modelReasonLines: number;
  /** programs the guided corpus kept, and programs made by mutating it */
  corpusSize?: number;
  mutated?: number;
}

/** The union of every program's coverage in a campaign, in the order programs are added. */
export class CampaignCoverage {
  readonly rules = new Set<string>();
  readonly kernelReasons = new Set<string>();
  readonly modelReasons = new Set<string>();

  constructor(readonly rulesTotal: number) {}

  /** true when `pc` reaches a rule or a reason line the campaign has not seen */
  isNovel(pc: ProgramCoverage): boolean {
    return pc.rules.some((r) => !this.rules.has(r)) || pc.kernelReasons.some((r) => !this.kernelReasons.has(r)) || pc.modelReasons.some((r) => !this.modelReasons.has(r));
  }

  /** adds `pc`; returns whether it brought anything new */
  add(pc: ProgramCoverage): boolean {
    const novel = this.isNovel(pc);
    for (const r of pc.rules) this.rules.add(r);
    for (const r of pc.kernelReasons) this.kernelReasons.add(r);
    for (const r of pc.modelReasons) this.modelReasons.add(r);
    return novel;
  }

  summary(): CoverageSummary {
    return { rulesHit: this.rules.size, rulesTotal: this.rulesTotal, reasonLines: this.kernelReasons.size, modelReasonLines: this.modelReasons.size };
  }
}

/** `rules 123/456 (27%)  reason lines 31`: how the CLI prints coverage. */
export function formatCoverage(c: CoverageSummary): string {
  const pct = c.rulesTotal > 0 ? ` (${Math.round((100 * c.rulesHit) / c.rulesTotal)}%)` : '';
  return `rules ${c.rulesHit}/${c.rulesTotal}${pct}  reason lines ${c.reasonLines}`;
}
