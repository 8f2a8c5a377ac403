// Findings: one row per signature, filtered by class, kernel, status and text, sorted by count
// or last seen, a page at a time. The filters live in the URL (`#/findings?class=...&page=2`).
import { api } from '../api.js';
import { STATUSES, ago, classBadge, errorBox, fmtInt, h, mutationTag, reasonLine, statusBadge } from '../dom.js';
import { setQuery } from '../route.js';

const PAGE_SIZE = 25;
const FILTERS = ['class', 'kernel', 'status', 'text', 'sort', 'job'];

function select(name, label, values, current, labels = {}) {
  const options = [...new Set([...values, ...(current ? [current] : [])])];
  return h('label', {}, label,
    h('select', { name, 'data-filter': name },
      h('option', { value: '' }, name === 'sort' ? 'count' : 'any'),
      options.filter((v) => !(name === 'sort' && v === 'count')).map((v) => h('option', { value: v, selected: v === current }, labels[v] ?? v))));
}

function row(d) {
  const when = (iso) => h('td', { class: 'when' }, h('time', { datetime: iso, title: iso }, ago(iso)));
  const reason = reasonLine(d);
  return h('tr', { 'data-id': d.id, 'data-class': d.class },
    h('td', {}, classBadge(d.class)),
    h('td', { class: 'reason' }, h('a', { href: `#/finding/${d.id}`, title: d.detail }, reason), mutationTag(d.mutation)),
    h('td', { class: 'kernels' }, d.kernels.join(' ')),
    h('td', { class: 'num' }, fmtInt(d.count)),
    when(d.firstSeen),
    when(d.lastSeen),
    h('td', {}, statusBadge(d.status)));
}

export async function renderFindings(root, { params }) {
  const state = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? '']));
  let page = Math.max(1, Number(params.get('page')) || 1);
  const summary = await api.summary();
  const classes = Object.keys(summary.byClass).sort();
  const kernels = summary.kernels;

  const tableBody = h('tbody');
  const status = h('p', { class: 'muted', id: 'findings-status', 'aria-live': 'polite' });
  const pager = h('div', { class: 'pager' });
  const message = h('div');

  const urlParams = () => {
    const p = new URLSearchParams();
    for (const k of FILTERS) if (state[k]) p.set(k, state[k]);
    if (page > 1) p.set('page', String(page));
    return p;
  };

  let loadSeq = 0;
  async function load() {
    const seq = ++loadSeq;
    const filter = { ...state, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE };
    try {
      const res = await api.divergences(filter);
      if (seq !== loadSeq) return;
      message.replaceChildren();
      tableBody.replaceChildren(...res.items.map(row));
      if (res.items.length === 0) tableBody.append(h('tr', {}, h('td', { colspan: 7, class: 'muted empty-row' }, res.total ? 'No rows on this page.' : 'No findings match these filters.')));
      const first = res.total ? (page - 1) * PAGE_SIZE + 1 : 0;
      status.textContent = `${first}–${(page - 1) * PAGE_SIZE + res.items.length} of ${fmtInt(res.total)} signatures`;
      const pages = Math.max(1, Math.ceil(res.total / PAGE_SIZE));
      const go = (p) => () => {
        page = p;
        setQuery(urlParams());
        load();
      };
      pager.replaceChildren(
        h('button', { type: 'button', disabled: page <= 1, onclick: go(page - 1) }, '← Previous'),
        h('span', { class: 'muted' }, ` page ${page} of ${pages} `),
        h('button', { type: 'button', disabled: page >= pages, onclick: go(page + 1) }, 'Next →'));
    } catch (err) {
      if (seq === loadSeq) message.replaceChildren(errorBox(err));
    }
  }

  const textInput = h('input', { type: 'search', name: 'text', value: state.text, placeholder: 'reason, signature, mutation', 'data-filter': 'text' });
  const form = h('form', { class: 'filters', onsubmit: (ev) => ev.preventDefault() },
    select('class', 'Class', classes, state.class),
    select('kernel', 'Kernel', kernels, state.kernel),
    select('status', 'Status', STATUSES, state.status),
    h('label', { class: 'grow' }, 'Text', textInput),
    select('sort', 'Sort by', ['count', 'lastSeen'], state.sort, { lastSeen: 'last seen' }),
    state.job ? h('span', { class: 'job-filter', id: 'job-filter' }, 'job ', h('a', { href: `#/job/${state.job}` }, state.job.slice(0, 8)), ' ', h('a', { href: '#/findings', title: 'all jobs' }, '×')) : null,
    h('a', { href: '#/findings', class: 'reset' }, 'clear'));

  form.addEventListener('change', (ev) => {
    const name = ev.target.dataset?.filter;
    if (!name || name === 'text') return;
    state[name] = ev.target.value;
    page = 1;
    setQuery(urlParams());
    load();
  });
  let typing;
  textInput.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.text = textInput.value.trim();
      page = 1;
      setQuery(urlParams(), { push: false });
      load();
    }, 250);
  });

  root.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Findings'), status),
    form,
    message,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'findings', id: 'findings-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'class'), h('th', {}, 'reason line'), h('th', {}, 'kernels'), h('th', { class: 'num' }, 'count'), h('th', {}, 'first seen'), h('th', {}, 'last seen'), h('th', {}, 'status'))),
        tableBody)),
    pager,
  );
  await load();
  return () => clearTimeout(typing);
}
