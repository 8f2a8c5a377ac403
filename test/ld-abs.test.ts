// LD_ABS / LD_IND (check_ld_abs) on the real kernels: hand-written programs for each rule (program
// type, R6 the unmodified ctx, references held, R1-R5 clobbered, a subprogram's hidden exit
// returning 0), whose verdict, reason line and retval the model must give under each kernel's profile
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES, verify } from '../core/model/index.ts';
import { programFromAsm } from '../core/program/assemble.ts';
import type { Outcome } from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

const dir = new URL('./fixtures/ld-abs/', import.meta.url);
const names = readdirSync(dir).filter((n) => n.endsWith('.s')).sort();
const programs = names.map((n) => programFromAsm(readFileSync(new URL(n, dir), 'utf8')));
const facts = (o: Outcome) => `${o.verdict} ${o.errno} ${o.message} ${o.retval ?? ''}`.trim();

describe('LD_ABS / LD_IND on real kernels', () => {
  const pools = new Map<string, VmPool>();
  beforeAll(async () => {
    const catalog = readCatalog();
    for (const id of ['7.2', '7.3', '6.12']) pools.set(id, await VmPool.create({ kernel: resolveKernel(id, catalog), size: 1, timeoutMs: 30_000 }));
  });
  afterAll(async () => {
    await Promise.all([...pools.values()].map((p) => p.close()));
  });

  it('the model gives what 7.2, 7.3 and 6.12 give for every program', async () => {
    expect(names).toHaveLength(8);
    for (const [kernel, profile] of [['7.2', 'linux-7.2'], ['7.3', 'linux-7.3'], ['6.12', 'linux-6.12']] as const) {
      const real = await pools.get(kernel)!.run(programs);
      expect(programs.map((p) => facts(verify(p, PROFILES[profile]))), kernel).toEqual(real.map(facts));
    }
    const on72 = await pools.get('7.2')!.run(programs);
    const byName = Object.fromEntries(names.map((n, i) => [n, facts(on72[i]!)]));
    expect(byName['subprog-oob.s']).toBe('accept 0  7');
    expect(byName['abs-sizes.s']).toBe('accept 0  1000');
    expect(byName['holding-reference.s']).toBe('reject 22 BPF_LD_[ABS|IND] would lead to reference leak');
    expect(byName['xdp.s']).toBe('reject 22 BPF_LD_[ABS|IND] instructions not allowed for this program type');
  });
});
