// The kernel's own verifier selftests (corpus/kernel-selftests, made by `bpfdiff import-selftests`)
// replayed on the real 7.2 kernel and on the model under the 7.2 profile:
// - the real kernel matches each test's annotation (verdict, every __msg in its log, __retval);
// - the model answers at least 90% of the tests, and where it answers it agrees with the real
//   kernel (verdict, reason line, retval: compareOutcomes).
// Every exception is listed in corpus/known-gaps.json with its reason (keys
// `kernel-selftests/FILE:TEST@7.2:annotation` and `kernel-selftests/FILE:TEST@7.2`); a listed
// exception that no longer differs fails the test too, so the list only shrinks.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes } from '../core/diff/index.ts';
import { resolveProfile, verify } from '../core/model/index.ts';
import { parseProgramsJsonl, type Outcome } from '../core/program/index.ts';
import { checkAnnotation, expectedOf } from '../core/selftests/score.ts';
import { readCatalog, resolveKernel, runSelftests } from '../kernel/index.ts';

const corpusDir = fileURLToPath(new URL('../corpus/', import.meta.url));
const gaps = (JSON.parse(readFileSync(`${corpusDir}known-gaps.json`, 'utf8')) as { gaps: Record<string, string> }).gaps;
const programs = parseProgramsJsonl(readFileSync(`${corpusDir}kernel-selftests/selftests.jsonl`, 'utf8'));
const keyOf = (i: number) => `kernel-selftests/${programs[i].meta?.source}:${programs[i].meta?.name}@7.2`;

describe('kernel selftests on the real 7.2 kernel and the model', () => {
  let real: Outcome[] = [];
  beforeAll(async () => {
    real = await runSelftests(programs, { kernel: resolveKernel('7.2', readCatalog()), size: 2 });
  }, 900_000);

  it('imports at least 1,000 tests, each with its annotation', () => {
    expect(programs.length).toBeGreaterThanOrEqual(1000);
    expect(programs.every((p) => expectedOf(p) !== undefined)).toBe(true);
  });

  it('the real 7.2 kernel matches the annotation, except the listed gaps', () => {
    const unexpected: string[] = [];
    const stale: string[] = [];
    programs.forEach((p, i) => {
      const key = `${keyOf(i)}:annotation`;
      const check = checkAnnotation(expectedOf(p)!, real[i]);
      if (!check.matches && !gaps[key]) unexpected.push(`${key}: ${check.why}`);
      if (check.matches && gaps[key]) stale.push(`${key}: listed (${gaps[key]}) but matches now`);
    });
    expect(unexpected, unexpected.join('\n')).toEqual([]);
    expect(stale, stale.join('\n')).toEqual([]);
  });

  it('the model answers at least 90% and agrees with the real kernel where it answers, except the listed gaps', () => {
    const profile = resolveProfile('7.2')!;
    const unexpected: string[] = [];
    const stale: string[] = [];
    let answered = 0;
    programs.forEach((p, i) => {
      const model = verify(p, profile);
      if (model.verdict === 'unknown') return;
      answered++;
      // verdict, reason line, retval: the rewritten program and the JIT image (classes xlated, jit) are the code oracle's, tested apart
      const diffs = compareOutcomes(model, real[i]).filter((d) => d.class !== 'kernel-warning' && d.class !== 'xlated' && d.class !== 'jit');
      const key = keyOf(i);
      if (diffs.length > 0 && !gaps[key]) unexpected.push(`${key}: ${diffs.map((d) => d.detail).join('; ')}`);
      if (diffs.length === 0 && gaps[key]) stale.push(`${key}: listed (${gaps[key]}) but agrees now`);
    });
    expect(answered / programs.length).toBeGreaterThanOrEqual(0.9);
    expect(unexpected, unexpected.join('\n')).toEqual([]);
    expect(stale, stale.join('\n')).toEqual([]);
  });
});
