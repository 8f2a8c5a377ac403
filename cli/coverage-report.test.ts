// `bpfdiff gen --coverage` and `bpfdiff model --coverage`: the model's rules hit / rules in the
// model, the distinct reject reason lines and the rules never hit, as verify() with a coverage
// set reports them for the same programs.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeReason } from '../core/diff/compare.ts';
import { generatePrograms } from '../core/gen/index.ts';
import { MODEL_RULES, resolveProfile, verify } from '../core/model/index.ts';
import { programsToJsonl } from '../core/program/index.ts';
import { runCli } from './test-run.ts';

const run = runCli;

/** what the report must say, from verify() directly */
function expected(seed: number, count: number) {
  const profile = resolveProfile('7.2')!;
  const hit = new Set<string>();
  const reasons = new Set<string>();
  for (const p of generatePrograms(seed, count, { mutationRate: 0.5 })) {
    const o = verify(p, profile, { coverage: hit, run: false, jit: false });
    if (o.verdict === 'reject') reasons.add(normalizeReason(o.message));
  }
  return { hit, reasons };
}

describe('model coverage in the CLI', () => {
  it('gen --coverage prints rules hit / rules in the model, the reason lines and the rules never hit', async () => {
    const r = await run(['gen', '--count', '40', '--seed', '3', '--mutation-rate', '0.5', '--coverage']);
    expect(r.code).toBe(0);
    const want = expected(3, 40);
    expect(r.stdout).toContain(`model coverage (linux-7.2, 40 programs): rules hit ${want.hit.size} / ${MODEL_RULES.length} (`);
    expect(r.stdout).toContain(`distinct reject reason lines: ${want.reasons.size}\n`);
    for (const reason of want.reasons) expect(r.stdout).toMatch(new RegExp(`^ +\\d+  ${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toContain(`rules never hit: ${MODEL_RULES.length - want.hit.size}\n`);
    const never = r.stdout.slice(r.stdout.indexOf('rules never hit:')).split('\n').slice(1).filter(Boolean).map((l) => l.trim().split(/\s+/)[0]!);
    expect(never.length).toBe(MODEL_RULES.length - want.hit.size);
    for (const id of never) expect(want.hit.has(id)).toBe(false);
    // the JSONL is not mixed into the report
    expect(r.stdout).not.toContain('bpfdiff.program/v1');
  });

  it('gen --coverage -o still writes the programs; model --coverage reads them back to the same numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-cov-'));
    const file = join(dir, 'p.jsonl');
    const g = await run(['gen', '--count', '25', '--seed', '5', '--mutation-rate', '0.5', '--coverage', '-o', file]);
    expect(readFileSync(file, 'utf8')).toBe(programsToJsonl(generatePrograms(5, 25, { mutationRate: 0.5 })));
    const m = await run(['model', '--coverage', file]);
    expect(m.code).toBe(0);
    const headline = (s: string) => s.split('\n')[0];
    expect(headline(m.stdout)).toBe(headline(g.stdout));
    expect(headline(m.stdout)).toMatch(/^model coverage \(linux-7\.2, 25 programs\): rules hit \d+ \/ \d+ \(\d+\.\d%\)$/);
  });

  it('names the profile option when it is wrong', async () => {
    const r = await run(['gen', '--count', '2', '--coverage', '--profile', '5.4']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--profile: expected one of');
  });
});
