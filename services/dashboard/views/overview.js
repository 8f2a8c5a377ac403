// Overview: counts by triage status and by class, what the last nightly run found, the
// kernel matrix (which signature reproduces on which kernel), and plots of the nightly reports
// (throughput, divergences, coverage per night: model rules hit and distinct reason lines of
// each kernel's campaign).
import { api } from '../api.js';
import { STATUSES, classBadge, fmtInt, h, mutationTag, statusBadge, time } from '../dom.js';
import { multiSeries, stackedBars, timeSeries } from '../plot.js';

const MATRIX_ROWS = 40;
const LIST_ROWS = 6;

const findingsLink = (params) => `#/findings?${new URLSearchParams(params)}`;

function countList(title, counts, keyName, order) {
  const keys = order ?? Object.keys(counts).sort((a, b) => counts[b] - counts[a] || a.localeCompare(b));
  const max = Math.max(1, ...Object.values(counts));
  return h('section', { class: 'panel counts', 'data-counts': keyName },
    h('h2', {}, title),
    keys.length === 0 ? h('p', { class: 'muted' }, 'nothing yet') : null,
    h('ul', { class: 'count-list' },
      keys.map((k) => h('li', { 'data-key': k },
        h('a', { href: findingsLink({ [keyName]: k }) }, keyName === 'status' ? statusBadge(k) : classBadge(k)),
        h('span', { class: 'bar-track' }, h('span', { class: `bar-fill ${keyName}-${k}`, style: `width:${((counts[k] ?? 0) / max) * 100}%` })),
        h('span', { class: 'n' }, fmtInt(counts[k] ?? 0))))));
}

function findingItem(item) {
  return h('li', {}, classBadge(item.class), ' ', h('a', { href: `#/finding/${item.id}`, title: item.detail }, item.detail), mutationTag(item.mutation));
}

function shortList(items, empty) {
  if (items.length === 0) return h('p', { class: 'muted' }, empty);
  return h('ul', { class: 'finding-list' }, items.slice(0, LIST_ROWS).map(findingItem), items.length > LIST_ROWS ? h('li', { class: 'muted' }, `and ${items.length - LIST_ROWS} more`) : null);
}

function sinceNightly(report, summary) {
  const panel = h('section', { class: 'panel nightly', id: 'since-nightly' });
  if (!report) {
    panel.append(h('h2', {}, 'Since the last nightly run'), h('p', { class: 'muted' }, 'No nightly report yet: the nightly run writes one after it finishes (BPFDIFF_NIGHTLY_CRON).'));
    return panel;
  }
  const byId = new Map(summary.items.map((d) => [d.id, d]));
  const resolve = (ids) => ids.map((id) => byId.get(id)).filter(Boolean);
  const after = summary.items.filter((d) => Date.parse(d.firstSeen) > Date.parse(report.finishedAt));
  panel.append(
    h('h2', {}, 'Nightly ', h('span', { class: 'mono' }, report.date)),
    h('p', { class: 'muted' }, `${report.kernels.join(', ')} · ${fmtInt(report.programs)} programs at ${report.programsPerSecond.toFixed(1)}/s · ${fmtInt(report.divergences)} divergences · finished `, time(report.finishedAt)),
    h('h3', {}, 'New signatures ', h('span', { class: 'n', 'data-new': report.newSignatures.length }, String(report.newSignatures.length))),
    shortList(resolve(report.newSignatures), 'none'),
    h('h3', {}, 'No longer reproduce (candidate fixes) ', h('span', { class: 'n' }, String(report.notReproduced.length))),
    shortList(resolve(report.notReproduced), 'none'),
    h('p', {}, h('span', { class: 'n' }, String(report.seenAgain.length)), ` known signature${report.seenAgain.length === 1 ? '' : 's'} seen again.`),
    h('h3', {}, 'First seen since this report ', h('span', { class: 'n', 'data-after': after.length }, String(after.length))),
    shortList(after, 'nothing new since'),
  );
  return panel;
}

