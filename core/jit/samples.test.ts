// A mixed batch of real 7.2.13 images (generated call graphs of every generator setting and
// corpus programs, under qemu64 and Haswell), recorded by scripts/record-jit-samples.ts and
// cut down by scripts/jit-fixture.ts: the model predicts every one outside the mask.
import { describe, expect, it } from 'vitest';
import { imageDiff } from './compare.ts';
import { loadFixtures, predict } from './testdata/fixture.ts';

const samples = loadFixtures('./samples-7.2.jsonl');

describe('real images', () => {
  it('covers both CPU models and several generator settings', () => {
    expect(new Set(samples.map((s) => s.cpu))).toEqual(new Set(['qemu64', 'Haswell']));
    expect(new Set(samples.map((s) => s.name)).size).toBeGreaterThanOrEqual(4);
  });

  it.each(samples.map((s, i) => [i, s.name, s.cpu, s] as const))('#%i %s on %s: image and function lengths', (_i, _n, _c, s) => {
    const d = imageDiff(predict(s), s.image, s.funcLens);
    expect(d).toEqual({ equal: true, funcLensEqual: true });
  });
});
