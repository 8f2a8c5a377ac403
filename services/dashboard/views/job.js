// One job: what it was asked to do, its state and counts, its findings (the signatures it saw),
// its batches (what each contributed) and its coverage (which of the seed's program slices are
// done, and how its programs came out by class).
import { api } from '../api.js';
import { ago, classBadge, errorBox, fmtInt, h, reasonLine, statusBadge } from '../dom.js';

function coverage(job, batches) {
  const total = job.counts.batchesTotal || batches.length;
  const done = new Set(batches.map((b) => b.index));
  const cells = Array.from({ length: total }, (_, i) => h('span', { class: `cell${done.has(i) ? ' done' : ''}`, title: `batch ${i}${done.has(i) ? ' recorded' : ' not recorded yet'}` }));
  const byClass = Object.entries(job.counts.byClass).sort((a, b) => b[1] - a[1]);
  return h('section', { class: 'panel', id: 'job-coverage' },
    h('h2', {}, 'Coverage'),
    h('p', {}, `${fmtInt(job.counts.batchesDone)} of ${fmtInt(total)} batches recorded · ${fmtInt(job.counts.programs)} programs${job.params.count ? ` of ${fmtInt(job.params.count)}` : ''} · ${fmtInt(job.counts.agreed)} agreed · ${fmtInt(job.counts.divergences)} divergences`),
    h('div', { class: 'batch-strip', 'aria-label': 'batches recorded' }, cells),
    soundness(job),
    byClass.length
      ? h('table', { class: 'small' }, h('tbody', {}, byClass.map(([c, n]) => h('tr', {}, h('td', {}, classBadge(c)), h('td', { class: 'num' }, fmtInt(n))))))
      : h('p', { class: 'muted small' }, 'No divergences by class.'));
}

/** What the soundness oracle checked: programs loaded again at log level 2, values compared, and what it found. */
function soundness(job) {
  const s = job.soundness;
  if (!s) return h('p', { class: 'muted small', id: 'job-soundness' }, 'Soundness oracle: not run in this job.');
  const unsound = job.counts.byClass['verifier-unsound'] ?? 0;
  return h('p', { class: 'small', id: 'job-soundness', 'data-soundness': `${s.programs}/${s.values}/${s.complete}/${unsound}` },
    `Soundness oracle: ${fmtInt(s.programs)} programs checked against the kernel's level-2 beliefs (${fmtInt(s.complete)} followed to the end of the run), ${fmtInt(s.values)} register values · `,
    unsound ? h('strong', { class: 'error-text' }, `${fmtInt(unsound)} verifier-unsound`) : '0 verifier-unsound');
}

function batchesTable(batches) {
  return h('section', { class: 'panel', id: 'job-batches' },
    h('h2', {}, `Batches (${batches.length})`),
    batches.length === 0
      ? h('p', { class: 'muted' }, 'No batch recorded yet.')
      : h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, ['batch', 'programs', 'agreed', 'divergences', 'time', 'guest restarts'].map((c) => h('th', { class: c === 'batch' ? undefined : 'num' }, c)))),
        h('tbody', {}, batches.map((b) => h('tr', { 'data-batch': b.index },
          h('td', {}, String(b.index)),
          h('td', { class: 'num' }, fmtInt(b.programs)),
          h('td', { class: 'num' }, fmtInt(b.agreed)),
          h('td', { class: 'num' }, fmtInt(Object.values(b.byClass).reduce((a, n) => a + n, 0))),
          h('td', { class: 'num' }, `${(b.busyMs / 1000).toFixed(1)} s`),
          h('td', { class: 'num' }, fmtInt(b.vmRestarts))))))));
}

function findingsTable(job, findings) {
  return h('section', { class: 'panel', id: 'job-findings' },
    h('h2', {}, `Findings (${findings.total})`),
    findings.total === 0
      ? h('p', { class: 'muted' }, 'This job saw no divergence.')
      : h('table', { class: 'findings' },
        h('tbody', {}, findings.items.map((d) => h('tr', { 'data-id': d.id },
          h('td', {}, classBadge(d.class)),
          h('td', { class: 'reason' }, h('a', { href: `#/finding/${d.id}` }, reasonLine(d))),
          h('td', { class: 'num' }, fmtInt(d.count)),
          h('td', {}, statusBadge(d.status)))))),
    findings.total > findings.items.length ? h('p', {}, h('a', { href: `#/findings?job=${encodeURIComponent(job.id)}` }, `all ${findings.total} findings of this job →`)) : null);
}

export async function renderJob(root, { id }) {
  let job;
  try {
    job = await api.job(id);
  } catch (err) {
    root.append(errorBox(err));
    return undefined;
  }
  const [batches, findings] = await Promise.all([api.jobBatches(id), api.divergences({ job: id, limit: 50 })]);
  const p = job.params;
  const what = job.kind === 'campaign' ? `${fmtInt(p.count ?? 0)} programs, seed ${p.seed ?? 0}, batches of ${p.batchSize ?? 50}` : job.kind;
  root.append(
    h('div', { class: 'page-head', 'data-job': job.id },
      h('p', { class: 'crumbs' }, h('a', { href: '#/jobs' }, '← Jobs')),
      h('h1', {}, `Job ${job.id.slice(0, 8)}`),
      h('p', {}, h('span', { class: `badge job-${job.state}` }, job.state), ' ', `${job.kind} on ${p.kernels.join(', ')} · ${what} · created `, h('time', { datetime: job.createdAt, title: job.createdAt }, ago(job.createdAt)),
        job.finishedAt ? [' · finished ', h('time', { datetime: job.finishedAt, title: job.finishedAt }, ago(job.finishedAt))] : ''),
      job.error ? h('p', { class: 'error-text' }, job.error) : null,
      h('p', { class: 'muted small mono' }, job.id)),
    h('div', { class: 'grid-2' }, coverage(job, batches.items), findingsTable(job, findings)),
    batchesTable(batches.items),
  );
  return undefined;
}
