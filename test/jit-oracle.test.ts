// The code oracle against the real 7.2.13: a mixed batch (generated call graphs of several
// kinds, and corpus programs with maps, packets and helpers) on the default CPU (qemu64) and on
// Haswell (BMI2, return thunks). The kernel returns the rewritten program and the JIT image of
// every accepted program; the model predicts both; they agree.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes } from '../core/diff/index.ts';
import { generatePrograms } from '../core/gen/index.ts';
import { PROFILES, verify } from '../core/model/index.ts';
import { corpusProgram } from '../core/program/corpus.ts';
import type { Outcome, Program } from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

function batch(): Program[] {
  const noMutations = { mutationRate: 0 };
  const gen = [
    ...generatePrograms(901, 12, noMutations),
    ...generatePrograms(902, 8, { ...noMutations, progType: 'xdp' }),
    ...generatePrograms(903, 8, { ...noMutations, pointerArgRate: 0.5, loopRate: 0.2, atomicRate: 0.2 }),
    ...generatePrograms(904, 8, { ...noMutations, helperCallRate: 0.3, branchRate: 0.35, helpers: [5, 7, 8, 42] }),
    // ctx-field stores and reads (mark, priority, tc_index, cb[]) and the sock_common behind skb->sk
    ...generatePrograms(905, 8, { ...noMutations, ctxWriteRate: 0.6, skbSkRate: 0.6 }),
  ];
  const dir = 'corpus/part2';
  const corpus = readdirSync(dir)
    .filter((n) => /^(map_|pkt_|helper_|loop_)/.test(n) && n.endsWith('.s'))
    .sort()
    .slice(0, 24)
    .map((n) => corpusProgram(n, readFileSync(join(dir, n), 'utf8')));
  return [...gen, ...corpus];
}

describe('xlated and JIT image oracle on the real 7.2', () => {
  let qemu64: VmPool;
  let haswell: VmPool;
  const programs = batch();
  let real: Outcome[];
  let realHaswell: Outcome[];

  beforeAll(async () => {
    const kernel = resolveKernel('7.2', readCatalog());
    [qemu64, haswell] = await Promise.all([
      VmPool.create({ kernel, size: 1, timeoutMs: 30_000 }),
      VmPool.create({ kernel: resolveKernel('7.2@Haswell', readCatalog()), size: 1, timeoutMs: 30_000 }),
    ]);
    [real, realHaswell] = await Promise.all([qemu64.run(programs), haswell.run(programs)]);
  });

  afterAll(async () => {
    await Promise.all([qemu64?.close(), haswell?.close()]);
  });

  it('the kernel returns xlated, image and function lengths for every accepted program, with its CPU model', () => {
    const accepted = real.filter((o) => o.verdict === 'accept');
    expect(accepted.length).toBeGreaterThan(programs.length * 0.6);
    for (const o of accepted) {
      expect(o.cpu).toBe('qemu64');
      expect(o.xlated).toMatch(/^([0-9a-f]{16})+$/);
      expect(o.jit?.image?.length).toBe(2 * o.jit!.funcLens!.reduce((a, b) => a + b, 0));
    }
    expect(realHaswell.find((o) => o.verdict === 'accept')?.cpu).toBe('Haswell');
  });

  it('the model predicts the rewritten program and the image of every accepted program (qemu64)', () => {
    const diffs: string[] = [];
    let compared = 0;
    programs.forEach((p, i) => {
      if (real[i]!.verdict !== 'accept') return;
      const model = verify(p, PROFILES['linux-7.2'], { jit: 'qemu64' });
      expect(model.xlated, `program ${i}: no xlated prediction`).toBeDefined();
      expect(model.jit?.image, `program ${i}: no image prediction`).toBeDefined();
      compared++;
      for (const d of compareOutcomes(model, real[i]!)) if (d.class === 'xlated' || d.class === 'jit') diffs.push(`${i} ${d.class}: ${d.detail}`);
    });
    expect(compared).toBeGreaterThan(40);
    expect(diffs).toEqual([]);
  });

  it('on Haswell the images differ from qemu64 (BMI2 shifts, return thunks) and the model follows the CPU', () => {
    let differ = 0;
    const diffs: string[] = [];
    programs.forEach((p, i) => {
      const k = realHaswell[i]!;
      if (k.verdict !== 'accept') return;
      expect(k.xlated).toBe(real[i]!.xlated); // the verifier's output does not depend on the CPU
      if (k.jit!.image !== real[i]!.jit!.image) differ++;
      const model = verify(p, PROFILES['linux-7.2'], { jit: 'Haswell' });
      for (const d of compareOutcomes(model, k)) if (d.class === 'xlated' || d.class === 'jit') diffs.push(`${i} ${d.class}: ${d.detail}`);
      // the qemu64 prediction is not compared against a Haswell kernel
      expect(compareOutcomes(verify(p, PROFILES['linux-7.2'], { jit: 'qemu64' }), k).filter((d) => d.class === 'jit')).toEqual([]);
    });
    expect(differ).toBeGreaterThan(0);
    expect(diffs).toEqual([]);
  });
});
