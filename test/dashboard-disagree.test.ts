// The first disagreement on the finding page, in a real browser (Debian's chromium through
// playwright-core) against the real API and a real Redis. The finding is real: the real 6.12.118
// kernel predicted by the 7.2 profile (a planted profile error) rejects an array lookup with a
// constant key that 7.2 accepts; its level-1 and level-2 logs are the kernel's own
// (test/fixtures/disagree-6.12/), and the first disagreement is computed from them as the engine
// does. Screenshot: artifacts/finding-first-disagreement.png.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes, divergenceSignature, explainWithLog, modelVerify, type Finding } from '../core/diff/index.ts';
import { parseProgram, type Outcome, type Program, type ProgramJson } from '../core/program/index.ts';
import { divergenceId, type Store } from '../store/index.ts';
import { ARTIFACTS, startDashboardHarness, type DashboardHarness } from './dashboard-harness.ts';

const FIX = new URL('./fixtures/disagree-6.12/', import.meta.url);
const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, FIX), 'utf8')) as T;

let h: DashboardHarness;
let base: string;
let page: Page;
let id = '';
let mulId = '';
let pageErrors: string[] = [];

async function seed(store: Store): Promise<void> {
  const original = read<ProgramJson>('original.json');
  const reduced = read<ProgramJson>('reduced.json');
  const actual = read<Outcome>('original-outcome.json');
  const reducedActual = read<Outcome>('reduced-outcome.json');
  const level2 = read<Outcome>('reduced-outcome-level2.json').log!;
  const model = modelVerify()(parseProgram(original), '7.2');
  const [d] = compareOutcomes(model, actual);
  // the original's disagreement as Engine.runBatch finds it (its own level-2 load: the reduced log's twin)
  const finding: Finding = {
    signature: divergenceSignature(d!.class, d!.reason, undefined), class: d!.class, kernel: '6.12', profile: 'linux-7.2', index: 3, detail: d!.detail, program: original, model, actual,
    firstDisagreement: explainWithLog(parseProgram(original), '7.2', actual.log!),
  };
  id = divergenceId(finding.signature);
  const job = await store.createJob({ kind: 'campaign', kernels: ['6.12'], count: 50, seed: 1 });
  await store.startJob(job.id, 1);
  await store.recordBatch(job.id, 0, { programs: 50, agreed: 49, byClass: { [d!.class]: 1 }, busyMs: 9_000, vmRestarts: 0, divergences: [finding] });
  // a second finding, not reduced: 6.12 leaves a signed product unbounded where 7.2 keeps [-16, 14],
  // so the states part ways at insn 4, two instructions before the kernel's reject at insn 6
  const mul = read<ProgramJson>('mul.json');
  const mulActual = read<Outcome>('mul-outcome.json');
  const mulModel = modelVerify()(parseProgram(mul), '7.2');
  const [md] = compareOutcomes(mulModel, mulActual);
  const mulFinding: Finding = {
    signature: divergenceSignature(md!.class, md!.reason, undefined), class: md!.class, kernel: '6.12', profile: 'linux-7.2', index: 7, detail: md!.detail, program: mul, model: mulModel, actual: mulActual,
    firstDisagreement: explainWithLog(parseProgram(mul), '7.2', read<Outcome>('mul-outcome-level2.json').log!),
  };
  mulId = divergenceId(mulFinding.signature);
  const job2 = await store.createJob({ kind: 'campaign', kernels: ['6.12'], count: 50, seed: 2 });
  await store.startJob(job2.id, 1);
  await store.recordBatch(job2.id, 0, { programs: 50, agreed: 49, byClass: { [md!.class]: 1 }, busyMs: 9_000, vmRestarts: 0, divergences: [mulFinding] });
  const r: Program = parseProgram(reduced);
  await store.setReduced(id, {
    program: reduced, kernel: '6.12', originalInsns: parseProgram(original).insns.length, reducedInsns: r.insns.length, checks: 49,
    model: modelVerify()(r, '7.2'), actual: reducedActual, logLevel2: level2, firstDisagreement: explainWithLog(r, '7.2', level2),
  });
}

