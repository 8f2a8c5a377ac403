// Guided campaigns through the engine with the model as the kernels (no guest): coverage is
// recorded, guided programs differ from unguided ones, and a campaign is the same every time.
import { describe, expect, it } from 'vitest';
import { modelRunner } from '../core/diff/index.ts';
import { GuidedCampaign, GUIDED_GENERATOR_ID, type CoveredProgram } from '../core/guided/index.ts';
import { MODEL_RULES } from '../core/model/coverage.ts';
import { rawToHex } from '../core/isa/index.ts';
import type { Program } from '../core/program/index.ts';
import { Engine } from './engine.ts';

const engine = () => new Engine({ runner: modelRunner(() => 'linux-7.3') });
const key = (p: Program) => rawToHex(p.insns) + JSON.stringify(p.funcs);
const params = { seed: 5, count: 120, batch: 20, gen: {}, kernels: ['7.2'], keepPrograms: true };

describe('engine campaigns with coverage guidance', () => {
  it('record coverage, mutate the corpus for the guided share, and repeat exactly', async () => {
    const guided1 = await engine().runCampaign({ ...params, guided: { share: 0.4 } });
    const guided2 = await engine().runCampaign({ ...params, guided: { share: 0.4 } });
    const plain = await engine().runCampaign({ ...params, guided: { share: 0 } });
    const progs = guided1.programs!;
    expect(progs.map(key)).toEqual(guided2.programs!.map(key));
    expect(guided1.coverage).toEqual(guided2.coverage);
    // batches 0 and 1 have no corpus yet: they are the generator's programs
    expect(progs.slice(0, 40).map(key)).toEqual(plain.programs!.slice(0, 40).map(key));
    const mutants = progs.filter((p) => p.meta?.generator === GUIDED_GENERATOR_ID);
    expect(mutants.length).toBe(guided1.coverage.mutated);
    // about 40% of batches 2..5 (80 programs)
    expect(mutants.length).toBeGreaterThan(20);
    expect(mutants.length).toBeLessThan(50);
    // a mutant's parent was kept by a batch at least two before its own
    for (const m of mutants) expect(Math.floor((m.meta!.parent as number) / 20)).toBeLessThanOrEqual(Math.floor((m.meta!.index as number) / 20) - 2);
    // programs not mutated are the generator's, at their index
    progs.forEach((p, i) => p.meta?.generator !== GUIDED_GENERATOR_ID && expect(key(p)).toBe(key(plain.programs![i])));
    expect(plain.coverage.rulesTotal).toBe(MODEL_RULES.length);
    expect(plain.coverage.rulesHit).toBeGreaterThan(20);
    expect(plain.coverage.reasonLines).toBeGreaterThan(3);
    expect(plain.coverage.mutated).toBe(0);
    expect(guided1.coverage.reasonLines).toBeGreaterThan(plain.coverage.reasonLines);
  }, 200_000);

  it('rebuilds the same corpus from each batch\'s novel programs alone (what the service stores)', async () => {
    const r = await engine().runCampaign({ ...params, count: 100, guided: { share: 0.3 } });
    const progs = r.programs!;
    const cov = await coverageOf(progs);
    const covered = (b: number): CoveredProgram[] => progs.slice(b * 20, b * 20 + 20).map((program, i) => ({ program, index: b * 20 + i, coverage: cov[b * 20 + i]! }));
    const full = new GuidedCampaign(5, {}, { share: 0.3 }, MODEL_RULES.length);
    const folded = new GuidedCampaign(5, {}, { share: 0.3 }, MODEL_RULES.length);
    for (let b = 0; b < 5; b++) {
      // a worker of batch b knows batches 0..b-2
      const base = new GuidedCampaign(5, {}, { share: 0.3 }, MODEL_RULES.length);
      for (let k = 0; k <= b - 2; k++) base.record(k, covered(k));
      const novel = base.novelBatchPrograms(covered(b));
      full.record(b, covered(b));
      folded.record(b, novel);
      expect(folded.programs(b + 2, (b + 2) * 20, 20).map(key)).toEqual(full.programs(b + 2, (b + 2) * 20, 20).map(key));
      expect(folded.summary()).toEqual(full.summary());
    }
    expect(() => full.record(7, [])).toThrow(/out of order/);
  }, 200_000);
});

async function coverageOf(programs: Program[]) {
  const e = engine();
  const r = await e.runBatch(programs, ['7.2'], { coverage: true });
  return r.coverage!;
}
