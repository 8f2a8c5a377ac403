// The soundness oracle's place in a batch: after the first loads, a sample of the programs both
// the model and a kernel accept with the same retval is loaded once more at verifier log level 2
// (KernelRunner.runLevel2), and the log's beliefs are compared with the interpreter's run
// (soundness.ts). Sampling is by campaign index, so a campaign samples the same programs on
// every machine and a finding's program is sampled again when its batch is rerun.
import type { Outcome, Program } from '../program/index.ts';
import { resolveProfile } from '../model/index.ts';
import { checkSoundness, describeUnsound, type UnsoundValue } from './soundness.ts';
import type { KernelTarget, SoundnessStats } from './finding.ts';

/** Loads programs on one kernel at verifier log level 2; outcomes keep `log`, in input order. */
type Level2Runner = (programs: Program[], kernelId: string) => Promise<Outcome[]>;

export interface UnsoundFinding {
  target: number;
  /** index in the batch */
  program: number;
  first: UnsoundValue;
  count: number;
  /** the signature's reason: `alu64 add R3 umax` */
  reason: string;
  detail: string;
}

/** Whether the program at this campaign index is in the sample (a fixed hash of the index). */
export function sampled(index: number, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const h = Math.imul(index ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return ((Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0) / 2 ** 32) < rate;
}

/** both accept with the same retval, and the model's run is what a real kernel would compute */
function comparable(model: Outcome, act: Outcome): boolean {
  if (model.verdict !== 'accept' || act.verdict !== 'accept' || model.unpredictable) return false;
  return model.retval !== undefined && act.retval !== undefined && model.retval >>> 0 === act.retval >>> 0;
}

export async function soundnessStage(
  programs: readonly Program[],
  targets: readonly KernelTarget[],
  model: (target: number, program: number) => Outcome,
  actual: readonly (readonly Outcome[])[],
  run: Level2Runner,
  rate: number,
  start: number,
): Promise<{ found: UnsoundFinding[]; stats: SoundnessStats }> {
  const stats: SoundnessStats = { programs: 0, values: 0, complete: 0, hostMs: 0, kernelMs: 0 };
  const found: UnsoundFinding[] = [];
  const picks = targets.map((_, ti) => programs.map((_, i) => i).filter((i) => sampled(start + i, rate) && comparable(model(ti, i), actual[ti]![i]!)));
  const t0 = performance.now();
  const logs = await Promise.all(targets.map((t, ti) => (picks[ti]!.length ? run(picks[ti]!.map((i) => programs[i]!), t.id) : Promise.resolve([]))));
  stats.kernelMs = performance.now() - t0;
  const h0 = performance.now();
  targets.forEach((t, ti) => {
    const stackArgReg = resolveProfile(t.profile)?.features.stackArgReg ?? 11;
    picks[ti]!.forEach((i, k) => {
      const o = logs[ti]![k];
      // the second load must tell the same story as the first
      if (!o?.log || o.verdict !== 'accept') return;
      const report = checkSoundness(programs[i]!, o.log, stackArgReg);
      stats.programs++;
      stats.values += report.checked;
      if (!report.stopped) stats.complete++;
      const first = report.unsound[0];
      if (!first) return;
      const more = report.unsound.length > 1 ? ` (and ${report.unsound.length - 1} more)` : '';
      found.push({
        target: ti,
        program: i,
        first,
        count: report.unsound.length,
        reason: `${first.what} R${first.reg} ${first.bound}`,
        detail: `verifier unsound: ${describeUnsound(first)}${more}`,
      });
    });
  });
  stats.hostMs = performance.now() - h0;
  return { found, stats };
}
