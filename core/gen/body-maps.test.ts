// Map statements and map-value arguments in generated programs, judged by the 7.2 model: the
// valid ones are accepted (with a retval the test run can check), each map mutation is rejected
// with its rule's reason line, and with the map rates at 0 the programs are those of before.
import { describe, expect, it } from 'vitest';
import { resolveProfile, verify } from '../model/index.ts';
import { generatePrograms, parseGenOptions, type MutationKind } from './index.ts';

const profile = resolveProfile('7.2')!;
const MAP_MUTATIONS: MutationKind[] = ['map-no-null-check', 'map-value-past-end', 'map-value-unbounded', 'map-bad-key', 'map-update-uninit', 'map-ptr-alu'];

describe('map features', () => {
  it('declares no map while mapRate and mapArgRate are 0 (gen3.test.ts checks the bytes against gen/2)', () => {
    for (const p of generatePrograms(1, 40, { preset: 'gen2' })) expect(p.maps).toEqual([]);
  });

  it('declares the maps it uses; the 7.2 model accepts every valid program with a predictable retval', () => {
    const programs = generatePrograms(21, 30, { mutationRate: 0, mapRate: 0.2, mapArgRate: 0.2 });
    const helpers = new Set<number>();
    let argPrograms = 0;
    for (const p of programs) {
      for (const insn of p.insns) {
        if (insn.code === 0x85 && insn.src === 0) helpers.add(insn.imm);
        // map references are indexes into the program's declared maps
        if (insn.code === 0x18 && insn.src === 1) expect(insn.imm).toBeLessThan(p.maps.length);
      }
      // a map-value pointer for a callee: right after the NULL check the lookup's result is spilled, to be reloaded into the argument
      if (p.insns.some((insn, i) => insn.code === 0x15 && insn.dst === 0 && insn.imm === 0 && p.insns[i + 1]?.code === 0x7b && p.insns[i + 1].dst === 10 && p.insns[i + 1].src === 0)) argPrograms++;
      const o = verify(p, profile, { xlated: false, jit: false });
      expect(o.verdict, `#${p.meta?.index}: ${o.message}${o.unknown ?? ''}`).toBe('accept');
      expect(o.unpredictable).toBeUndefined();
      expect(o.retval).toBeTypeOf('number');
    }
    expect(programs.filter((p) => p.maps.length > 0).length).toBeGreaterThan(25);
    expect([...helpers].filter((h) => h <= 3).sort()).toEqual([1, 2, 3]);
    expect(argPrograms).toBeGreaterThan(6);
  });

  for (const kind of MAP_MUTATIONS) {
    it(`mutation ${kind}: the 7.2 model gives the expected reason line`, () => {
      const programs = generatePrograms(5, 30, { mutationRate: 1, mutations: [kind], mapRate: 0.05 });
      const reasons = new Set<string>();
      for (const p of programs) {
        expect(p.meta?.mutation).toBe(kind);
        const o = verify(p, profile, { xlated: false, jit: false });
        expect(o.message, `#${p.meta?.index}`).toMatch(new RegExp(String(p.meta?.expect)));
        if (kind === 'map-update-uninit') {
          expect(o.verdict).toBe('accept');
        } else {
          expect(o.verdict).toBe('reject');
          reasons.add(o.message.replace(/-?\d+/g, 'N'));
        }
      }
      // the kinds with several variants reach each of them
      const variants: Partial<Record<MutationKind, number>> = { 'map-value-past-end': 2, 'map-value-unbounded': 3, 'map-bad-key': 3, 'map-ptr-alu': 5 };
      expect(reasons.size).toBeGreaterThanOrEqual(variants[kind] ?? (kind === 'map-update-uninit' ? 0 : 1));
    });
  }

  it('is not drawn while mapRate is 0', () => {
    for (const p of generatePrograms(5, 20, { mutationRate: 1, mapRate: 0, mapArgRate: 0 })) expect(MAP_MUTATIONS).not.toContain(p.meta?.mutation);
  });

  it('names a bad map option', () => {
    expect(parseGenOptions({ mapRate: 2 }).problems).toEqual([{ option: 'mapRate', problem: 'expected a number from 0 to 1, got 2' }]);
    expect(parseGenOptions({ mapArgRate: 'x' }).problems).toEqual([{ option: 'mapArgRate', problem: 'expected a number from 0 to 1, got "x"' }]);
  });
});
