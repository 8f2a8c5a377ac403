// The agreement test of the model with real kernels: every corpus program (the kernel's own
// stack-argument selftests, rewritten) runs on Debian's 7.2 and 6.12 kernels and on the model
// under each kernel's profile. Any verdict, reason-line or retval difference fails the test
// unless corpus/known-gaps.json lists it with a reason; a listed gap that agrees by now fails
// too, so the list is kept honest.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes } from '../core/diff/index.ts';
import { resolveProfile, verify } from '../core/model/index.ts';
import { CORPUS_KERNELS, corpusProgram, parseCorpusExpectations } from '../core/program/corpus.ts';
import type { Outcome, Program } from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

const corpusDir = fileURLToPath(new URL('../corpus/', import.meta.url));
const gaps = (JSON.parse(readFileSync(`${corpusDir}known-gaps.json`, 'utf8')) as { gaps: Record<string, string> }).gaps;

interface Entry {
  key: string;
  program: Program;
}

function loadSet(set: string): Entry[] {
  const dir = `${corpusDir}${set}/`;
  if (!existsSync(`${dir}expected.json`)) return [];
  const expectations = parseCorpusExpectations(JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.s'))
    .sort()
    .map((f) => f.slice(0, -2))
    .filter((name) => expectations.has(name))
    .map((name) => ({ key: `${set}/${name}`, program: corpusProgram(name, readFileSync(`${dir}${name}.s`, 'utf8')) }));
}

const entries = readdirSync(corpusDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => loadSet(d.name));

/** what a person compares: verdict, reason line, retval (errno as the kernel gave it) */
const facts = (o: Outcome) => ({ verdict: o.verdict, message: o.message, errno: o.errno, retval: o.retval });

describe('corpus: the model agrees with the real kernels', () => {
  const pools = new Map<string, VmPool>();
  const actual = new Map<string, Outcome[]>();

  beforeAll(async () => {
    const catalog = readCatalog();
    await Promise.all(
      CORPUS_KERNELS.map(async (id) => {
        const pool = await VmPool.create({ kernel: resolveKernel(id, catalog), size: 1, timeoutMs: 20_000 });
        pools.set(id, pool);
        actual.set(id, await pool.run(entries.map((e) => e.program)));
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([...pools.values()].map((p) => p.close()));
  });

  it('has the selftest corpus to run', () => {
    expect(entries.filter((e) => e.key.startsWith('selftests/')).length).toBeGreaterThanOrEqual(25);
  });

  for (const kernel of CORPUS_KERNELS) {
    it(`on ${kernel}: every difference is a listed known gap, and every listed gap still differs`, () => {
      const profile = resolveProfile(kernel)!;
      const unexpected: string[] = [];
      const stale: string[] = [];
      entries.forEach((e, i) => {
        const real = actual.get(kernel)![i];
        const model = verify(e.program, profile);
        const diffs = compareOutcomes(model, real).filter((d) => d.class !== 'kernel-warning');
        const gapKey = `${e.key}@${kernel}`;
        if (diffs.length > 0 && !gaps[gapKey]) unexpected.push(`${gapKey}: ${diffs.map((d) => d.detail).join('; ')}\n  model ${JSON.stringify(facts(model))}\n  kernel ${JSON.stringify(facts(real))}`);
        if (diffs.length === 0 && gaps[gapKey]) stale.push(`${gapKey}: listed as a gap (${gaps[gapKey]}) but model and kernel agree`);
      });
      expect(unexpected, unexpected.join('\n')).toEqual([]);
      expect(stale, stale.join('\n')).toEqual([]);
    });
  }
});
