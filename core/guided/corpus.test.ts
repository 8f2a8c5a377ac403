import { describe, expect, it } from 'vitest';
import { generatePrograms } from '../gen/index.ts';
import { CampaignCoverage, formatCoverage, type ProgramCoverage } from './coverage.ts';
import { GuidedCorpus } from './corpus.ts';

const [p0, p1, p2, p3] = generatePrograms(1, 4);
const cov = (rules: string[], kernelReasons: string[] = [], modelReasons: string[] = []): ProgramCoverage => ({ rules, kernelReasons, modelReasons });

describe('GuidedCorpus admission', () => {
  it('keeps a program that reaches a rule or a reason line not seen before in the campaign, and only then', () => {
    const c = new GuidedCorpus(new CampaignCoverage(10));
    expect(c.offer(p0, 0, cov(['a:1', 'b:2']))).toBe(true);
    expect(c.offer(p1, 1, cov(['b:2']))).toBe(false);
    expect(c.offer(p2, 2, cov(['a:1'], ['R1 invalid mem access N']))).toBe(true);
    expect(c.offer(p3, 3, cov(['a:1'], ['R1 invalid mem access N']))).toBe(false);
    expect(c.offer(p3, 3, cov([], [], ['only the model says this']))).toBe(true);
    expect(c.snapshot().map((e) => e.index)).toEqual([0, 2, 3]);
    expect(c.coverage.summary()).toEqual({ rulesHit: 2, rulesTotal: 10, reasonLines: 1, modelReasonLines: 1 });
    expect(formatCoverage(c.coverage.summary())).toBe('rules 2/10 (20%)  reason lines 1');
  });

  it('is bounded: once full the oldest entry goes; a snapshot does not change afterwards', () => {
    const c = new GuidedCorpus(new CampaignCoverage(10), 2);
    c.offer(p0, 0, cov(['x']));
    c.offer(p1, 1, cov(['y']));
    const before = c.snapshot();
    c.offer(p2, 2, cov(['z']));
    expect(c.size).toBe(2);
    expect(c.admitted).toBe(3);
    expect(c.snapshot().map((e) => e.index)).toEqual([1, 2]);
    expect(before.map((e) => e.index)).toEqual([0, 1]);
    expect(() => new GuidedCorpus(new CampaignCoverage(1), 0)).toThrow(/capacity: expected a positive integer/);
  });
});
