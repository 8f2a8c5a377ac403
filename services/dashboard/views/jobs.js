// Jobs: running and recent jobs with their progress and coverage, refreshed every 2 s while the
// page is open, the coverage of the campaign jobs over time, the live workers, and a form that
// submits a campaign or a replay (POST /jobs).
import { api } from '../api.js';
import { ago, errorBox, fmtInt, h } from '../dom.js';
import { setQuery } from '../route.js';
import { multiSeries } from '../plot.js';

const POLL_MS = 2000;
const PAGE_SIZE = 20;
const STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'];
const KINDS = ['campaign', 'replay', 'nightly'];

function progress(job) {
  const { batchesDone, batchesTotal } = job.counts;
  const share = batchesTotal > 0 ? batchesDone / batchesTotal : job.state === 'completed' ? 1 : 0;
  return h('div', { class: 'progress', title: `${batchesDone}/${batchesTotal || '?'} batches` },
    h('span', { class: `fill state-${job.state}`, style: `width:${(share * 100).toFixed(1)}%` }),
    h('span', { class: 'label' }, batchesTotal ? `${batchesDone}/${batchesTotal} batches` : job.state === 'queued' ? 'waiting for a worker' : '—'));
}

function rate(job) {
  const start = Date.parse(job.startedAt ?? '');
  if (!start || job.counts.programs === 0) return '—';
  const end = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
  return `${(job.counts.programs / Math.max(1, (end - start) / 1000)).toFixed(1)}/s`;
}

function coverageCell(job) {
  const c = job.coverage;
  if (!c) return h('td', { class: 'small muted' }, '—');
  const title = `${c.rulesHit} of the model's ${c.rulesTotal} rules hit, ${c.reasonLines} distinct kernel reason lines (${c.modelReasonLines} of the model)${c.mutated ? `, ${c.mutated} programs mutated from the campaign corpus` : ''}`;
  return h('td', { class: 'small nowrap', 'data-coverage': `${c.rulesHit}/${c.rulesTotal}/${c.reasonLines}`, title },
    `${c.rulesHit}/${c.rulesTotal} rules · ${c.reasonLines} reasons`, job.params.guided ? h('span', { class: 'muted' }, ' · guided') : null);
}

/** Rules hit and reason lines of the campaign jobs shown, by creation time. */
function coverageChart(jobs) {
  const campaigns = jobs.filter((j) => j.coverage).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const point = (j, y) => ({ t: Date.parse(j.createdAt), y, label: `${j.id.slice(0, 8)} (${j.params.kernels.join(' ')}, ${fmtInt(j.counts.programs)} programs${j.params.guided ? ', guided' : ''}): ${j.coverage.rulesHit}/${j.coverage.rulesTotal} rules, ${j.coverage.reasonLines} reason lines` });
  return multiSeries([
    { name: 'model rules hit', cls: 's0', points: campaigns.map((j) => point(j, j.coverage.rulesHit)) },
    { name: 'reason lines', cls: 's1', points: campaigns.map((j) => point(j, j.coverage.reasonLines)) },
  ], { title: 'coverage of campaign jobs over time', yLabel: 'count', emptyNote: 'no campaign with coverage on this page yet' });
}

function jobRow(job) {
  const p = job.params;
  const what = job.kind === 'campaign' ? `${fmtInt(p.count ?? 0)} programs, seed ${p.seed ?? 0}` : job.kind === 'replay' ? [p.corpus !== false ? 'corpus' : '', p.reproducers !== false ? 'reproducers' : ''].filter(Boolean).join(' + ') : p.nightly ?? '';
  return h('tr', { 'data-job': job.id, 'data-state': job.state },
    h('td', { class: 'mono', title: job.id }, h('a', { href: `#/job/${job.id}`, 'data-job-link': job.id }, job.id.slice(0, 8))),
    h('td', {}, job.kind),
    h('td', {}, p.kernels.join(' ')),
    h('td', { class: 'small nowrap' }, what),
    h('td', {}, h('span', { class: `badge job-${job.state}` }, job.state), job.error ? h('div', { class: 'error-text small' }, job.error) : null),
    h('td', { class: 'progress-cell' }, progress(job)),
    h('td', { class: 'num' }, fmtInt(job.counts.programs)),
    h('td', { class: 'num' }, rate(job)),
    h('td', { class: 'num' }, job.counts.divergences ? h('a', { href: `#/findings?job=${encodeURIComponent(job.id)}`, 'data-job-findings': job.id, title: "this job's findings" }, fmtInt(job.counts.divergences)) : '0'),
    h('td', { class: 'num' }, fmtInt(job.counts.newSignatures)),
    coverageCell(job),
    h('td', { class: 'when' }, h('time', { datetime: job.createdAt, title: job.createdAt }, ago(job.createdAt))));
}