/** One column per kernel; a cross-kernel signature `a~b` marks both of its kernels. */
function kernelMatrix(summary) {
  const columns = [...new Set(summary.kernels.flatMap((k) => k.split('~')))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const rows = summary.items.slice(0, MATRIX_ROWS);
  const cell = (d, k) => {
    const replay = d.lastReplay?.kernel === k ? d.lastReplay : undefined;
    if (replay && !replay.reproduced) return h('td', { class: 'cell gone', title: `did not reproduce on ${k} when replayed ${replay.at}` }, '○');
    if (d.kernels.includes(k)) return h('td', { class: 'cell seen', title: `reproduces on ${k}` }, '●');
    const pair = d.kernels.find((p) => p.includes('~') && p.split('~').includes(k));
    if (pair) return h('td', { class: 'cell pair', title: `kernels ${pair.replace('~', ' and ')} disagree` }, '◆');
    return h('td', { class: 'cell' }, '');
  };
  const perKernel = (k) => summary.items.filter((d) => d.kernels.some((x) => x.split('~').includes(k))).length;
  return h('section', { class: 'panel matrix-panel' },
    h('h2', {}, 'Kernel matrix', h('span', { class: 'muted small' }, ` ● reproduces  ◆ kernels disagree (cross-kernel)  ○ gone on replay${summary.items.length > MATRIX_ROWS ? ` · top ${MATRIX_ROWS} of ${summary.items.length} by count` : ''}`)),
    rows.length === 0 ? h('p', { class: 'muted' }, 'No divergences recorded yet.') :
      h('div', { class: 'table-wrap' },
        h('table', { class: 'matrix', id: 'kernel-matrix' },
          h('thead', {}, h('tr', {}, h('th', { class: 'sig' }, 'signature'), h('th', { class: 'num' }, 'count'), h('th', {}, 'status'),
            columns.map((k) => h('th', { class: 'kcol', title: `${perKernel(k)} signatures` }, h('a', { href: findingsLink({ kernel: k }) }, k))))),
          h('tbody', {}, rows.map((d) => h('tr', { 'data-id': d.id },
            h('td', { class: 'sig' }, classBadge(d.class), ' ', h('a', { href: `#/finding/${d.id}`, title: d.detail }, d.detail), mutationTag(d.mutation)),
            h('td', { class: 'num' }, fmtInt(d.count)),
            h('td', {}, statusBadge(d.status)),
            columns.map((k) => cell(d, k))))))));
}

function plots(reports) {
  const nights = [...reports].sort((a, b) => a.date.localeCompare(b.date));
  const throughput = nights.map((r) => ({ t: Date.parse(r.startedAt), y: r.programsPerSecond, label: `${r.date}: ${r.programsPerSecond.toFixed(1)} programs/s (${fmtInt(r.programs)} programs)` }));
  const bars = nights.map((r) => ({
    label: r.date.slice(5),
    note: r.newSignatures.length ? `+${r.newSignatures.length} new` : '',
    parts: [{ value: r.divergences, cls: 'found', name: `divergences (${r.newSignatures.length} new signatures, ${r.seenAgain.length} seen again)` }],
  }));
  return [
    coveragePanel(nights),
    h('section', { class: 'panel plot' }, h('h2', {}, 'Throughput per night'), timeSeries(throughput, { title: 'programs per second per nightly run', yLabel: 'programs/s', emptyNote: 'no nightly reports yet', tick: (t) => new Date(t).toISOString().slice(5, 10) })),
    h('section', { class: 'panel plot' }, h('h2', {}, 'Divergences found per night'), stackedBars(bars, { title: 'divergences per nightly run', yLabel: 'divergences', emptyNote: 'no nightly reports yet' })),
  ];
}

/** Rules hit and reason lines of each kernel's campaign, per nightly run (reports before coverage was recorded have none). */
function coveragePanel(nights) {
  const kernels = [...new Set(nights.flatMap((r) => (r.coverage ?? []).map((c) => c.kernel)))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const series = (field, what) => kernels.map((k, i) => ({
    name: `${k}`,
    cls: `s${i % 4}`,
    points: nights.flatMap((r) => (r.coverage ?? []).filter((c) => c.kernel === k).map((c) => ({
      t: Date.parse(r.startedAt),
      y: c[field],
      label: `${r.date} ${k}: ${what(c)}`,
    }))),
  }));
  const rules = (c) => `${c.rulesHit}/${c.rulesTotal} model rules hit, ${c.reasonLines} distinct reason lines${c.mutated ? `, ${c.mutated} programs mutated` : ''}`;
  const tick = (t) => new Date(t).toISOString().slice(5, 10);
  const last = [...nights].reverse().find((r) => r.coverage?.length);
  return h('section', { class: 'panel plot', id: 'coverage-per-night' },
    h('h2', {}, 'Coverage per night', last ? h('span', { class: 'muted small' }, ` · ${last.date}: ${last.coverage.map((c) => `${c.kernel} ${c.rulesHit}/${c.rulesTotal} rules, ${c.reasonLines} reason lines`).join(' · ')}`) : null),
    h('div', { class: 'coverage-rules' }, multiSeries(series('rulesHit', rules), { title: 'model rules hit per nightly run', yLabel: 'rules hit', emptyNote: 'no nightly report with coverage yet', tick })),
    h('div', { class: 'coverage-reasons' }, multiSeries(series('reasonLines', rules), { title: 'distinct kernel reason lines per nightly run', yLabel: 'reason lines', emptyNote: 'no nightly report with coverage yet', tick })));
}

export async function renderOverview(root) {
  const [summary, nightly] = await Promise.all([api.summary(), api.nightly()]);
  const instances = summary.items.reduce((s, d) => s + d.count, 0);
  root.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Overview'),
      h('p', { class: 'muted' }, h('strong', { id: 'total-signatures' }, fmtInt(summary.total)), ` signatures · ${fmtInt(instances)} divergent runs · ${summary.kernels.length} kernels`)),
    h('div', { class: 'grid-3' },
      countList('By status', summary.byStatus, 'status', STATUSES),
      countList('By class', summary.byClass, 'class'),
      sinceNightly(nightly.items[0], summary)),
    h('div', { class: 'grid-2' }, plots(nightly.items)),
    kernelMatrix(summary),
  );
}
