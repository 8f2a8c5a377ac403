// Coverage on the dashboard, in a real browser (Debian's chromium through playwright-core)
// against the real API and a real Redis. Two campaigns run through the real service path
// (BullMQ campaign and batch jobs on a worker, the model playing kernel 7.2 so no guest is
// needed), one unguided and one guided; their stored coverage feeds two nightly reports, beside an
// older report written before coverage was recorded. The overview plots rules hit and reason
// lines per night and kernel; the jobs page shows each job's coverage and plots it over time.
// Screenshots: artifacts/overview-coverage.png, artifacts/jobs-coverage.png.
import { pino } from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelRunner } from '../core/diff/index.ts';
import { MODEL_RULES } from '../core/model/coverage.ts';
import { Engine } from '../engine/index.ts';
import type { JobRecord, NightlyReport } from '../store/index.ts';
import { startWorkers, submitJob } from '../workers/index.ts';
import { ARTIFACTS, startDashboardHarness, type DashboardHarness } from './dashboard-harness.ts';
import { pollJob } from './service-helpers.ts';

let h: DashboardHarness;
let base: string;
let page: Page;
let pageErrors: string[] = [];
const jobs: JobRecord[] = [];
const reports: NightlyReport[] = [];

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000);
function report(at: Date, fields: Partial<NightlyReport>): NightlyReport {
  return { date: at.toISOString().slice(0, 10), startedAt: new Date(at.getTime() - 600_000).toISOString(), finishedAt: at.toISOString(), cron: '0 2 * * *', kernels: ['7.2'], jobs: [], newSignatures: [], seenAgain: [], notReproduced: [], programs: 60, programsPerSecond: 10, divergences: 0, ...fields };
}

beforeAll(async () => {
  const engine = new Engine({ runner: modelRunner(() => 'linux-7.3') });
  h = await startDashboardHarness({
    name: 'cov',
    token: 'coverage-token',
    viewport: { width: 1366, height: 900 },
    model: (p, k) => engine.modelOutcome(p, k),
    async seed(store, config) {
      const worker = await startWorkers({ redisUrl: config.redisUrl, prefix: 'bull', namespace: config.namespace, storePrefix: config.storePrefix, queues: ['campaign', 'batch'] }, engine, pino({ level: 'warn' }));
      try {
        for (const guided of [false, true]) {
          const job = await submitJob(worker.store, worker.queues, { kind: 'campaign', kernels: ['7.2'], count: 80, seed: 16, batchSize: 20, guided, ...(guided ? { guidedShare: 0.5 } : {}) });
          jobs.push(await pollJob(async () => (await store.getJob(job.id))!, 400_000));
        }
      } finally {
        await worker.close();
      }
      const [plain, guided] = jobs;
      await store.saveNightlyReport(report(day(-2), { programs: 4000 }));
      reports.push(report(day(-1), { jobs: [plain!.id], coverage: [{ kernel: '7.2', jobId: plain!.id, ...plain!.coverage! }] }));
      reports.push(report(day(0), { jobs: [guided!.id], coverage: [{ kernel: '7.2', jobId: guided!.id, ...guided!.coverage! }] }));
      for (const r of reports) await store.saveNightlyReport(r);
    },
  });
  ({ base, page, pageErrors } = h);
}, 600_000);

afterAll(async () => {
  await h?.close();
});

const poll = <T>(probe: () => Promise<T>) => expect.poll(probe, { timeout: 15_000 });

describe('coverage on the dashboard', () => {
  it('the jobs stored their coverage: the guided one mutated programs and reached more reason lines', () => {
    const [plain, guided] = jobs;
    expect(plain!.state).toBe('completed');
    expect(guided!.state).toBe('completed');
    expect(plain!.coverage).toMatchObject({ rulesTotal: MODEL_RULES.length, mutated: 0 });
    expect(plain!.coverage!.rulesHit).toBeGreaterThan(50);
    expect(guided!.coverage!.mutated).toBeGreaterThan(10);
    expect(guided!.coverage!.reasonLines).toBeGreaterThan(plain!.coverage!.reasonLines);
  });

  it('overview: rules hit and reason lines per night, one point per report with coverage', async () => {
    await page.goto(`${base}/`);
    const panel = page.locator('#coverage-per-night');
    await poll(() => panel.locator('.coverage-rules circle').count()).toBe(2);
    const [plain, guided] = jobs;
    const titles = await panel.locator('.coverage-rules circle title').allTextContents();
    expect(titles).toEqual([
      `${reports[0]!.date} 7.2: ${plain!.coverage!.rulesHit}/${MODEL_RULES.length} model rules hit, ${plain!.coverage!.reasonLines} distinct reason lines`,
      `${reports[1]!.date} 7.2: ${guided!.coverage!.rulesHit}/${MODEL_RULES.length} model rules hit, ${guided!.coverage!.reasonLines} distinct reason lines, ${guided!.coverage!.mutated} programs mutated`,
    ]);
    const ys = await panel.locator('.coverage-reasons circle').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-y'))));
    expect(ys).toEqual([plain!.coverage!.reasonLines, guided!.coverage!.reasonLines]);
    // the guided night's point sits higher on the reason-line chart
    const cy = await panel.locator('.coverage-reasons circle').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('cy'))));
    expect(cy[1]).toBeLessThan(cy[0]!);
    await expect(panel.locator('h2').textContent()).resolves.toContain(`${reports[1]!.date}: 7.2 ${guided!.coverage!.rulesHit}/${MODEL_RULES.length} rules, ${guided!.coverage!.reasonLines} reason lines`);
    await page.screenshot({ path: new URL('overview-coverage.png', ARTIFACTS).pathname, fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('jobs page: each campaign\'s coverage in its row, and plotted over time', async () => {
    await page.goto(`${base}/#/jobs`);
    for (const j of jobs) {
      const cell = page.locator(`tr[data-job="${j.id}"] td[data-coverage]`);
      await poll(() => cell.getAttribute('data-coverage')).toBe(`${j.coverage!.rulesHit}/${MODEL_RULES.length}/${j.coverage!.reasonLines}`);
      await expect(cell.textContent()).resolves.toBe(`${j.coverage!.rulesHit}/${MODEL_RULES.length} rules · ${j.coverage!.reasonLines} reasons${j.params.guided ? ' · guided' : ''}`);
    }
    const chart = page.locator('#jobs-coverage-chart');
    await poll(() => chart.locator('circle').count()).toBe(4);
    const rules = await chart.locator('[data-series="model rules hit"] circle').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-y'))));
    expect(rules).toEqual(jobs.map((j) => j.coverage!.rulesHit));
    await expect(page.locator('#job-guided').isChecked()).resolves.toBe(true);
    await page.screenshot({ path: new URL('jobs-coverage.png', ARTIFACTS).pathname, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
