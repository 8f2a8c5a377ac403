// Tiny DOM builders: h() for HTML, svg() for SVG elements. Text goes in as text nodes, never
// as HTML, so a reason line from a kernel cannot inject markup.
const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** @param {string} tag @param {Record<string, unknown>} [attrs] @param {...unknown} children */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** @param {string} tag @param {Record<string, unknown>} [attrs] @param {...unknown} children */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** "3 h ago" style age of an ISO time, for scanning a list; the exact time goes in a title. */
export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function time(iso) {
  return h('time', { datetime: iso, title: iso }, ago(iso));
}

export function fmtInt(n) {
  return Number(n ?? 0).toLocaleString('en-US');
}

export const STATUSES = ['new', 'confirmed-kernel-bug', 'model-bug', 'fixed', 'wontfix'];

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, status);
}

/** The generator's mutation a finding's programs carry: two findings may differ only by it. */
export function mutationTag(mutation) {
  return mutation ? h('span', { class: 'mutation', title: 'generator mutation' }, mutation) : null;
}

export function classBadge(cls) {
  return h('span', { class: `badge class-badge`, 'data-class': cls }, cls);
}

/** Crash, hang and WARN findings are titled by their console report (syzbot's form). */
const CONSOLE_CLASSES = ['kernel-crash', 'kernel-hang', 'kernel-warning'];

/** The reason line a person reads first: a crash's title, the kernel's reason, else the model's, else what differs. */
export function reasonLine(record) {
  if (CONSOLE_CLASSES.includes(record.class) && record.signature?.includes('|')) return record.signature.split('|')[1];
  const ex = record.examples?.[0];
  return ex?.actual?.message || ex?.model?.message || record.detail;
}

/** A red box with the API's message (and what to do about a 401), in place of a view. */
export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert' }, h('strong', {}, err.message ?? String(err)), err.advice ? h('div', {}, err.advice) : null);
}
