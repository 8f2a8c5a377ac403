// Where a verdict or reason divergence starts: the program loaded once more at verifier log level
// 2 on the kernel that diverged, its states parsed (verifier-states.ts) and aligned with the
// model's beliefs under the kernel's profile (first-disagreement.ts).
import { resolveProfile } from '../model/index.ts';
import { modelBeliefs } from '../model/beliefs.ts';
import { parseProgram, type Outcome, type Program } from '../program/index.ts';
import type { DivergenceClass } from './compare.ts';
import type { Finding } from './finding.ts';
import { firstDisagreement, type FirstDisagreement } from './first-disagreement.ts';
import { liveRegsFromLog } from './live-regs.ts';
import type { KernelRunner } from './run-batch.ts';
import { parseVerifierWalk } from './verifier-states.ts';

/** the classes where the model and the kernel judged the program differently */
const EXPLAINED: ReadonlySet<DivergenceClass> = new Set<DivergenceClass>(['verdict-model-accept', 'verdict-model-reject', 'reason']);


/** the model's outcome and the kernel's differ in verdict or reason line: worth a first disagreement */
export const judgedDifferently = (model: Outcome, actual: Outcome): boolean =>
  (model.verdict === 'accept' || model.verdict === 'reject') &&
  (actual.verdict === 'accept' || actual.verdict === 'reject') &&
  (model.verdict !== actual.verdict || model.message !== actual.message);

/** The first disagreement of `program` under `profile` with the kernel's level-2 log; undefined without states in it. */
export function explainWithLog(program: Program, profile: string, level2Log: string): FirstDisagreement | undefined {
  const p = resolveProfile(profile);
  if (!p) return undefined;
  const walk = parseVerifierWalk(level2Log).segments;
  const kernel = walk.flatMap((s) => s.visits);
  return firstDisagreement(modelBeliefs(program, p), kernel, { liveRegs: liveRegsFromLog(level2Log), kernelEnd: walk[walk.length - 1]?.end });
}

/**
 * The store keeps 3 examples a signature (store/store.ts EXAMPLES_PER_SIGNATURE) and the CLI shows
 * the first: more second loads of one signature in one batch would be shown nowhere.
 */
const PER_SIGNATURE = 3;

/**
 * Sets `firstDisagreement` on the verdict and reason findings of a batch (the first
 * `perSignature` of each signature), loading each such program once more at level 2 on its
 * kernel (one request per kernel). Cross-kernel findings have no model side to compare. Returns
 * how many findings were explained.
 */
export async function explainFindings(findings: Finding[], runner: Pick<KernelRunner, 'runLevel2'>, perSignature = PER_SIGNATURE): Promise<number> {
  if (!runner.runLevel2) return 0;
  const byKernel = new Map<string, Finding[]>();
  const seen = new Map<string, number>();
  for (const f of findings) {
    if (!EXPLAINED.has(f.class) || f.kernel.includes('~') || f.firstDisagreement) continue;
    const key = `${f.kernel} ${f.signature}`;
    const n = seen.get(key) ?? 0;
    if (n >= perSignature) continue;
    seen.set(key, n + 1);
    byKernel.set(f.kernel, [...(byKernel.get(f.kernel) ?? []), f]);
  }
  let explained = 0;
  for (const [kernel, list] of byKernel) {
    const programs = list.map((f) => parseProgram(f.program));
    const outcomes = await runner.runLevel2(programs, kernel);
    list.forEach((f, i) => {
      const log = outcomes[i]?.log;
      const d = log ? explainWithLog(programs[i]!, f.profile, log) : undefined;
      if (d) {
        f.firstDisagreement = d;
        explained++;
      }
    });
  }
  return explained;
}