beforeAll(async () => {
  h = await startDashboardHarness({ name: 'dis', token: 'disagree-token', seed, model: (program: Program, kernel: string) => modelVerify()(program, kernel) });
  ({ base, page, pageErrors } = h);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('finding page: where the model and the kernel first disagree', () => {
  it('says it under the title, marks the instruction in both listings, the line in the level-2 log, and the model state there', async () => {
    await page.goto(`${base}/#/finding/${id}`);
    await page.waitForSelector('#disasm-reduced .insn', { timeout: 15_000 });
    expect(await page.textContent('#first-disagreement')).toBe('model and kernel first disagree at insn 6: R0 map_value vs map_value_or_null (reduced reproducer)');
    // reduced: insn 6 marked in the listing, beside the kernel's level-2 log with that visit outlined
    expect(await page.getAttribute('#disasm-reduced .insn.disagree', 'data-index')).toBe('6');
    expect(await page.textContent('#disasm-reduced .insn.disagree .disagree-mark')).toBe(' ◆ first disagreement: R0 map_value vs map_value_or_null');
    expect(await page.textContent('#disasm-reduced-log .log-disagree')).toMatch(/^6: \(79\) r0 = \*\(u64 \*\)\(r0 \+0\)/);
    expect(await page.locator('#disasm-reduced-log .log-disagree').count()).toBe(1);
    expect(await page.textContent('#disasm-reduced-disagree')).toContain('First disagreement, insn 6: model and kernel first disagree at insn 6: R0 map_value vs map_value_or_null');
    // the model's walk: its own state before insn 6, R0 a map value it believes cannot be NULL
    expect(await page.textContent('#model-trace')).toMatch(/State before insn 6, each time the walk reached it \(1\):\s*6: \(79\) r0 = \*\(u64 \*\)\(r0 \+0\)\s*R0=map_value\(/);
    expect(await page.textContent('#model-trace-disagree')).toBe('Insn 6 is also where the model and the kernel first disagree: R0 map_value vs map_value_or_null.');
    // original: insn 8 marked in the listing and in its level-1 log
    expect(await page.getAttribute('#disasm-original .insn.disagree', 'data-index')).toBe('8');
    expect(await page.textContent('#disasm-original-log .log-disagree')).toMatch(/^8: \(79\) r0 = \*\(u64 \*\)\(r0 \+0\)/);
    const listing = (await page.locator('#disasm-reduced .insn.disagree').boundingBox())!;
    expect(listing.height).toBeGreaterThan(0);
    await page.locator('#disasm-reduced').screenshot({ path: new URL('finding-first-disagreement.png', ARTIFACTS).pathname });
    expect(pageErrors).toEqual([]);
  });

  it('marks a disagreement before the instruction the kernel rejected: a bound, in the listing, the level-1 log and the model walk', async () => {
    await page.goto(`${base}/#/finding/${mulId}`);
    await page.waitForSelector('#disasm-original .insn', { timeout: 15_000 });
    expect(await page.textContent('#first-disagreement')).toBe('model and kernel first disagree at insn 4: R6 smin -16 vs 0x8000000000000000');
    expect(await page.getAttribute('#disasm-original .insn.hit', 'data-index')).toBe('6');
    expect(await page.getAttribute('#disasm-original .insn.disagree', 'data-index')).toBe('4');
    expect(await page.textContent('#disasm-original .insn.disagree .disagree-mark')).toBe(' ◆ first disagreement: R6 smin -16 vs 0x8000000000000000');
    expect(await page.textContent('#disasm-original-log .log-disagree')).toMatch(/^4: \(bf\) r2 = r10/);
    expect(await page.textContent('#disasm-original-log .log-hit.last')).toMatch(/^6: \(0f\) r2 \+= r6/);
    expect(await page.textContent('#model-trace-disagree')).toMatch(/State before insn 4, where the model and the kernel first disagree \(R6 smin -16 vs 0x8000000000000000\):\s*4: \(bf\) r2 = r10\s*R1=ctx\(\) R6=scalar\(smin=smin32=-16,smax=smax32=14,var_off=\(0x0; 0xfffffffffffffffe\)\) R10=fp0/);
    await page.locator('#disasm-original').screenshot({ path: new URL('finding-first-disagreement-bound.png', ARTIFACTS).pathname });
    expect(pageErrors).toEqual([]);
  });

  it('the API returns it on the examples and the reduction', async () => {
    const body = (await (await fetch(`${base}/divergences/${id}`)).json()) as { examples: Array<{ firstDisagreement?: { text: string; modelStep?: number } }>; reduced: { firstDisagreement?: { insn: number; field: string } } };
    expect(body.examples[0]!.firstDisagreement!.text).toBe('model and kernel first disagree at insn 8: R0 map_value vs map_value_or_null');
    expect(body.examples[0]!.firstDisagreement!.modelStep).toBe(7);
    expect(body.reduced.firstDisagreement).toMatchObject({ insn: 6, field: 'type' });
  });
});
