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

describe('kernelEmitterOf', () => {
  it('names the emitting kernel function of an instruction, for divergence signatures', async () => {
    const { kernelEmitterOf } = await import('./emitters.ts');
    const { assemble } = await import('../isa/index.ts');
    const names = assemble('r1 = 5\nw2 <<= w3\n*(u64 *)(r11 -16) = r1\nr0 = *(u64 *)(r11 +8)\nif r1 > 3 goto +0\ncall 7\nexit').insns.map(kernelEmitterOf);
    expect(names).toEqual(['emit_mov_imm32', 'emit_shift_reg', 'emit_stx(stack arg)', 'emit_ldx(stack arg)', 'emit_cond_jmp', 'emit_call', 'emit_epilogue']);
    expect(kernelEmitterOf(undefined)).toBe('emit_prologue');
  });
});
