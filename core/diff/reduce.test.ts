import { describe, expect, it } from 'vitest';
import { PROFILES, type Profile } from '../model/index.ts';
import { generateProgram } from '../gen/index.ts';
import { parseProgram, validateProgram } from '../program/index.ts';
import { modelRunner, modelVerify, reduceProgram, runBatch, signatureOracle, type KernelRunner, type KernelTarget } from './index.ts';

// A planted divergence: the "model" believes functions take at most 7 arguments, while the
// "kernel" (the unaltered 7.2 profile) allows 12. Every call to a function of 8 or more arguments diverges.
const planted: Profile = { ...PROFILES['linux-7.2'], limits: { ...PROFILES['linux-7.2'].limits, maxFuncArgs: 7 } };
const verify = modelVerify({ planted });
const runner = modelRunner(() => 'linux-7.2');
const kernels: KernelTarget[] = [{ id: '7.2', profile: 'planted' }];

describe('reduceProgram', () => {
  it('shrinks a planted divergence to at most 10 instructions that still show it', async () => {
    const programs = Array.from({ length: 40 }, (_, i) => generateProgram(21, i, { mutationRate: 0, atomicRate: 0, funcs: [3, 6] }));
    const batch = await runBatch(programs, kernels, { runner, verify });
    const found = batch.divergences.find((d) => d.class === 'verdict-model-reject' && /supports at most 7 parameters/.test(d.model.message));
    expect(found, 'the planted limit shows on generated programs').toBeDefined();
    const original = parseProgram(found!.program);
    const oracle = signatureOracle(found!.signature, kernels, { runner, verify });
    const r = await reduceProgram(original, oracle, { batchSize: 16 });
    expect(r.reducedInsns).toBeLessThanOrEqual(10);
    expect(r.ratio).toBeGreaterThan(original.insns.length / 11);
    expect(validateProgram(r.program)).toEqual([]);
    // The reduced program still shows the same finding, and the oracle agrees.
    expect(await oracle([r.program])).toEqual([true]);
    const again = await runBatch([r.program], kernels, { runner, verify });
    expect(again.divergences.map((d) => d.signature)).toContain(found!.signature);
  }, 120_000);

  it('returns the program unchanged when nothing smaller shows the divergence', async () => {
    const p = generateProgram(5, 1, { mutationRate: 0, funcs: [1, 1] });
    const r = await reduceProgram(p, async (cands) => cands.map(() => false));
    expect(r.program.insns).toEqual(p.insns);
    expect(r.ratio).toBe(1);
    expect(r.checks).toBeGreaterThan(0);
  });
});

describe('signatureOracle', () => {
  it('answers a candidate whose model outcome rules the signature out without loading it', async () => {
    const programs = Array.from({ length: 40 }, (_, i) => generateProgram(21, i, { mutationRate: 0, atomicRate: 0, funcs: [3, 6] }));
    const batch = await runBatch(programs, kernels, { runner, verify });
    const found = batch.divergences.find((d) => d.class === 'verdict-model-reject')!;
    const diverging = parseProgram(found.program);
    const agreeing = programs.find((_, i) => !batch.divergences.some((d) => d.index === i) && verify(programs[i]!, 'planted').verdict === 'accept')!;
    const loaded: number[] = [];
    const counting: KernelRunner = { run: async (ps, id) => { loaded.push(ps.length); return runner.run(ps, id); } };
    // the model accepts `agreeing`, so it cannot show a model-reject divergence: it is not loaded
    const oracle = signatureOracle(found.signature, kernels, { runner: counting, verify });
    expect(await oracle([agreeing, diverging])).toEqual([false, true]);
    expect(loaded).toEqual([1]);
    // without the pre-check both go to the kernel, with the same answers
    loaded.length = 0;
    const plain = signatureOracle(found.signature, kernels, { runner: counting, verify }, { modelPrecheck: false });
    expect(await plain([agreeing, diverging])).toEqual([false, true]);
    expect(loaded).toEqual([2]);
    // a crash may come from any program: nothing is left out
    loaded.length = 0;
    await signatureOracle('kernel-crash|BUG: kernel NULL pointer dereference', kernels, { runner: counting, verify })([agreeing, diverging]);
    expect(loaded).toEqual([2]);
  });
});
