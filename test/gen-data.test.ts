// The generator's data features on the real 7.2 kernel: programs with map statements and
// map-value arguments (registers and r11 slots), helper calls and socket lookups are accepted
// with the model's retval.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrograms, type GenOptions } from '../core/gen/index.ts';
import { PROFILES, verify } from '../core/model/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

const FEATURES: Array<[string, Partial<GenOptions>]> = [
  ['maps', { mapRate: 0.2, mapArgRate: 0.2 }],
  ['helpers and sockets (sched_cls)', { progType: 'sched_cls', helperRate: 0.2, socketRate: 0.1 }],
  ['maps, helpers and sockets (xdp)', { progType: 'xdp', mapRate: 0.05, mapArgRate: 0.05, helperRate: 0.2, socketRate: 0.1 }],
];

describe('data features on the real 7.2 kernel', () => {
  let pool: VmPool;
  beforeAll(async () => {
    pool = await VmPool.create({ kernel: resolveKernel('7.2', readCatalog()), size: 1, timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  for (const [name, options] of FEATURES) {
    it(`${name}: 80 valid programs, all accepted, and the kernel's retval is the model's`, async () => {
      const programs = generatePrograms(31, 80, { mutationRate: 0, ...options });
      const actual = await pool.run(programs);
      const problems: string[] = [];
      programs.forEach((p, i) => {
        const m = verify(p, PROFILES['linux-7.2']);
        if (actual[i].verdict !== 'accept') problems.push(`#${i}: kernel ${actual[i].verdict} ${actual[i].message}`);
        else if (m.verdict !== 'accept' || m.unpredictable) problems.push(`#${i}: model ${m.verdict} ${m.message}${m.unknown ?? ''}${m.unpredictable ?? ''}`);
        else if (m.retval !== actual[i].retval) problems.push(`#${i}: retval model ${m.retval} kernel ${actual[i].retval}`);
      });
      expect(problems, problems.join('\n')).toEqual([]);
    });
  }
});
