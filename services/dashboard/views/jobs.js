// Jobs: running and recent jobs with their progress, refreshed every 2 s while the page is
// open, the live workers, and a form that submits a campaign or a replay (POST /jobs).
import { api } from '../api.js';
import { ago, errorBox, fmtInt, h } from '../dom.js';

const POLL_MS = 2000;
const RECENT = 30;

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

function jobRow(job) {
  const p = job.params;
  const what = job.kind === 'campaign' ? `${fmtInt(p.count ?? 0)} programs, seed ${p.seed ?? 0}` : job.kind === 'replay' ? [p.corpus !== false ? 'corpus' : '', p.reproducers !== false ? 'reproducers' : ''].filter(Boolean).join(' + ') : p.nightly ?? '';
  return h('tr', { 'data-job': job.id, 'data-state': job.state },
    h('td', { class: 'mono', title: job.id }, job.id.slice(0, 8)),
    h('td', {}, job.kind),
    h('td', {}, p.kernels.join(' ')),
    h('td', { class: 'small nowrap' }, what),
    h('td', {}, h('span', { class: `badge job-${job.state}` }, job.state), job.error ? h('div', { class: 'error-text small' }, job.error) : null),
    h('td', { class: 'progress-cell' }, progress(job)),
    h('td', { class: 'num' }, fmtInt(job.counts.programs)),
    h('td', { class: 'num' }, rate(job)),
    h('td', { class: 'num' }, job.counts.divergences ? h('a', { href: '#/findings?sort=lastSeen' }, fmtInt(job.counts.divergences)) : '0'),
    h('td', { class: 'num' }, fmtInt(job.counts.newSignatures)),
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
  const corpus = h('input', { type: 'checkbox', name: 'corpus', checked: true });
  const reproducers = h('input', { type: 'checkbox', name: 'reproducers', checked: true });
  const result = h('div', { class: 'submit-result', id: 'job-result', 'aria-live': 'polite' });
  const campaignFields = h('div', { class: 'fields' }, h('label', {}, 'Programs', count), h('label', {}, 'Seed', seed), h('label', {}, 'Batch size', batchSize));
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

export async function renderJobs(root, { isCurrent }) {
  const body = h('tbody');
  const status = h('div', { id: 'jobs-status' });
  const workers = h('div');
  const known = h('datalist', { id: 'known-kernels' }, ['6.12', '7.2', '7.3'].map((k) => h('option', { value: k })));
  let timer;
  let stopped = false;

  async function refresh() {
    try {
      const [list, health] = await Promise.all([api.jobs({ limit: RECENT }), api.health()]);
      if (stopped) return;
      const running = list.items.filter((j) => j.state === 'running' || j.state === 'queued');
      body.replaceChildren(...list.items.map(jobRow));
      if (list.items.length === 0) body.append(h('tr', {}, h('td', { colspan: 11, class: 'muted empty-row' }, 'No jobs yet.')));
      status.replaceChildren(h('p', { class: 'muted' }, `${running.length} running or queued · ${list.total} jobs in all · updated ${new Date().toLocaleTimeString()}`));
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
      h('section', { class: 'panel' }, h('h2', {}, 'Running and recent'), workers,
        h('div', { class: 'table-wrap' },
          h('table', { class: 'jobs', id: 'jobs-table' },
            h('thead', {}, h('tr', {}, ['id', 'kind', 'kernels', 'what', 'state', 'progress', 'programs', 'rate', 'divergences', 'new sigs', 'created'].map((c) => h('th', { class: ['programs', 'rate', 'divergences', 'new sigs'].includes(c) ? 'num' : undefined }, c)))),
            body))),
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
