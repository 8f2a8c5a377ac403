// The soundness oracle against the real 7.2.13: a mixed batch (generated call graphs of several
// kinds, corpus programs with maps, packets and helpers) loaded a second time at verifier log
// level 2; every register value the interpreter computes on the taken path lies inside what
// the kernel believed. Then the same kernel with its log doctored to claim a wrong range (every
// u32 it loads at most 63, where the packet is 64 bytes long) is caught, and the reducer keeps
// the class while it shrinks the program.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelRunner } from '../core/diff/index.ts';
import { generatePrograms } from '../core/gen/index.ts';
import { corpusProgram } from '../core/program/corpus.ts';
import { parseProgram, programFromAsm, type Program } from '../core/program/index.ts';
import { Engine } from '../engine/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

function batch(): Program[] {
  const gen = [
    ...generatePrograms(911, 10, { mutationRate: 0 }),
    ...generatePrograms(912, 6, { mutationRate: 0, progType: 'xdp' }),
    ...generatePrograms(913, 6, { mutationRate: 0, pointerArgRate: 0.5, loopRate: 0.3, atomicRate: 0.2 }),
    ...generatePrograms(914, 6, { mutationRate: 0, helperCallRate: 0.3, branchRate: 0.4, helpers: [5, 7, 8, 42] }),
    ...generatePrograms(915, 4, { mutationRate: 0, globalRate: 1 }),
  ];
  const dir = 'corpus/part2';
  const corpus = readdirSync(dir)
    .filter((n) => /^(map_|pkt_|helper_|loop_)/.test(n) && n.endsWith('.s'))
    .sort()
    .slice(0, 16)
    .map((n) => corpusProgram(n, readFileSync(join(dir, n), 'utf8')));
  return [...gen, ...corpus];
}

const plantU32Max63 = (log: string | undefined) => log?.replaceAll('smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)', 'smax=umax=0x3f,var_off=(0x0; 0x3f)');

describe('the soundness oracle on the real 7.2', () => {
  let pool: VmPool;
  beforeAll(async () => {
    pool = await VmPool.create({ kernel: resolveKernel('7.2', readCatalog()), size: 1, timeoutMs: 60_000 });
  });
  afterAll(async () => {
    await pool?.close();
  });
  const level2 = (ps: Program[]) => pool.run(ps, { settings: { logLevel: 2 }, keepLog: true });

  it('checks every comparable accepted program of a mixed batch and finds no verifier-unsound', async () => {
    const engine = new Engine({ runner: { run: (ps) => pool.run(ps), runLevel2: level2 }, soundnessRate: 1 });
    const programs = batch();
    const r = await engine.runBatch(programs, ['7.2']);
    expect(r.divergences.filter((d) => d.class === 'verifier-unsound').map((d) => d.detail)).toEqual([]);
    expect(r.soundness!.programs).toBeGreaterThanOrEqual(25);
    expect(r.soundness!.values).toBeGreaterThan(2000);
    expect(r.soundness!.complete).toBeGreaterThan(5);
  });

  it("catches the real 7.2.13 stack-argument precision bug where the return values agree: the run takes a branch side the verifier never walked", async () => {
    const engine = new Engine({ runner: { run: (ps) => pool.run(ps), runLevel2: level2 }, soundnessRate: 1 });
    // corpus/regressions/stack_arg_precision_unsound_belief.s with both sides of f's branch returning 99
    const regression = readFileSync('corpus/regressions/stack_arg_precision_unsound_belief.s', 'utf8');
    const program = programFromAsm(regression.replace('ok:\n        r0 += 0', 'ok:\n        r0 = 99'));
    const r = await engine.runBatch([program], ['7.2']);
    const unsound = r.divergences.filter((d) => d.class === 'verifier-unsound');
    expect(unsound.map((d) => d.signature)).toEqual(['verifier-unsound|jmp jeq R0 unwalked']);
    expect(unsound[0]!.detail).toMatch(/the run goes on to insn 25 with R0 = 0x40, a way the verifier never walked from the states it pruned against at insn 11/);
    // model and kernel accept with the same return value (99): no retval divergence. The code
    // oracle sees the same bug since it knows skb->mark's offset: the kernel's rewritten f lacks the
    // branch it never walked (the model keeps `if r0 == 3`)
    expect(r.divergences.map((d) => d.class)).toEqual(['xlated', 'verifier-unsound']);
    expect(r.divergences[0]!.detail).toMatch(/^xlated insn 24: model \(15\) if r0 == 0x3 goto pc\+2 \| kernel \(b7\) r0 = 99/);
  });

  it('a kernel whose log claims a wrong range is caught, and the reducer keeps the class', async () => {
    const runner: KernelRunner = {
      run: (ps) => pool.run(ps),
      runLevel2: async (ps) => (await level2(ps)).map((o) => ({ ...o, log: plantU32Max63(o.log) })),
    };
    const engine = new Engine({ runner, soundnessRate: 1 });
    const program = parseProgram(JSON.parse(readFileSync('core/diff/fixtures/log2-7.2-subprog.program.json', 'utf8')));
    const r = await engine.runBatch([program], ['7.2']);
    expect(r.divergences.map((d) => d.signature)).toEqual(['verifier-unsound|alu64 add R0 smax']);
    const red = await engine.reduce(r.divergences[0]!, { maxChecks: 80 });
    expect(red).toBeDefined();
    expect(red!.reducedInsns).toBeLessThan(red!.originalInsns);
    // the reduced program still shows the finding on the (doctored) kernel
    const again = await engine.runBatch([parseProgram(red!.program)], ['7.2']);
    expect(again.divergences.map((d) => d.signature)).toEqual(['verifier-unsound|alu64 add R0 smax']);
  });
});
