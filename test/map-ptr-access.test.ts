// Loads through a map pointer on the real 7.2 kernel (Debian 7.2.13 in QEMU): for every program of
// map-ptr-programs.ts the model (core/model/map-ptr-access.ts) gives the kernel's verdict, errno,
// reason line, rewritten program and JIT image, and the kernel's retval wherever it calls the
// retval predictable; also for what a program does with a pointer field it read (stores, calls,
// comparisons, 32-bit ALU, returns).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import { compareOutcomes, explainWithLog } from '../core/diff/index.ts';
import { PROFILES, verify } from '../core/model/index.ts';
import type { Outcome } from '../core/program/types.ts';
import { MAP_PTR_CASES, mapPtrProgram } from './map-ptr-programs.ts';

describe('loads through a map pointer on real 7.2', () => {
  let pool: VmPool;
  let actual: Outcome[];
  const programs = MAP_PTR_CASES.map(mapPtrProgram);
  const model = programs.map((p) => verify(p, PROFILES['linux-7.2']));

  beforeAll(async () => {
    pool = await VmPool.create({ kernel: resolveKernel('7.2', readCatalog()), size: 1, timeoutMs: 20_000, wantJitImage: true, logLevel: 2, keepLog: true });
    actual = await pool.run(programs);
  }, 300_000);

  afterAll(async () => {
    await pool?.close();
  });

  it('the model and the kernel agree on every program (verdict, reason line, errno, xlated, JIT image, retval)', () => {
    const differences = MAP_PTR_CASES.map((c, i) => ({ name: c.name, diff: compareOutcomes(model[i]!, actual[i]!).map((d) => d.detail) }))
      .filter((x) => x.diff.length > 0);
    expect(differences).toEqual([]);
    // the code was compared: both sides have the rewritten program and the image of every accepted program
    const accepted = actual.map((o, i) => [o, model[i]!] as const).filter(([o]) => o.verdict === 'accept');
    expect(accepted).toHaveLength(29);
    for (const [k, m] of accepted) expect([!!k.xlated, !!m.xlated, !!k.jit?.image, !!m.jit?.image]).toEqual([true, true, true, true]);
    // the model covers every one of them: none is `unknown`
    expect(model.filter((o) => o.verdict === 'unknown').map((o) => o.unknown)).toEqual([]);
  });

  it('the model holds the kernel\'s register state at every step (level-2 log): ptr_bpf_map_ops, untrusted_ptr_list_head, rdonly_untrusted_mem, scalars', () => {
    const firstDisagreements = programs.map((p, i) => ({ name: MAP_PTR_CASES[i]!.name, d: explainWithLog(p, 'linux-7.2', actual[i]!.log ?? '') }))
      .filter((x) => x.d?.kind !== 'end');
    expect(firstDisagreements).toEqual([]);
    const ops = actual[MAP_PTR_CASES.findIndex((c) => c.name === 'array ops returned')]!;
    expect(ops.log).toContain('R0=ptr_bpf_map_ops()');
  });

  it('integer fields the test run fixes read back as the kernel has them', () => {
    const byName = (name: string) => actual[MAP_PTR_CASES.findIndex((c) => c.name === name)]!;
    expect(byName('array max_entries')).toMatchObject({ verdict: 'accept', retval: 5 });
    expect(byName('array elem_size')).toMatchObject({ verdict: 'accept', retval: 40 });
    expect(byName('array index_mask')).toMatchObject({ verdict: 'accept', retval: 7 });
    expect(byName('array numa_node')).toMatchObject({ verdict: 'accept', retval: 0xffffffff });
    expect(byName('hash n_buckets')).toMatchObject({ verdict: 'accept', retval: 8 });
    expect(byName('array sha, 8 bytes at offset 0 (the campaign reproducer)')).toMatchObject({ verdict: 'accept', retval: 0 });
    const predicted = model.filter((o) => o.verdict === 'accept' && !o.unpredictable);
    expect(predicted).toHaveLength(16);
  });

  it('pointer fields are accepted and their value is called unpredictable, never guessed', () => {
    const pointerCases = ['array ops returned', 'array union member: work.entry.next', 'array elem_count (pointer to a non-struct)', 'hash hashrnd'];
    for (const name of pointerCases) {
      const i = MAP_PTR_CASES.findIndex((c) => c.name === name);
      expect(actual[i]).toMatchObject({ verdict: 'accept' });
      expect(model[i]).toMatchObject({ verdict: 'accept' });
      expect(model[i]!.unpredictable).toMatch(/fills at run time/);
    }
  });

  it('rejections carry the kernel\'s own lines', () => {
    const rejected = actual.filter((o) => o.verdict === 'reject').map((o) => o.message);
    expect(rejected).toEqual(expect.arrayContaining([
      'R1 is bpf_array invalid negative access: off=-4',
      'only read from bpf_array is supported',
      'access beyond struct bpf_array at off 304 size 4',
      'access beyond the end of member max_entries (mend:80) in struct bpf_map with off 76 size 8',
      'cannot access ptr member ops with moff 40 in struct bpf_map with off 40 size 4',
      "struct bpf_map doesn't have field at offset 252",
      'access beyond struct bpf_htab at off 896 size 4',
      'only read from bpf_htab is supported',
    ]));
  });
});
