import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawToHex } from '../isa/raw.ts';
import { validateProgram } from '../program/index.ts';
import { checkGenOptions, DEFAULT_GEN_OPTIONS, generateProgram, generatePrograms, MUTATION_FEATURE, MUTATION_KINDS, Prng, resolveGenOptions } from './index.ts';

const digest = (seed: number, count: number, opts = {}): string => {
  const h = createHash('sha256');
  for (const p of generatePrograms(seed, count, opts)) h.update(rawToHex(p.insns)).update(JSON.stringify(p.funcs)).update(JSON.stringify(p.meta));
  return h.digest('hex');
};

describe('Prng', () => {
  it('gives a fixed sequence for a seed', () => {
    const r = new Prng(1, 2, 3);
    const seq = Array.from({ length: 4 }, () => r.u32());
    expect(seq).toEqual(Array.from({ length: 4 }, ((q) => () => q.u32())(new Prng(1, 2, 3))));
    expect(new Set(seq).size).toBe(4);
  });
  it('keeps int() inside its bounds and reaches both ends', () => {
    const r = Prng.forProgram(5, 0);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(-3, 3);
      expect(v).toBeGreaterThanOrEqual(-3);
      expect(v).toBeLessThanOrEqual(3);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });
});

describe('generateProgram', () => {
  it('gives byte-identical programs for the same seed and options', () => {
    expect(digest(42, 40)).toBe(digest(42, 40));
    expect(digest(42, 40, { funcs: [4, 12], mutationRate: 0.5 })).toBe(digest(42, 40, { funcs: [4, 12], mutationRate: 0.5 }));
    // Program i does not depend on how many came before it.
    expect(rawToHex(generateProgram(42, 17).insns)).toBe(rawToHex(generatePrograms(42, 18)[17].insns));
  });

  it('pins the bytes of seed 1 (a change here changes every campaign: bump GENERATOR_ID)', () => {
    expect(digest(1, 20).slice(0, 16)).toMatchInlineSnapshot(`"11cc591e15788c13"`);
    // bpfdiff-gen/2's pinned bytes, through the gen2 preset: only the version in meta moved on
    const h = createHash('sha256');
    for (const p of generatePrograms(1, 20, { preset: 'gen2' })) h.update(rawToHex(p.insns)).update(JSON.stringify(p.funcs)).update(JSON.stringify({ ...p.meta, generator: 'bpfdiff-gen/2' }));
    expect(h.digest('hex').slice(0, 16)).toBe('1487203a2e3f73af');
  });

  it('gives different programs for different seeds', () => {
    expect(digest(1, 5)).not.toBe(digest(2, 5));
  });

  it('produces well-formed programs in the file format, valid or mutated', () => {
    for (let i = 0; i < 200; i++) {
      const p = generateProgram(3, i, { mutationRate: 0.5, funcs: [1, 16], maxFrames: 10 });
      expect(validateProgram(p)).toEqual([]);
      expect(p.funcs[0]).toMatchObject({ name: 'main', start: 0, args: 1 });
    }
  });

  it('honours the function count and argument options', () => {
    for (let i = 0; i < 50; i++) {
      const p = generateProgram(9, i, { funcs: [5, 5], mutationRate: 0, argWeights: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] });
      expect(p.funcs).toHaveLength(5);
      for (const f of p.funcs.slice(1)) expect(f.args).toBe(12);
    }
  });

  it('records the mutation, its rule and the expected reason in meta', () => {
    for (const kind of MUTATION_KINDS) {
      const feature = MUTATION_FEATURE[kind];
      const p = generateProgram(4, 0, { mutationRate: 1, mutations: [kind], progType: kind.startsWith('sk-') ? 'sched_cls' : 'xdp', ...(feature ? { [feature]: 0.05 } : {}) });
      expect(p.meta).toMatchObject({ mutation: kind, generator: 'bpfdiff-gen/5' });
      expect(() => new RegExp(String(p.meta?.expect))).not.toThrow();
    }
    expect(generateProgram(4, 0, { mutationRate: 0 }).meta?.mutation).toBeUndefined();
  });

  it('keeps call chains within 8 frames unless asked for more', () => {
    const depthOf = (p: ReturnType<typeof generateProgram>): number => {
      const starts = p.funcs.map((f) => f.start);
      const calls: number[][] = p.funcs.map(() => []);
      p.insns.forEach((ins, i) => {
        if (ins.code === 0x85 && ins.src === 1) {
          const from = starts.filter((s) => s <= i).length - 1;
          calls[from].push(starts.indexOf(i + ins.imm + 1));
        }
      });
      const d = (f: number): number => 1 + Math.max(0, ...calls[f].map(d));
      return d(0);
    };
    let deepest = 0;
    for (let i = 0; i < 100; i++) deepest = Math.max(deepest, depthOf(generateProgram(8, i, { funcs: [12, 16], mutationRate: 0 })));
    expect(deepest).toBe(8);
    const deep = generateProgram(8, 0, { mutationRate: 1, mutations: ['too-deep'] });
    expect(depthOf(deep)).toBeGreaterThan(8);
  });
});

describe('options', () => {
  it('names the option and the expected range', () => {
    expect(checkGenOptions({ ...DEFAULT_GEN_OPTIONS, funcs: [0, 17] })[0]).toMatch(/^funcs: expected integers MIN-MAX with 1 <= MIN <= MAX <= 16/);
    expect(checkGenOptions({ ...DEFAULT_GEN_OPTIONS, loopRate: 2 })[0]).toBe('loopRate: expected a number from 0 to 1, got 2');
    expect(() => resolveGenOptions({ mutations: ['nope' as never] })).toThrow(/mutations: unknown kind nope/);
  });
});