function intOrUndefined(input) {
  const v = input.value.trim();
  return v === '' ? undefined : Number(v);
}

function submitForm(onSubmitted) {
  const kind = h('select', { name: 'kind', id: 'job-kind' }, h('option', { value: 'campaign' }, 'campaign'), h('option', { value: 'replay' }, 'replay'));
  const kernels = h('input', { name: 'kernels', id: 'job-kernels', value: '7.2', placeholder: '7.2, 7.3', list: 'known-kernels', spellcheck: 'false' });
  const count = h('input', { name: 'count', id: 'job-count', type: 'number', min: 1, value: 1000 });
  const seed = h('input', { name: 'seed', id: 'job-seed', type: 'number', min: 0, value: 1 });
  const batchSize = h('input', { name: 'batchSize', id: 'job-batch', type: 'number', min: 1, placeholder: '50' });
  const guided = h('input', { type: 'checkbox', name: 'guided', id: 'job-guided', checked: true });
  const corpus = h('input', { type: 'checkbox', name: 'corpus', checked: true });
  const reproducers = h('input', { type: 'checkbox', name: 'reproducers', checked: true });
  const result = h('div', { class: 'submit-result', id: 'job-result', 'aria-live': 'polite' });
  const campaignFields = h('div', { class: 'fields' }, h('label', {}, 'Programs', count), h('label', {}, 'Seed', seed), h('label', {}, 'Batch size', batchSize),
    h('label', { class: 'check', title: 'spend a share of each batch mutating the programs that reached new model rules or reason lines' }, guided, ' coverage-guided'));
  const replayFields = h('div', { class: 'fields', hidden: true }, h('label', { class: 'check' }, corpus, ' corpus/ programs'), h('label', { class: 'check' }, reproducers, ' stored reproducers'));
  kind.addEventListener('change', () => {
    campaignFields.hidden = kind.value !== 'campaign';
    replayFields.hidden = kind.value !== 'replay';
  });
  const button = h('button', { type: 'submit' }, 'Start');
  const form = h('form', { class: 'job-form', id: 'job-form' },
    h('label', {}, 'Kind', kind), h('label', {}, 'Kernels', kernels), campaignFields, replayFields, button, result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { kind: kind.value, kernels: kernels.value.split(/[\s,]+/).filter(Boolean) };
    if (kind.value === 'campaign') {
      for (const [name, input] of [['count', count], ['seed', seed], ['batchSize', batchSize]]) {
        const v = intOrUndefined(input);
        if (v !== undefined) body[name] = v;
      }
      body.guided = guided.checked;
    } else {
      body.corpus = corpus.checked;
      body.reproducers = reproducers.checked;
    }
    button.disabled = true;
    try {
      const res = await api.submitJob(body);
      result.replaceChildren(h('span', { class: 'ok' }, `Job ${res.id.slice(0, 8)} ${res.state}.`));
      onSubmitted();
    } catch (err) {
      result.replaceChildren(errorBox(err));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function workersLine(health) {
  const n = health.workers.length;
  const pools = health.workers.flatMap((w) => Object.entries(w.pools).map(([k, p]) => `${k}: ${p.busy}/${p.size}`));
  return h('p', { class: n ? 'muted' : 'warn' }, n
    ? `${n} live worker${n === 1 ? '' : 's'} · guests busy ${pools.join(', ') || '—'}`
    : 'No live worker: jobs stay queued until `bpfdiff worker` (or `bpfdiff start`) runs against this Redis.');
}

export async function renderJobs(root, { isCurrent, params }) {
  const state = { state: params.get('state') ?? '', kind: params.get('kind') ?? '' };
  let page = Math.max(1, Number(params.get('page')) || 1);
  const pager = h('div', { class: 'pager', id: 'jobs-pager' });
  const urlParams = () => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(state)) if (v) p.set(k, v);
    if (page > 1) p.set('page', String(page));
    return p;
  };
  const filterSelect = (name, values) => h('label', {}, name, h('select', { name, 'data-filter': name, onchange: (ev) => { state[name] = ev.target.value; page = 1; setQuery(urlParams()); clearTimeout(timer); refresh(); } },
    h('option', { value: '' }, 'any'), values.map((v) => h('option', { value: v, selected: v === state[name] }, v))));
  const filters = h('div', { class: 'filters', id: 'jobs-filters' }, filterSelect('state', STATES), filterSelect('kind', KINDS));
  const body = h('tbody');
  const status = h('div', { id: 'jobs-status' });
  const workers = h('div');
  const chart = h('div', { id: 'jobs-coverage-chart' });
  const known = h('datalist', { id: 'known-kernels' }, ['6.12', '7.2', '7.3'].map((k) => h('option', { value: k })));
  let timer;
  let stopped = false;

  async function refresh() {
    try {
      const [list, health] = await Promise.all([api.jobs({ ...state, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }), api.health()]);
      if (stopped) return;
      const running = list.items.filter((j) => j.state === 'running' || j.state === 'queued');
      body.replaceChildren(...list.items.map(jobRow));
      chart.replaceChildren(coverageChart(list.items));
      if (list.items.length === 0) body.append(h('tr', {}, h('td', { colspan: 12, class: 'muted empty-row' }, list.total ? 'No jobs on this page.' : state.state || state.kind ? 'No jobs match these filters.' : 'No jobs yet.')));
      const first = list.total ? (page - 1) * PAGE_SIZE + 1 : 0;
      const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
      status.replaceChildren(h('p', { class: 'muted' }, `${first}–${(page - 1) * PAGE_SIZE + list.items.length} of ${fmtInt(list.total)} jobs · ${running.length} running or queued on this page · updated ${new Date().toLocaleTimeString()}`));
      const go = (n) => () => { page = n; setQuery(urlParams()); clearTimeout(timer); refresh(); };
      pager.replaceChildren(
        h('button', { type: 'button', disabled: page <= 1, onclick: go(page - 1), 'data-page': 'prev' }, '← newer'),
        h('span', { class: 'muted small' }, ` page ${page} of ${pages} `),
        h('button', { type: 'button', disabled: page >= pages, onclick: go(page + 1), 'data-page': 'next' }, 'older →'));
      workers.replaceChildren(workersLine(health));
    } catch (err) {
      if (!stopped) status.replaceChildren(errorBox(err));
    }
    clearTimeout(timer);
    if (!stopped && isCurrent()) timer = setTimeout(refresh, POLL_MS);
  }

  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Jobs'), status),
    h('div', { class: 'jobs-layout' },
      h('section', { class: 'panel' }, h('h2', {}, 'Jobs'), workers, filters,
        h('div', { class: 'table-wrap' },
          h('table', { class: 'jobs', id: 'jobs-table' },
            h('thead', {}, h('tr', {}, ['id', 'kind', 'kernels', 'what', 'state', 'progress', 'programs', 'rate', 'divergences', 'new sigs', 'coverage', 'created'].map((c) => h('th', { class: ['programs', 'rate', 'divergences', 'new sigs'].includes(c) ? 'num' : undefined }, c)))),
            body)), pager,
        h('h2', {}, 'Coverage of campaign jobs'), chart),
      h('section', { class: 'panel' }, h('h2', {}, 'Start a job'), submitForm(() => {
        clearTimeout(timer);
        refresh();
      }), known)),
  );
  await refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
