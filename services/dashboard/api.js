// The dashboard's only way to the data: the bpfdiff REST API on the same origin. The bearer
// token a user enters is kept in localStorage and sent on every request (reads may be closed).
const TOKEN_KEY = 'bpfdiff.token';

export function getToken() {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ? `${status} ${body.error ?? ''}: ${body.message}`.replace(' :', ':') : `HTTP ${status}`);
    this.status = status;
    this.field = body?.field;
  }

  /** What to tell the person: a 401 also says where the token goes. */
  get advice() {
    if (this.status === 401) return 'Enter the API token (printed by `bpfdiff start`, or BPFDIFF_API_TOKEN) in the field at the top right and try again.';
    if (this.status === 429) return 'Too many submissions from this address; wait a minute.';
    return undefined;
  }
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { message: text.slice(0, 200) };
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const api = {
  divergences: (filter = {}) => call('GET', `/divergences${query(filter)}`),
  summary: () => call('GET', '/divergences/summary'),
  divergence: (id) => call('GET', `/divergences/${encodeURIComponent(id)}`),
  selftest: (id) => call('GET', `/divergences/${encodeURIComponent(id)}/selftest`),
  triage: (id, change) => call('PATCH', `/divergences/${encodeURIComponent(id)}`, change),
  jobs: (filter = {}) => call('GET', `/jobs${query(filter)}`),
  job: (id) => call('GET', `/jobs/${encodeURIComponent(id)}`),
  jobBatches: (id) => call('GET', `/jobs/${encodeURIComponent(id)}/batches`),
  submitJob: (body) => call('POST', '/jobs', body),
  cancelJob: (id) => call('DELETE', `/jobs/${encodeURIComponent(id)}`),
  nightly: () => call('GET', '/reports/nightly'),
  health: () => call('GET', '/health').catch((err) => ({ status: 'degraded', redis: { ok: false, error: err.message }, workers: [], queues: {} })),
};
