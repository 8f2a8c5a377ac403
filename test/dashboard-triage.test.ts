// The triage pages in a real browser (Debian's chromium through playwright-core) against the real
// API and a real Redis, seeded with the real 7.2.13 oops: the consoles (fault address 0 and
// 0x1b8) and verifier logs up to the crash that the real 7.2 kernel produced for a seed-1
// campaign program and its reduced reproducer (test/fixtures/oops-7.2.13/). Screenshots go to
// artifacts/.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareOutcomes, divergenceSignature, modelVerify, type Finding } from '../core/diff/index.ts';
import { parseProgram, type Outcome, type Program, type ProgramJson } from '../core/program/index.ts';
import { divergenceId, type Store } from '../store/index.ts';
import { ARTIFACTS, startDashboardHarness, type DashboardHarness } from './dashboard-harness.ts';

const modelOutcome = (program: Program, kernel: string): Outcome => modelVerify()(program, kernel);
type DivergenceInstance = Finding;

const FIX = new URL('./fixtures/oops-7.2.13/', import.meta.url);
const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, FIX), 'utf8')) as T;
const TITLE = 'BUG: kernel NULL pointer dereference in check_load_mem';

let h: DashboardHarness;
let store: Store;
let base: string;
let page: Page;
let pageErrors: string[] = [];
let oopsId = '';
let campaignJob = '';

function instance(program: ProgramJson, actual: Outcome): DivergenceInstance {
  const model = modelVerify()(parseProgram(program), '7.2');
  const [d] = compareOutcomes(model, actual);
  return { signature: divergenceSignature(d.class, d.reason, 'missing-store-after-unreliable'), class: d.class, kernel: '7.2', profile: 'linux-7.2', index: 0, detail: d.detail, mutation: 'missing-store-after-unreliable', program, model, actual };
}

async function seed(): Promise<void> {
  const original = read<ProgramJson>('original.json');
  const reduced = read<ProgramJson>('reduced.json');
  const originalCrash = read<Outcome>('original-outcome.json'); // fault address 0x1b8, log up to the crash
  const reducedCrash = read<Outcome>('reduced-outcome.json'); // fault address 0
  const reducedLevel2 = read<Outcome>('reduced-outcome-level2.json');
  // both address variants in one batch: one finding
  const a = instance(original, originalCrash);
  const b = instance(reduced, reducedCrash);
  expect(a.signature).toBe(b.signature);
  oopsId = divergenceId(a.signature);
  const job = await store.createJob({ kind: 'campaign', kernels: ['7.2'], count: 100, seed: 1, batchSize: 50 });
  campaignJob = job.id;
  await store.startJob(job.id, 2);
  await store.recordBatch(job.id, 0, { programs: 50, agreed: 48, byClass: { 'kernel-crash': 2 }, busyMs: 31_000, vmRestarts: 2, divergences: [a, b], soundness: { programs: 5, values: 1_200, complete: 1 } });
  await store.setReduced(oopsId, {
    program: reduced, kernel: '7.2', originalInsns: parseProgram(original).insns.length, reducedInsns: parseProgram(reduced).insns.length,
    model: modelVerify()(parseProgram(reduced), '7.2'), actual: reducedCrash, logLevel2: reducedLevel2.log, checks: 214,
  });
  // a finding still being reduced: its page shows the progress
  const other: Finding = { ...a, signature: 'reason|stack arg write offset -N exceeds max N stack args|store-past-max', class: 'reason', detail: 'model: x | kernel: y', actual: { ...a.model, verdict: 'reject' as const, errno: 22, message: 'stack arg write offset -64 exceeds max 7 stack args', kernel: '7.2.13+deb14-amd64' } };
  await store.recordBatch(job.id, 1, { programs: 50, agreed: 49, byClass: { reason: 1 }, busyMs: 12_000, vmRestarts: 0, divergences: [other], soundness: { programs: 4, values: 800, complete: 2 } });
  await store.setReduceProgress(divergenceId(other.signature), { checks: 120, maxChecks: 300, insns: 41, originalInsns: 187, step: 'drop function f4', startedAt: new Date(Date.now() - 95_000).toISOString(), at: new Date().toISOString() });
  // 45 more jobs, so the jobs page has three pages
  for (let i = 0; i < 45; i++) {
    const j = await store.createJob({ kind: i % 3 === 0 ? 'replay' : 'campaign', kernels: ['7.2'], count: 10, seed: 100 + i });
    if (i % 5 === 0) await store.cancelJob(j.id);
  }
}

