// The URL is the page's state: `#/path?query`. Filters and paging write their query here, so a
// link can be shared and a reload shows the same thing.

/** the hash the shell last rendered; a query change made by the page itself is not a new page */
export const shown = { hash: undefined };

/** `#/findings?class=x` → { path: '/findings', params: URLSearchParams } */
export function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = hash.split('?');
  return { path, params: new URLSearchParams(qs) };
}

/** Changes the current page's query without re-rendering it (push: a Back step per change). */
export function setQuery(params, { push = true } = {}) {
  const { path } = currentRoute();
  const qs = params.toString();
  const hash = `#${path}${qs ? `?${qs}` : ''}`;
  if (hash === location.hash) return;
  history[push ? 'pushState' : 'replaceState'](null, '', hash);
  shown.hash = location.hash;
}
