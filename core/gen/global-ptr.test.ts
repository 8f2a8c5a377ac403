// Global functions with pointer arguments in generated programs, judged by the 7.2 and 7.3
// models: valid programs are accepted with a retval nothing nondeterministic reaches and carry
// the BTF types in their function table; each mutation kind is rejected with its reason line
// (packet statements left out there: a variable-offset packet re-check the 7.2 model rejects, known since gen/4).
import { describe, expect, it } from 'vitest';
import { resolveProfile, verify } from '../model/index.ts';
import type { ProgType } from '../program/index.ts';
import { generatePrograms, parseGenOptions, type MutationKind } from './index.ts';

const profiles = [resolveProfile('7.2')!, resolveProfile('7.3')!];
const HIGH = { globalRate: 0.6, globalPtrArgRate: 0.8 };

describe('global functions with pointer arguments', () => {
  for (const progType of ['sched_cls', 'xdp', 'socket_filter'] as ProgType[]) {
    it(`${progType}: valid programs are accepted and declare ctx and memory arguments`, () => {
      const types = new Set<string>();
      let typed = 0;
      for (const p of generatePrograms(5, 60, { progType, mutationRate: 0, ...HIGH })) {
        const fTypes = p.funcs.flatMap((f) => f.argTypes ?? []);
        if (fTypes.length > 0) typed++;
        for (const t of fTypes) types.add(t.replace(/\d+/, 'N'));
        for (const profile of profiles) {
          const o = verify(p, profile, { jit: false });
          expect(o.verdict, `#${p.meta?.index}: ${o.message}${o.unknown ?? ''}`).toBe('accept');
          expect(o.unpredictable, `#${p.meta?.index}`).toBeUndefined();
        }
      }
      expect(typed).toBeGreaterThan(10);
      expect([...types].sort()).toEqual(progType === 'socket_filter' ? expect.arrayContaining(['mem:N', 'mem:N:nonnull', 'scalar']) : ['ctx', 'mem:N', 'mem:N:nonnull', 'scalar']);
    });
  }

  it('passes NULL, locals and map values (maps only while mapRate > 0)', () => {
    const lookups = (mapRate: number) =>
      generatePrograms(9, 80, { progType: 'sched_cls', mutationRate: 0, ...HIGH, mapRate, mapArgRate: 0, mapValueImmRate: 0, packetRate: 0, helperRate: 0, socketRate: 0 }).filter((p) => p.maps.length > 0).length;
    expect(lookups(0)).toBe(0);
    expect(lookups(0.01)).toBeGreaterThan(3);
  });

  const KINDS: MutationKind[] = [
    'global-mem-no-null-check', 'global-mem-past-size', 'global-mem-too-small', 'global-ctx-not-ctx', 'global-mem-nonnull-null', 'global-mem-not-mem', 'global-mem-returned',
    'pkt-global-changes-data',
  ];
  for (const kind of KINDS) {
    it(`mutation ${kind}: the 7.2 and 7.3 models reject with the expected reason line`, () => {
      for (const progType of ['sched_cls', 'xdp'] as ProgType[]) {
        for (const p of generatePrograms(6, 12, { progType, mutationRate: 1, mutations: [kind], packetRate: 0 })) {
          expect(p.meta?.mutation).toBe(kind);
          for (const profile of profiles) {
            const o = verify(p, profile, { xlated: false, jit: false });
            expect(o.verdict, `#${p.meta?.index}`).toBe('reject');
            // 7.3 gives a moved ctx's own line, which carries its structured report (global-args.cases.ts)
            const expect73 = profile.id === 'linux-7.3' && /^dereference of modified ctx ptr R1 off=\d+ disallowed$/.test(o.message);
            if (!expect73) expect(o.message, `#${p.meta?.index}`).toMatch(new RegExp(String(p.meta?.expect)));
          }
        }
      }
    });
  }

  it('names a bad rate, and draws no mutation of the feature at rate 0', () => {
    expect(parseGenOptions({ globalPtrArgRate: 2 }).problems).toEqual([{ option: 'globalPtrArgRate', problem: 'expected a number from 0 to 1, got 2' }]);
    const kinds = new Set(generatePrograms(3, 200, { globalPtrArgRate: 0, mutationRate: 1 }).map((p) => String(p.meta?.mutation)));
    expect([...kinds].filter((k) => k.startsWith('global-mem') || k.startsWith('global-ctx'))).toEqual([]);
  });
});
