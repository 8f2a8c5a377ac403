// The JIT model against freshly booted real kernels: a mixed batch (the rule programs of
// core/jit/testdata/rules and generated call graphs) on 7.2.13 under QEMU's default qemu64 CPU
// and under Haswell (BMI2, return thunk), and on 7.3-rc7. Each accepted program's image is
// predicted from the kernel's own rewritten program and the verifier model's stack facts, and
// must equal the kernel's outside the masked bytes, with the same function lengths.
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrograms } from '../core/gen/index.ts';
import { assemble } from '../core/isa/index.ts';
import { rawFromHex } from '../core/isa/raw.ts';
import { cpuModel, funcStartsOf, imageDiff, jitFuncs, jitKernel, jitProgram } from '../core/jit/index.ts';
import { check, resolveProfile } from '../core/model/index.ts';
import type { Outcome, Program } from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import { casesFromKernel, renderJitCase } from '../cli/jit-disasm.ts';

const RULES = new URL('../core/jit/testdata/rules/', import.meta.url);

function batch(): Program[] {
  const rules = readdirSync(RULES).filter((n) => n.endsWith('.s')).sort().map((n) => {
    const a = assemble(readFileSync(new URL(n, RULES), 'utf8'));
    return { progType: a.progType ?? 'sched_cls', insns: a.insns, funcs: a.funcs, maps: a.maps, input: a.input ?? new Uint8Array(64) } satisfies Program;
  });
  return [...rules, ...generatePrograms(77, 30, { mutationRate: 0 }), ...generatePrograms(78, 10, { mutationRate: 0, helperCallRate: 0.3, helpers: [5, 7, 8, 42] })];
}

function compare(programs: Program[], outcomes: Outcome[], kernelId: string, cpu: string) {
  const profile = resolveProfile(kernelId)!;
  const rows = outcomes.flatMap((o, i) => {
    if (o.verdict !== 'accept' || !o.xlated || !o.jit?.image) return [];
    const xl = rawFromHex(o.xlated);
    const info = check(programs[i]!, profile).subprogInfo ?? [];
    const pred = jitProgram(xl, jitFuncs(funcStartsOf(xl), info), cpuModel(cpu), jitKernel(kernelId));
    return [{ i, pred, real: o.jit.image, diff: imageDiff(pred, o.jit.image, o.jit.funcLens ?? []) }];
  });
  return rows;
}

describe('JIT model against real kernels', () => {
  const programs = batch();
  const pools: Record<string, VmPool> = {};
  const outcomes: Record<string, Outcome[]> = {};

  beforeAll(async () => {
    const catalog = readCatalog();
    const setups: Array<[string, string, string]> = [['7.2 qemu64', '7.2', 'qemu64'], ['7.2 Haswell', '7.2', 'Haswell'], ['7.3 qemu64', '7.3', 'qemu64']];
    await Promise.all(setups.map(async ([key, id, cpu]) => {
      pools[key] = await VmPool.create({ kernel: resolveKernel(id, catalog), size: 1, timeoutMs: 30_000, cpuModel: cpu });
      outcomes[key] = await pools[key]!.run(programs);
    }));
  });

  afterAll(async () => {
    await Promise.all(Object.values(pools).map((p) => p.close()));
  });

  it.each([['7.2 qemu64', '7.2', 'qemu64'], ['7.2 Haswell', '7.2', 'Haswell'], ['7.3 qemu64', '7.3', 'qemu64']])('%s: every accepted program is predicted outside the mask', (key, id, cpu) => {
    const rows = compare(programs, outcomes[key]!, id, cpu);
    expect(rows.length).toBeGreaterThanOrEqual(30);
    const bad = rows.filter((r) => !r.diff.equal).map((r) => ({ program: r.i, ...r.diff }));
    expect(bad).toEqual([]);
  });

  it('the CPU model shapes the image: Haswell returns through a thunk and shifts with shlx/shrx/sarx', () => {
    const shifts = programs.findIndex((p) => p.insns.some((x) => (x.code & 0xf0) === 0x60 && (x.code & 0x0f) === 0x0f));
    const q = outcomes['7.2 qemu64']![shifts]!.jit!.image!;
    const h = outcomes['7.2 Haswell']![shifts]!.jit!.image!;
    expect(q).not.toBe(h);
    expect(q.endsWith('c9c3cc')).toBe(true); // leave; ret; int3
    expect(h).toMatch(/c9e9[0-9a-f]{8}$/); // leave; jmp __x86_return_thunk
    expect(h).toContain('c4e2e9f7c0'); // shlx rax, rax, rdx
    expect(q).not.toContain('c4e2e9f7c0');
  });

  it('bpfdiff disasm --jit --kernel 7.2 --cpu Haswell: a real run shown beside the prediction, equal', async () => {
    const seven = programs.find((p) => p.funcs.length === 4 && p.funcs.some((f) => f.args === 12))!; // rules/calls.s
    const [c] = await casesFromKernel([seven], '7.2', 'Haswell');
    expect(typeof c).not.toBe('string');
    const lines = renderJitCase(c as Exclude<typeof c, string | undefined>);
    expect(lines[0]).toMatch(/^; predicted from the model's xlated/);
    expect(lines[2]).toMatch(/^; equal outside the \d+ masked ranges$/);
    expect(lines.some((l) => /^ +[0-9a-f]+ {2}4c8b6d10 +mov r13,\[rbp\+10h\] +\| +[0-9a-f]+ {2}4c8b6d10 /.test(l))).toBe(true); // argument 7 read from [rbp+16]
  });
});
