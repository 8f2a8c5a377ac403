// The dashboard's shell: hash routing (`#/`, `#/findings?class=...`, `#/finding/ID`, `#/jobs`),
// the token field, and the lifecycle of a view (a view may return a cleanup, e.g. a poll timer).
import { getToken, setToken } from './api.js';
import { errorBox } from './dom.js';
import { currentRoute, shown } from './route.js';
import { renderOverview } from './views/overview.js';
import { renderFindings } from './views/findings.js';
import { renderFinding } from './views/finding.js';
import { renderJobs } from './views/jobs.js';
import { renderJob } from './views/job.js';

const view = document.getElementById('view');
const ROUTES = [
  [/^\/?$/, 'overview', renderOverview],
  [/^\/findings$/, 'findings', renderFindings],
  [/^\/finding\/([0-9a-f]{16})$/, 'findings', renderFinding],
  [/^\/jobs$/, 'jobs', renderJobs],
  [/^\/job\/([A-Za-z0-9_.:-]+)$/, 'jobs', renderJob],
];

let cleanup;
let generation = 0;

async function route() {
  if (location.hash === shown.hash && shown.hash !== undefined) return;
  shown.hash = location.hash;
  const gen = ++generation;
  cleanup?.();
  cleanup = undefined;
  const { path, params } = currentRoute();
  const match = ROUTES.map(([re, nav, render]) => ({ m: re.exec(path), nav, render })).find((r) => r.m);
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === match?.nav);
  if (!match) {
    view.replaceChildren(errorBox(new Error(`no page at #${path}`)));
    return;
  }
  const container = document.createElement('div');
  container.className = 'page';
  view.setAttribute('aria-busy', 'true');
  try {
    const done = await match.render(container, { params, id: match.m[1], isCurrent: () => gen === generation });
    if (gen !== generation) {
      done?.();
      return;
    }
    cleanup = done;
    view.replaceChildren(container);
  } catch (err) {
    if (gen === generation) view.replaceChildren(errorBox(err));
  } finally {
    if (gen === generation) view.removeAttribute('aria-busy');
  }
}

function showTokenState() {
  document.getElementById('token-state').textContent = getToken() ? 'saved ✓' : 'not set';
}

document.getElementById('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = document.getElementById('token-input');
  setToken(input.value.trim());
  input.value = '';
  showTokenState();
});

window.addEventListener('hashchange', route);
window.addEventListener('popstate', route);
showTokenState();
route();
