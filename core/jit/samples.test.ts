// A mixed batch of real images (generated call graphs of every generator setting and corpus
// programs; 7.2.13 under qemu64 and Haswell, 7.3-rc7 under qemu64), recorded by
// scripts/record-jit-samples.ts and cut down by scripts/jit-fixture.ts: the model predicts
// every one outside the mask.
import { describe, expect, it } from 'vitest';
import { imageDiff } from './compare.ts';
import { loadFixtures, predict } from './testdata/fixture.ts';

const samples = loadFixtures('./samples.jsonl');

describe('real images', () => {
  it('covers both kernels, both CPU models and several generator settings', () => {
    expect(new Set(samples.map((s) => `${s.kernel} ${s.cpu}`))).toEqual(new Set(['7.2 qemu64', '7.2 Haswell', '7.3 qemu64']));
    expect(new Set(samples.map((s) => s.name)).size).toBeGreaterThanOrEqual(4);
  });

  it.each(samples.map((s, i) => [i, s.name, `${s.kernel} ${s.cpu}`, s] as const))('#%i %s on %s: image and function lengths', (_i, _n, _c, s) => {
    const d = imageDiff(predict(s), s.image, s.funcLens);
    expect(d).toEqual({ equal: true, funcLensEqual: true });
  });
});

describe('rule programs on every kernel and CPU recorded', () => {
  const rules = loadFixtures('./rules.jsonl');
  it.each(rules.map((r) => [r.name, r.kernel, r.cpu, r] as const))('%s on %s %s', (_n, _k, _c, r) => {
    expect(imageDiff(predict(r), r.image, r.funcLens)).toEqual({ equal: true, funcLensEqual: true });
  });
});
