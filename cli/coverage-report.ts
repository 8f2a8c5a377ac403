// The model-coverage view of a set of programs (`bpfdiff gen --coverage`, `bpfdiff model --coverage`):
// each program verified by the model (and its rewrite predicted) under one profile with a coverage set, then rules hit / rules
// in the model, the verdict counts, the distinct reject reason lines (numbers aside, as findings
// are grouped) with how many programs gave each, and the rules no program reached.
import { normalizeReason } from '../core/diff/compare.ts';
import { MODEL_RULES, verify, type ModelRule, type Profile } from '../core/model/index.ts';
import type { Program } from '../core/program/types.ts';

interface CoverageReport {
  profile: string;
  programs: number;
  verdicts: Record<string, number>;
  /** ids of the rules hit, in MODEL_RULES order */
  hit: string[];
  rules: number;
  /** normalised reject reason line → programs */
  reasons: Array<[string, number]>;
  /** `unknown` answers by what the model does not cover → programs */
  unknowns: Array<[string, number]>;
  neverHit: ModelRule[];
}

export function modelCoverage(programs: Iterable<Program>, profile: Profile): CoverageReport {
  const hit = new Set<string>();
  const verdicts: Record<string, number> = {};
  const reasons = new Map<string, number>();
  const unknowns = new Map<string, number>();
  let n = 0;
  for (const prog of programs) {
    n++;
    const o = verify(prog, profile, { coverage: hit, run: false, jit: false });
    verdicts[o.verdict] = (verdicts[o.verdict] ?? 0) + 1;
    if (o.verdict === 'reject') {
      const r = normalizeReason(o.message);
      reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    if (o.verdict === 'unknown') {
      const u = normalizeReason(o.unknown ?? '');
      unknowns.set(u, (unknowns.get(u) ?? 0) + 1);
    }
  }
  const byCount = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return {
    profile: profile.id,
    programs: n,
    verdicts,
    hit: MODEL_RULES.filter((r) => hit.has(r.id)).map((r) => r.id),
    rules: MODEL_RULES.length,
    reasons: byCount(reasons),
    unknowns: byCount(unknowns),
    neverHit: MODEL_RULES.filter((r) => !hit.has(r.id)),
  };
}

const pct = (a: number, b: number): string => (b ? ((100 * a) / b).toFixed(1) : '0.0');

export function formatCoverage(r: CoverageReport): string {
  const lines: string[] = [];
  lines.push(`model coverage (${r.profile}, ${r.programs} programs): rules hit ${r.hit.length} / ${r.rules} (${pct(r.hit.length, r.rules)}%)`);
  lines.push(`verdicts: ${Object.entries(r.verdicts).map(([v, k]) => `${v} ${k} (${pct(k, r.programs)}%)`).join(', ')}`);
  lines.push(`distinct reject reason lines: ${r.reasons.length}`);
  for (const [reason, k] of r.reasons) lines.push(`  ${String(k).padStart(6)}  ${reason || '(empty)'}`);
  if (r.unknowns.length) {
    lines.push(`unknown (the model does not cover): ${r.unknowns.length}`);
    for (const [what, k] of r.unknowns) lines.push(`  ${String(k).padStart(6)}  ${what}`);
  }
  lines.push(`rules never hit: ${r.neverHit.length}`);
  for (const rule of r.neverHit) lines.push(`  ${rule.id.padEnd(58)} ${rule.what}`);
  return lines.join('\n') + '\n';
}
