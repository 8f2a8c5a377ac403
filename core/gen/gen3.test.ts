// bpfdiff-gen/3: the gen2 preset and zero rates give gen/2's programs byte for byte; the program
// type mix; the feature rates' checks; each new mutation kind gets its reason line from the model.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rawToHex } from '../isa/raw.ts';
import { resolveProfile, verify } from '../model/index.ts';
import { validateProgram, type Program } from '../program/index.ts';
import { generateProgram, parseGenOptions, resolveGenOptions, type GenOptions } from './index.ts';
import { FEATURE_RATES } from './features.ts';
import { GEN2_MUTATION_KINDS, MUTATION_FEATURE, MUTATION_KINDS, MUTATION_RULES, type MutationKind } from './mutations.ts';

interface DigestSet {
  name: string;
  seed: number;
  options: Partial<GenOptions>;
  count: number;
  digest: string;
}
const FIXTURE = JSON.parse(readFileSync(new URL('./testdata/gen2-digests.json', import.meta.url), 'utf8')) as { sets: DigestSet[] };

const programDigest = (p: Program): string =>
  createHash('sha256').update(rawToHex(p.insns)).update(JSON.stringify(p.funcs)).update(JSON.stringify({ ...p.meta, generator: undefined })).update(p.progType).digest('hex');

function setDigest(s: DigestSet, extra: Partial<GenOptions>): { digest: string; nonZeroInput: number } {
  const h = createHash('sha256');
  let nonZeroInput = 0;
  for (let i = 0; i < s.count; i++) {
    const p = generateProgram(s.seed, i, { ...extra, ...s.options });
    h.update(programDigest(p));
    if (p.input.some((b) => b !== 0)) nonZeroInput++;
  }
  return { digest: h.digest('hex'), nonZeroInput };
}

const ZERO_RATES = Object.fromEntries(Object.keys(FEATURE_RATES).map((k) => [k, 0])) as Partial<GenOptions>;

describe('bpfdiff-gen/3 against bpfdiff-gen/2', () => {
  for (const s of FIXTURE.sets) {
    it(`preset gen2 gives gen/2's ${s.count} programs of ${s.name} byte for byte`, () => {
      expect(setDigest(s, { preset: 'gen2' })).toEqual({ digest: s.digest, nonZeroInput: 0 });
    });
  }
  it('every new rate at 0 with sched_cls gives them too, whatever the mutation list holds', () => {
    const s = FIXTURE.sets.find((x) => x.name === 'mut-seed3')!;
    expect(setDigest(s, { ...ZERO_RATES, progType: 'sched_cls' }).digest).toBe(s.digest);
  });
  it('the new defaults give other programs, marked bpfdiff-gen/5', () => {
    const s = FIXTURE.sets[0];
    expect(setDigest({ ...s, count: 50 }, {}).digest).not.toBe(setDigest({ ...s, count: 50 }, { preset: 'gen2' }).digest);
    expect(generateProgram(1, 0).meta?.generator).toBe('bpfdiff-gen/5');
  });
});

describe('program types', () => {
  it('draws sched_cls and xdp by default, in about equal shares', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const t = generateProgram(1, i).progType;
      counts[t] = (counts[t] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['sched_cls', 'xdp']);
    expect(counts.xdp).toBeGreaterThan(150);
    expect(counts.sched_cls).toBeGreaterThan(150);
  });
  it('pins one type with progType and follows progTypes weights', () => {
    for (let i = 0; i < 30; i++) expect(generateProgram(2, i, { progType: 'socket_filter' }).progType).toBe('socket_filter');
    for (let i = 0; i < 30; i++) expect(generateProgram(2, i, { progTypes: { xdp: 1 } }).progType).toBe('xdp');
  });
  it('gives packet programs a packet of random bytes and well-formed programs of every type', () => {
    for (let i = 0; i < 100; i++) {
      const p = generateProgram(5, i, { mutationRate: 0.5, progTypes: { socket_filter: 1, sched_cls: 1, xdp: 1 } });
      expect(validateProgram(p)).toEqual([]);
      expect(p.input.some((b) => b !== 0)).toBe(p.progType !== 'socket_filter');
    }
  });
});

describe('options', () => {
  it('names a bad rate, program-type weight or preset and what was expected', () => {
    expect(() => resolveGenOptions({ packetRate: 2 })).toThrow('packetRate: expected a number from 0 to 1, got 2');
    expect(parseGenOptions({ progTypes: { kprobe: 1 } }).problems[0]).toMatchObject({ option: 'progTypes', problem: expect.stringMatching(/expected an object of non-negative weights by program type \(some of socket_filter, sched_cls, xdp\)/) });
    expect(parseGenOptions({ progTypes: { xdp: 0 } }).problems[0]).toMatchObject({ option: 'progTypes', problem: expect.stringMatching(/not all zero/) });
    expect(parseGenOptions({ preset: 'gen9' }).problems[0]).toEqual({ option: 'preset', problem: 'expected one of gen2, got "gen9"' });
    expect(parseGenOptions({ sdivRate: 'often' }).problems[0]).toEqual({ option: 'sdivRate', problem: 'expected a number from 0 to 1, got "often"' });
  });
  it('lets explicit options override the preset', () => {
    expect(resolveGenOptions({ preset: 'gen2', packetRate: 0.5 }).packetRate).toBe(0.5);
    expect(resolveGenOptions({ preset: 'gen2' }).progTypes).toEqual({ sched_cls: 1 });
  });
});

describe('mutation kinds of gen/3', () => {
  // the map kinds have their own test (body-maps.test.ts)
  const OWN_FEATURES = new Set(['packetRate', 'sdivRate', 'movsxRate', 'ldsxRate', 'bswapRate', 'stackVarRate', 'signedCmpRate']);
  const NEW_KINDS = MUTATION_KINDS.filter((k) => !(GEN2_MUTATION_KINDS as readonly string[]).includes(k) && OWN_FEATURES.has(MUTATION_FEATURE[k] ?? ''));
  it('covers a kind of each of its features', () => expect(NEW_KINDS.length).toBe(24));
  const profile = resolveProfile('7.2')!;
  for (const kind of NEW_KINDS) {
    it(`${kind}: the 7.2 model rejects with the expected reason (${MUTATION_RULES[kind as MutationKind].rule})`, () => {
      for (let i = 0; i < 12; i++) {
        const p = generateProgram(11, i, { mutationRate: 1, mutations: [kind as MutationKind], progTypes: { sched_cls: 1, xdp: 1 } });
        expect(p.meta).toMatchObject({ mutation: kind, rule: MUTATION_RULES[kind as MutationKind].rule });
        const out = verify(p, profile, { xlated: false, jit: false, run: false });
        expect(out.verdict, `program ${i}: ${out.message}`).toBe('reject');
        expect(out.message).toMatch(new RegExp(String(p.meta?.expect)));
      }
    });
  }
  it('draws no kind whose feature is off', () => {
    for (let i = 0; i < 50; i++) {
      const m = generateProgram(12, i, { mutationRate: 1, packetRate: 0, progType: 'socket_filter' }).meta?.mutation;
      expect(String(m)).not.toMatch(/^pkt-/);
    }
  });
});