beforeAll(async () => {
  h = await startDashboardHarness({
    name: 'tri',
    token: 'triage-token',
    model: modelOutcome,
    clipboard: true,
    seed: async (s) => {
      store = s;
      await seed();
    },
  });
  ({ base, page, pageErrors } = h);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function open(hash: string, ready: string): Promise<void> {
  await page.goto(`${base}/#${hash}`);
  await page.waitForSelector(ready, { timeout: 15_000 });
}

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('finding page of the 7.2.13 oops', () => {
  it('is one finding titled with check_load_mem, the verifier log beside the listing with the faulting insn marked in both', async () => {
    await open(`/finding/${oopsId}`, '#disasm-reduced .insn');
    expect(await page.textContent('h1.reason-title')).toBe(TITLE);
    expect(await page.textContent('.finding-head')).toContain('2 divergent runs');
    // the reduced listing highlights insn 4, the r11 +8 load the kernel crashed in
    expect(await page.getAttribute('#disasm-reduced .insn.hit', 'data-index')).toBe('4');
    expect(await page.textContent('#disasm-reduced .insn.hit')).toContain('r0 = *(u64 *)(r11 +8)');
    // the kernel's level-2 log up to the crash, beside it, with the same instruction marked
    const logHit = await page.textContent('#disasm-reduced-log .log-hit.last');
    expect(logHit).toMatch(/^4: \(79\) r0 = \*\(u64 \*\)\(r11 \+8\)/);
    expect(await page.textContent('#disasm-reduced .log-col h3')).toContain('level 2, up to the crash');
    const listingBox = (await page.locator('#disasm-reduced .listing-col').boundingBox())!;
    const logBox = (await page.locator('#disasm-reduced .log-col').boundingBox())!;
    expect(logBox.x).toBeGreaterThan(listingBox.x + listingBox.width - 1); // beside, not below
    // the original (187 insns) too: its level-1 log up to the crash marks the same kind of load
    expect(await page.textContent('#disasm-original .insn.hit')).toMatch(/= \*\(u64 \*\)\(r11 \+\d+\)/);
    expect(await page.textContent('#disasm-original-log .log-hit.last')).toMatch(/^\d+: \(79\) r\d = \*\(u64 \*\)\(r11 \+\d+\)/);
    // the model's own walk at that instruction
    expect(await page.textContent('#model-trace')).toMatch(/verdict accept[\s\S]*4: \(79\) r0 = \*\(u64 \*\)\(r11 \+8\)[\s\S]*frame2: R10=fp0/);
    await page.screenshot({ path: new URL('triage-finding-oops.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('shows outcomes of the original and the reduced program side by side, with only the rows that apply', async () => {
    await open(`/finding/${oopsId}`, '#outcomes');
    const groups = await page.$$eval('#outcomes th.group', (ths) => ths.map((t) => t.textContent));
    expect(groups).toEqual(['original program', 'reduced (9 insns)']);
    const rows = await page.$$eval('#outcomes tbody tr', (trs) => trs.map((t) => t.getAttribute('data-row')));
    expect(rows).not.toContain('7.3 report');
    // every row shown has something in some column
    const empty = await page.$$eval('#outcomes tbody tr', (trs) => trs.filter((t) => [...t.querySelectorAll('td')].every((td) => ['—', ''].includes(td.textContent ?? ''))).map((t) => t.getAttribute('data-row')));
    expect(empty).toEqual([]);
    expect(rows).toContain('crash');
    const crashCells = await page.$$eval('#outcomes tr[data-row="crash"] td.kernel', (tds) => tds.map((t) => t.textContent));
    expect(crashCells).toEqual([TITLE, TITLE]);
    expect(await page.$$eval('#outcomes tr[data-row="verdict"] td.reduced', (tds) => tds.map((t) => t.textContent))).toEqual(['accept', 'crash']);
  });

  it('draws the call graph with dagre: every edge and its label visible, labels clear of the boxes, the callers of f1 highlighted', async () => {
    await open(`/finding/${oopsId}`, '#disasm-reduced-graph svg.callgraph');
    const graph = page.locator('#disasm-reduced-graph svg.callgraph');
    const edges = await graph.locator('g.edge').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-edge')));
    expect(edges.sort()).toEqual(['f3->f1', 'main->f1', 'main->f3']);
    expect(await graph.locator('g.edge.key').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-edge')).sort())).toEqual(['f3->f1', 'main->f1']);
    const svgBox = (await graph.boundingBox())!;
    const funcs = await graph.locator('g.func rect:first-of-type').evaluateAll((rs) => rs.map((r) => { const b = r.getBoundingClientRect(); return { x: b.x, y: b.y, width: b.width, height: b.height }; }));
    const labels = await graph.locator('g.edge-label-box').evaluateAll((gs) => gs.map((g) => { const b = g.getBoundingClientRect(); return { text: g.textContent, x: b.x, y: b.y, width: b.width, height: b.height }; }));
    expect(labels.map((l) => l.text)).toContain('1 stack arg');
    for (const l of labels) {
      // inside the drawing (not clipped) and on no function box
      expect(l.x).toBeGreaterThanOrEqual(svgBox.x - 0.5);
      expect(l.x + l.width).toBeLessThanOrEqual(svgBox.x + svgBox.width + 0.5);
      for (const f of funcs) expect(overlap(l, f)).toBe(false);
    }
    // no edge runs through a box it does not start or end at: sample each path
    const crossings = await graph.evaluate((svgEl) => {
      const boxes = [...svgEl.querySelectorAll('g.func')].map((g) => ({ name: g.getAttribute('data-func'), r: (g.querySelector('rect') as SVGRectElement).getBoundingClientRect() }));
      const out: string[] = [];
      for (const e of svgEl.querySelectorAll('g.edge')) {
        const [from, to] = (e.getAttribute('data-edge') ?? '').split('->');
        const path = e.querySelector('path') as SVGPathElement;
        const m = path.getScreenCTM()!;
        for (let t = 0; t <= 1; t += 0.02) {
          const p = path.getPointAtLength(t * path.getTotalLength());
          const x = m.a * p.x + m.c * p.y + m.e;
          const y = m.b * p.x + m.d * p.y + m.f;
          for (const b of boxes) if (b.name !== from && b.name !== to && x > b.r.left + 1 && x < b.r.right - 1 && y > b.r.top + 1 && y < b.r.bottom - 1) out.push(`${from}->${to} through ${b.name}`);
        }
      }
      return [...new Set(out)];
    });
    expect(crossings).toEqual([]);
    await graph.screenshot({ path: new URL('triage-callgraph-reduced.png', ARTIFACTS).pathname });
    await page.locator('#disasm-original-graph').screenshot({ path: new URL('triage-callgraph-original.png', ARTIFACTS).pathname });
  });

  it('shows the reproducer as a kernel selftest with a commit message, and copies it', async () => {
    await open(`/finding/${oopsId}`, '#selftest-button');
    await page.click('#selftest-button');
    await page.waitForSelector('#selftest-text');
    const text = (await page.textContent('#selftest-text'))!;
    expect(text).toContain('__naked void bpfdiff_');
    expect(text).toContain('"r0 = *(u64 *)(r11 + 8);"');
    expect(text).toContain('crashes: BUG: kernel NULL pointer dereference in check_load_mem.');
    expect(text).toMatch(/__success __retval\(0\)/);
    expect(await page.textContent('#commit-message')).toMatch(/^bpf: BUG: kernel NULL pointer dereference in check_load_mem/);
    await page.click('#selftest-copy');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
    await page.locator('#selftest-panel').screenshot({ path: new URL('triage-selftest.png', ARTIFACTS).pathname });
  });

  it('shows a running reduction with its checks and current size', async () => {
    const id = divergenceId('reason|stack arg write offset -N exceeds max N stack args|store-past-max');
    await open(`/finding/${id}`, '#reduce-progress');
    expect(await page.getAttribute('#reduce-progress', 'data-state')).toBe('running');
    expect(await page.textContent('#reduce-progress')).toMatch(/120 of at most 300 checks, now 41 insns \(from 187\)/);
    // the reduce job finishes: the line follows without a reload
    const before = (await store.getDivergence(id))!;
    await store.setReduced(id, { program: before.examples[0].program, kernel: '7.2', originalInsns: 187, reducedInsns: 12, checks: 300 });
    await page.waitForSelector('#reduce-progress[data-state="done"]', { timeout: 10_000 });
    expect(await page.textContent('#reduce-progress')).toContain('Reduced from 187 to 12 insns in 300 checks');
  });
});

describe('jobs and job pages', () => {
  it('pages and filters the jobs, ids link to the job page, a divergence count to that job\'s findings', async () => {
    await open('/jobs', '#jobs-table tbody tr[data-job]');
    expect(await page.locator('#jobs-table tbody tr[data-job]').count()).toBe(20);
    expect(await page.textContent('#jobs-status')).toMatch(/1–20 of 46 jobs/);
    await page.click('#jobs-pager [data-page="next"]');
    await page.waitForFunction(() => document.querySelector('#jobs-status')?.textContent?.includes('21–40 of 46'));
    expect(page.url()).toContain('#/jobs?page=2');
    await page.selectOption('#jobs-filters select[name="state"]', 'cancelled');
    await page.waitForFunction(() => document.querySelector('#jobs-status')?.textContent?.includes('of 9 jobs'));
    expect(await page.$$eval('#jobs-table tbody tr[data-job]', (trs) => trs.map((t) => t.getAttribute('data-state')))).toEqual(Array(9).fill('cancelled'));
    expect(page.url()).toContain('state=cancelled');
    await page.screenshot({ path: new URL('triage-jobs.png', ARTIFACTS).pathname, fullPage: true });
    // the campaign job: its count links to its findings only
    // the oldest campaign: the second page of 31 campaign jobs
    await open('/jobs?kind=campaign&page=2', `a[data-job-findings="${campaignJob}"]`);
    await page.click(`a[data-job-findings="${campaignJob}"]`);
    await page.waitForSelector('#job-filter');
    await page.waitForFunction(() => document.querySelector('#findings-status')?.textContent?.includes('of 2 signatures'));
    expect(page.url()).toContain(`#/findings?job=${campaignJob}`);
  });

  it('shows a job with its findings, batches and coverage', async () => {
    await open('/jobs?kind=campaign&page=2', `a[data-job-link="${campaignJob}"]`);
    await page.click(`a[data-job-link="${campaignJob}"]`);
    await page.waitForSelector('#job-batches');
    expect(await page.locator('#job-findings tr[data-id]').count()).toBe(2);
    expect(await page.textContent('#job-findings')).toContain(TITLE);
    expect(await page.locator('#job-batches tr[data-batch]').count()).toBe(2);
    expect(await page.textContent('#job-batches tr[data-batch="0"]')).toContain('31.0 s');
    expect(await page.textContent('#job-coverage')).toMatch(/2 of 2 batches recorded · 100 programs of 100 · 97 agreed · 3 divergences/);
    expect(await page.locator('#job-coverage .batch-strip .cell.done').count()).toBe(2);
    expect(await page.textContent('#job-soundness')).toMatch(/Soundness oracle: 9 programs checked against the kernel's level-2 beliefs \(3 followed to the end of the run\), 2,000 register values · 0 verifier-unsound/);
    await page.screenshot({ path: new URL('triage-job.png', ARTIFACTS).pathname, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
