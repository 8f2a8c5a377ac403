// Helper and socket statements in generated programs, judged by the 7.2 model: only helpers the
// program type may call, valid programs accepted with a retval nothing nondeterministic reaches,
// each helper and socket mutation rejected with its rule's reason line.
import { describe, expect, it } from 'vitest';
import { helperAvailable } from '../model/helpers.ts';
import { resolveProfile, verify } from '../model/index.ts';
import type { ProgType } from '../program/index.ts';
import { generatePrograms, parseGenOptions, type MutationKind } from './index.ts';

const profile = resolveProfile('7.2')!;
const helpersOf = (insns: ReturnType<typeof generatePrograms>[number]['insns']): number[] =>
  insns.filter((i) => i.code === 0x85 && i.src === 0).map((i) => i.imm);

describe('helper and socket statements', () => {
  for (const progType of ['sched_cls', 'xdp', 'socket_filter'] as ProgType[]) {
    it(`${progType}: calls only helpers the type may use; the model accepts each valid program with a reproducible retval`, () => {
      const programs = generatePrograms(41, 40, { progType, mutationRate: 0, helperRate: 0.25, socketRate: 0.15, mapRate: 0, mapArgRate: 0 });
      const seen = new Set<number>();
      for (const p of programs) {
        for (const id of helpersOf(p.insns)) {
          expect(helperAvailable(progType, id), `helper ${id}`).toBe(true);
          seen.add(id);
        }
        const o = verify(p, profile, { xlated: false, jit: false });
        expect(o.verdict, `#${p.meta?.index}: ${o.message}${o.unknown ?? ''}`).toBe('accept');
        // clock and prandom results are dropped: nothing unpredictable reaches the checksum
        expect(o.unpredictable).toBeUndefined();
      }
      const expected: Record<ProgType, number[]> = {
        sched_cls: [5, 7, 8, 9, 26, 28, 39, 42, 84, 85, 86, 125, 160],
        xdp: [5, 7, 8, 28, 42, 84, 85, 86, 125, 160],
        socket_filter: [5, 7, 8, 26, 42, 125, 160],
      };
      expect([...seen].sort((a, b) => a - b)).toEqual(expected[progType]);
    });
  }

  const KINDS: MutationKind[] = ['helper-bad-arg', 'helper-bad-size', 'helper-not-allowed', 'sock-leak', 'sock-release-unchecked', 'sock-use-after-release', 'sock-release-non-socket'];
  for (const kind of KINDS) {
    it(`mutation ${kind}: the 7.2 model rejects with the expected reason line (sched_cls, xdp)`, () => {
      const reasons = new Set<string>();
      for (const progType of ['sched_cls', 'xdp'] as ProgType[]) {
        for (const p of generatePrograms(6, 15, { progType, mutationRate: 1, mutations: [kind], helperRate: 0.05, socketRate: 0.05 })) {
          expect(p.meta?.mutation).toBe(kind);
          const o = verify(p, profile, { xlated: false, jit: false });
          expect(o.verdict, `#${p.meta?.index}`).toBe('reject');
          expect(o.message, `#${p.meta?.index}`).toMatch(new RegExp(String(p.meta?.expect)));
          reasons.add(o.message.replace(/-?\d+/g, 'N'));
        }
      }
      const variants: Partial<Record<MutationKind, number>> = { 'helper-bad-arg': 3, 'helper-bad-size': 4, 'helper-not-allowed': 4, 'sock-use-after-release': 2, 'sock-release-non-socket': 3 };
      expect(reasons.size).toBeGreaterThanOrEqual(variants[kind] ?? 1);
    });
  }

  it('names a bad helper or socket rate', () => {
    expect(parseGenOptions({ helperRate: -1 }).problems).toEqual([{ option: 'helperRate', problem: 'expected a number from 0 to 1, got -1' }]);
    expect(parseGenOptions({ socketRate: [1] }).problems).toEqual([{ option: 'socketRate', problem: 'expected a number from 0 to 1, got [1]' }]);
  });
});
