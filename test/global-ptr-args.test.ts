// Global functions with pointer arguments on Debian's 7.2 kernel in QEMU: each program of
// core/model/global-args.cases.ts gives the verdict, errno, reason line and return value listed
// there, and the model predicts the same for each; generated programs with such functions, valid
// and with each mutation kind of mutate-global-ptr.ts, get the model's verdict and reason line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import { GLOBAL_ARG_CASES } from '../core/model/global-args.cases.ts';
import { PROFILES, verify } from '../core/model/index.ts';
import { programFromAsm } from '../core/program/index.ts';
import { generatePrograms, type MutationKind } from '../core/gen/index.ts';

describe('global functions with pointer arguments on the real 7.2', () => {
  let k72: VmPool;
  let k73: VmPool;

  beforeAll(async () => {
    const catalog = readCatalog();
    [k72, k73] = await Promise.all(['7.2', '7.3'].map((id) => VmPool.create({ kernel: resolveKernel(id, catalog), size: 1, timeoutMs: 20_000 })));
  });

  afterAll(async () => {
    await Promise.all([k72?.close(), k73?.close()]);
  });

  it('7.3 gives the same outcomes, bar argument checks whose own line comes with a structured report (a moved ctx, memory too small)', async () => {
    const programs = GLOBAL_ARG_CASES.map((c) => programFromAsm(c.source));
    const outcomes = await k73.run(programs);
    GLOBAL_ARG_CASES.forEach((c, i) => {
      const o = outcomes[i];
      const m = verify(programs[i], PROFILES['linux-7.3'], { jit: false });
      expect({ verdict: o.verdict, errno: o.errno, message: o.message }, c.name).toEqual({ verdict: c.expect.verdict, errno: c.expect.errno, message: c.on73 ?? c.expect.message });
      expect({ verdict: m.verdict, message: m.message, report: m.report }, c.name).toEqual({ verdict: o.verdict, message: o.message, report: o.report });
    });
  });

  it('agrees with the listed outcome and with the model on every case', async () => {
    const programs = GLOBAL_ARG_CASES.map((c) => programFromAsm(c.source));
    const outcomes = await k72.run(programs);
    const seen = outcomes.map((o) => ({ verdict: o.verdict, errno: o.errno, message: o.message, ...(o.retval !== undefined ? { retval: o.retval } : {}) }));
    const model = programs.map((p) => {
      const m = verify(p, PROFILES['linux-7.2'], { jit: false });
      return { verdict: m.verdict, errno: m.errno, message: m.message, ...(m.retval !== undefined ? { retval: m.retval } : {}) };
    });
    GLOBAL_ARG_CASES.forEach((c, i) => {
      expect(seen[i], c.name).toEqual(c.expect);
      expect(model[i], c.name).toEqual(seen[i]);
    });
    expect(outcomes.filter((o) => o.verdict === 'accept').length).toBeGreaterThanOrEqual(8);
    expect(outcomes.filter((o) => o.verdict === 'reject').length).toBeGreaterThanOrEqual(10);
  });

  it('agrees with the model on generated programs, valid and with each mutation kind', async () => {
    const high = { globalRate: 0.6, globalPtrArgRate: 0.8, packetRate: 0 };
    const kinds: MutationKind[] = [
      'global-mem-no-null-check', 'global-mem-past-size', 'global-mem-too-small', 'global-ctx-not-ctx', 'global-mem-nonnull-null', 'global-mem-not-mem', 'global-mem-returned',
    'pkt-global-changes-data',
    ];
    const programs = [
      ...generatePrograms(21, 24, { progType: 'sched_cls', mutationRate: 0, ...high }),
      ...generatePrograms(22, 16, { progType: 'xdp', mutationRate: 0, ...high }),
      ...kinds.flatMap((kind) => generatePrograms(23, 3, { progType: 'sched_cls', mutationRate: 1, mutations: [kind], ...high })),
    ];
    expect(programs.filter((p) => p.funcs.some((f) => f.argTypes)).length).toBeGreaterThan(15);
    const outcomes = await k72.run(programs);
    programs.forEach((p, i) => {
      const m = verify(p, PROFILES['linux-7.2'], { jit: false });
      const k = outcomes[i];
      const what = `${p.meta?.mutation ?? 'valid'} #${i}`;
      expect({ verdict: k.verdict, message: k.message }, what).toEqual({ verdict: m.verdict, message: m.message });
      if (p.meta?.expect !== undefined) expect(k.message, what).toMatch(new RegExp(String(p.meta.expect)));
      if (k.verdict === 'accept' && !m.unpredictable) expect(k.retval, what).toBe(m.retval);
    });
    expect(outcomes.filter((o) => o.verdict === 'accept').length).toBeGreaterThanOrEqual(35);
  });
});
