import { describe, expect, it } from 'vitest';
import { generatePrograms, Prng } from '../gen/index.ts';
import { BPF_JMP32, BPF_MEMSX, opClass, opMode, rawToHex } from '../isa/index.ts';
import { validateProgram, type Program } from '../program/index.ts';
import { resolveProfile, verify } from '../model/index.ts';
import { normalizeReason } from '../diff/compare.ts';
import { IR_MUTATIONS, mutateProgram, type IrMutation } from './mutate.ts';

const parents = generatePrograms(3, 40, { mutationRate: 0 });
const bytes = (p: Program): string => rawToHex(p.insns) + JSON.stringify(p.funcs);
const mutants = (kinds: readonly IrMutation[] = IR_MUTATIONS, n = 200) =>
  Array.from({ length: n }, (_, i) => mutateProgram(parents[i % parents.length], parents, Prng.forProgram(9, i, 1), kinds));

describe('mutateProgram', () => {
  it('gives the same bytes for the same parent, donors and rng seed', () => {
    const a = mutants().map((m) => bytes(m.program) + m.mutations.join());
    const b = mutants().map((m) => bytes(m.program) + m.mutations.join());
    expect(a).toEqual(b);
    // a different seed gives different programs
    const c = Array.from({ length: 200 }, (_, i) => bytes(mutateProgram(parents[i % 40], parents, Prng.forProgram(10, i, 1)).program));
    expect(c.filter((x, i) => x !== a[i].slice(0, x.length)).length).toBeGreaterThan(150);
  });

  it('keeps every mutant a valid program, different from its parent, and leaves the parent alone', () => {
    const before = parents.map(bytes);
    for (const kind of IR_MUTATIONS) {
      const ms = mutants([kind], 80);
      const applied = ms.filter((m) => m.mutations.length > 0);
      // every kind applies to generated programs (splice-func needs a parent with a subprogram: all have 2+ functions)
      expect(applied.length, kind).toBeGreaterThan(40);
      for (const m of ms) {
        expect(validateProgram(m.program), kind).toEqual([]);
        expect(m.mutations.every((k) => k === kind)).toBe(true);
      }
      // (two mutations of one kind may undo each other, or set an edge value the parent had)
      const changed = ms.filter((m, i) => m.mutations.length > 0 && bytes(m.program) !== bytes(parents[i % 40]));
      expect(changed.length, kind).toBeGreaterThan(0.6 * applied.length);
    }
    expect(parents.map(bytes)).toEqual(before);
  });

  it('reaches JMP32 jumps and sign-extending loads the generator parents do not have', () => {
    const jmp32 = (p: Program) => p.insns.filter((x) => opClass(x.code) === BPF_JMP32).length;
    const ldsx = (p: Program) => p.insns.filter((x) => opMode(x.code) === BPF_MEMSX && opClass(x.code) === 1).length;
    const base32 = parents.reduce((n, p) => n + jmp32(p), 0);
    expect(mutants(['jump-width']).reduce((n, m) => n + jmp32(m.program), 0)).toBeGreaterThan(base32 + 50);
    expect(mutants(['mem-size'], 400).reduce((n, m) => n + ldsx(m.program), 0)).toBeGreaterThan(0);
  });

  it('gives the 7.2 model many more distinct reject reason lines than the parents', () => {
    const profile = resolveProfile('7.2')!;
    const reasons = (ps: Program[]) => new Set(ps.map((p) => verify(p, profile, { jit: false, xlated: false, run: false })).filter((o) => o.verdict === 'reject').map((o) => normalizeReason(o.message)));
    const fromParents = reasons(parents);
    const fromMutants = reasons(mutants(IR_MUTATIONS, 200).map((m) => m.program));
    expect(fromMutants.size).toBeGreaterThan(2 * Math.max(1, fromParents.size));
  }, 180_000);
});
