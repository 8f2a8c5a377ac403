// Every route, every field, sent wrong: each bad request gets the status a client can act on,
// the error body `{statusCode, error, message, field}` with `message` starting with the field,
// and nothing stored changes (no job, no queue entry, no divergence, no triage).
// Real Redis; the workers run the unit-test fake pipeline.
import { request } from 'node:http';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { programToJson } from '../../core/program/index.ts';
import { divergenceId } from '../../store/index.ts';
import { queueDepths, type WorkerHandle } from '../../workers/index.ts';
import { fakeProgram } from '../../test/fake-pipeline.ts';
import { fakeModelOutcome, startApiHarness, type ApiHarness } from '../../test/api-harness.ts';
import { buildServer } from './index.ts';
import type { ApiConfig } from '../../config/index.ts';

let harness: ApiHarness;
let app: FastifyInstance;
let worker: WorkerHandle;
let config: ApiConfig;
let auth: ApiHarness['auth'];
let TOKEN: string;
let completedJob: string;
let divId: string;
const modelOutcome = fakeModelOutcome;

beforeAll(async () => {
  harness = await startApiHarness({ bodyLimit: 16 * 1024, jobsPerMinute: 10_000, checksPerMinute: 10_000, kernels: ['6.12', '7.2', '7.3'] });
  ({ app, worker, config, auth } = harness);
  TOKEN = config.apiToken!;
  const res = await app.inject({ method: 'POST', url: '/jobs', headers: auth, payload: { kind: 'campaign', kernels: ['7.2'], count: 10, seed: 0, batchSize: 10 } });
  completedJob = res.json().id;
  for (let i = 0; (await worker.store.jobState(completedJob)) !== 'completed'; i++) {
    if (i > 400) throw new Error('the fake campaign did not complete');
    await new Promise((r) => setTimeout(r, 25));
  }
  divId = divergenceId((await worker.store.listDivergences({ limit: 1 })).items[0].signature);
});

afterAll(async () => {
  await harness?.close();
});

async function valueOf(key: string): Promise<unknown> {
  const redis = worker.store.redis;
  switch (await redis.type(key)) {
    case 'hash':
      return Object.entries(await redis.hgetall(key)).sort();
    case 'zset':
      return redis.zrange(key, '0', '-1', 'WITHSCORES');
    case 'set':
      return (await redis.smembers(key)).sort();
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'string':
      return redis.get(key);
    default:
      return redis.type(key);
  }
}

/** Everything a request could have changed: the store's keys and values, and the job queues
 *  (read once the fake worker has nothing left to do, so only a request could change them). */
async function storedState(): Promise<string> {
  const redis = worker.store.redis;
  for (let i = 0; ; i++) {
    const depths = await queueDepths(worker.queues);
    if (Object.values(depths).every((d) => d.waiting + d.active + d.delayed + d.prioritized === 0)) break;
    if (i > 400) throw new Error(`queues not idle: ${JSON.stringify(depths)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const keys = (await redis.keys(`${config.storePrefix}*`)).filter((k) => !k.includes('ratelimit') && !k.includes(':workers')).sort();
  const values = await Promise.all(keys.map(async (k) => `${k}=${JSON.stringify(await valueOf(k))}`));
  const queueKeys = (await redis.keys(`bull:${config.namespace}*`)).filter((k) => !/:(events|stalled-check|marker|meta|stalled|lock)$/.test(k)).sort();
  const ids = await Promise.all(queueKeys.filter((k) => k.endsWith(':id')).map(async (k) => `${k}=${await redis.get(k)}`));
  return [...values, ...queueKeys, ...ids].join('\n');
}

interface Case {
  name: string;
  req: InjectOptions | (() => InjectOptions);
  status: number;
  field?: string;
  message?: RegExp;
  allow?: string;
}

const post = (url: string, payload: unknown, headers: Record<string, string> = auth): InjectOptions => ({ method: 'POST', url, headers, payload: payload as object });
const job = (extra: Record<string, unknown>) => post('/jobs', { kind: 'campaign', kernels: ['7.2'], count: 10, ...extra });
const raw = (url: string, body: string, contentType: string): InjectOptions => ({ method: 'POST', url, headers: { ...auth, 'content-type': contentType }, payload: body });
const check = (extra: Record<string, unknown>) => post('/programs/check', { asm: 'r0 = 1\nexit', kernels: ['7.2'], ...extra });
const goodProgram = () => programToJson(fakeProgram(1));

function cases(): Case[] {
  return [
    // POST /jobs: kernels
    { name: 'unknown kernel', req: job({ kernels: ['9.9'] }), status: 400, field: 'body.kernels[0]', message: /unknown kernel "9\.9"; expected one of 6\.12, 7\.2, 7\.3/ },
    { name: 'kernel as a host path', req: job({ kernels: ['/etc/passwd'] }), status: 400, field: 'body.kernels[0]', message: /catalog id .*never a path/ },
    { name: 'kernel as a relative path', req: job({ kernels: ['../../7.2'] }), status: 400, field: 'body.kernels[0]', message: /never a path/ },
    { name: 'kernel PATH:PROFILE', req: job({ kernels: ['bzImage:next'] }), status: 400, field: 'body.kernels[0]', message: /never a path/ },
    { name: 'second kernel unknown', req: job({ kernels: ['7.2', 'linux-7.2'] }), status: 400, field: 'body.kernels[1]', message: /unknown kernel "linux-7\.2"/ },
    { name: 'kernel twice', req: job({ kernels: ['7.2', '7.2'] }), status: 400, field: 'body.kernels[1]', message: /given twice/ },
    { name: 'no kernels', req: job({ kernels: [] }), status: 400, field: 'body.kernels', message: /fewer than 1 items/ },
    { name: 'kernels as a string', req: job({ kernels: '7.2' }), status: 400, field: 'body.kernels', message: /must be array/ },
    { name: 'kernel as a number', req: job({ kernels: [7.2] }), status: 400, field: 'body.kernels[0]', message: /must be string, got 7\.2/ },
    { name: 'kernels missing', req: post('/jobs', { kind: 'replay' }), status: 400, field: 'body.kernels', message: /is required/ },
    // kind
    { name: 'unknown kind', req: job({ kind: 'fuzz' }), status: 400, field: 'body.kind', message: /expected one of campaign, replay, got "fuzz"/ },
    { name: 'nightly kind', req: job({ kind: 'nightly' }), status: 400, field: 'body.kind', message: /expected one of campaign, replay/ },
    { name: 'kind missing', req: post('/jobs', { kernels: ['7.2'] }), status: 400, field: 'body.kind', message: /is required/ },
    // count, seed, batchSize
    { name: 'campaign without count', req: post('/jobs', { kind: 'campaign', kernels: ['7.2'] }), status: 400, field: 'body.count', message: /is required/ },
    { name: 'count 0', req: job({ count: 0 }), status: 400, field: 'body.count', message: />= 1/ },
    { name: 'count as text', req: job({ count: 'many' }), status: 400, field: 'body.count', message: /must be integer, got "many"/ },
    { name: 'count fractional', req: job({ count: 1.5 }), status: 400, field: 'body.count', message: /must be integer/ },
    { name: 'count too large', req: job({ count: 1e8 }), status: 400, field: 'body.count', message: /<= 10000000/ },
    { name: 'negative seed', req: job({ seed: -1 }), status: 400, field: 'body.seed', message: />= 0/ },
    { name: 'seed past 32 bits', req: job({ seed: 2 ** 32 }), status: 400, field: 'body.seed', message: /<= 4294967295/ },
    { name: 'seed as text', req: job({ seed: '1' }), status: 400, field: 'body.seed', message: /must be integer/ },
    { name: 'batchSize 0', req: job({ batchSize: 0 }), status: 400, field: 'body.batchSize', message: />= 1/ },
    { name: 'batchSize too large', req: job({ batchSize: 20_000 }), status: 400, field: 'body.batchSize', message: /<= 10000/ },
    // generator
    { name: 'funcs out of range', req: job({ generator: { funcs: [0, 99] } }), status: 400, field: 'body.generator.funcs', message: /expected integers MIN-MAX with 1 <= MIN <= MAX <= 16, got 0-99/ },
    { name: 'funcs as text', req: job({ generator: { funcs: '0-99' } }), status: 400, field: 'body.generator.funcs', message: /expected \[MIN, MAX\] \(two integers\), got "0-99"/ },
    { name: 'funcs reversed', req: job({ generator: { funcs: [6, 2] } }), status: 400, field: 'body.generator.funcs', message: /MIN <= MAX/ },
    { name: 'unknown generator option', req: job({ generator: { colour: 1 } }), status: 400, field: 'body.generator.colour', message: /unknown generator option; expected some of progType, funcs/ },
    { name: 'maxFrames 17', req: job({ generator: { maxFrames: 17 } }), status: 400, field: 'body.generator.maxFrames', message: /from 1 to 16, got 17/ },
    { name: 'maxFrames as text', req: job({ generator: { maxFrames: 'deep' } }), status: 400, field: 'body.generator.maxFrames', message: /expected an integer/ },
    { name: 'mutationRate 2', req: job({ generator: { mutationRate: 2 } }), status: 400, field: 'body.generator.mutationRate', message: /from 0 to 1, got 2/ },
    { name: 'unknown mutation', req: job({ generator: { mutations: ['nope'] } }), status: 400, field: 'body.generator.mutations', message: /unknown kind "nope"; expected some of missing-stack-arg-store/ },
    { name: 'no mutation kinds', req: job({ generator: { mutations: [], mutationRate: 0.5 } }), status: 400, field: 'body.generator.mutations', message: /at least one kind/ },
    { name: 'unknown progType', req: job({ generator: { progType: 'kprobe' } }), status: 400, field: 'body.generator.progType', message: /expected one of socket_filter, sched_cls, xdp, got "kprobe"/ },
    { name: 'bodySize past 200', req: job({ generator: { bodySize: [1, 500] } }), status: 400, field: 'body.generator.bodySize', message: /<= 200/ },
    { name: 'all-zero argWeights', req: job({ generator: { argWeights: Array(13).fill(0) } }), status: 400, field: 'body.generator.argWeights', message: /not all zero/ },
    { name: 'helpers not ids', req: job({ generator: { helpers: [0] } }), status: 400, field: 'body.generator.helpers', message: /positive integers/ },
    { name: 'generator as a list', req: job({ generator: [] }), status: 400, field: 'body.generator', message: /must be object/ },
    { name: 'generator as text', req: job({ generator: 'funcs=2' }), status: 400, field: 'body.generator', message: /must be object/ },
    // coverage guidance
    { name: 'guidedShare 1.5', req: job({ guidedShare: 1.5 }), status: 400, field: 'body.guidedShare', message: /must be <= 1/ },
    { name: 'guided as text', req: job({ guided: 'yes' }), status: 400, field: 'body.guided', message: /must be boolean/ },
    { name: 'guidedShare without guidance', req: job({ guided: false, guidedShare: 0.5 }), status: 400, field: 'body.guidedShare', message: /applies to guided campaigns only/ },
    { name: 'replay with guided', req: post('/jobs', { kind: 'replay', kernels: ['7.2'], guided: true }), status: 400, field: 'body.guided', message: /campaign jobs only/ },
    // fields of the other kind, unknown fields
    { name: 'unknown field', req: job({ colour: 'red' }), status: 400, field: 'body.colour', message: /is not a known field; expected some of kind, kernels, count/ },
    { name: 'replay with count', req: post('/jobs', { kind: 'replay', kernels: ['7.2'], count: 5 }), status: 400, field: 'body.count', message: /campaign jobs only/ },
    { name: 'replay with generator', req: post('/jobs', { kind: 'replay', kernels: ['7.2'], generator: {} }), status: 400, field: 'body.generator', message: /campaign jobs only/ },
    { name: 'campaign with corpus', req: job({ corpus: true }), status: 400, field: 'body.corpus', message: /replay jobs only/ },
    { name: 'replay with nothing to run', req: post('/jobs', { kind: 'replay', kernels: ['7.2'], corpus: false, reproducers: false }), status: 400, field: 'body.corpus', message: /nothing to run/ },
    { name: 'corpus as text', req: post('/jobs', { kind: 'replay', kernels: ['7.2'], corpus: 'yes' }), status: 400, field: 'body.corpus', message: /must be boolean/ },
    // the body itself
    { name: 'body a list', req: raw('/jobs', '[1,2]', 'application/json'), status: 400, field: 'body', message: /must be object/ },
    { name: 'body a string', req: raw('/jobs', '"campaign"', 'application/json'), status: 400, field: 'body', message: /must be object/ },
    { name: 'body not JSON', req: raw('/jobs', '{"kind":"campaign",', 'application/json'), status: 400, field: 'body', message: /^body: not valid JSON \(/ },
    { name: 'body empty', req: raw('/jobs', '', 'application/json'), status: 400, field: 'body', message: /is empty; expected a JSON object/ },
    { name: 'body as text/plain', req: raw('/jobs', '{"kind":"replay","kernels":["7.2"]}', 'text/plain'), status: 415, field: 'content-type', message: /"text\/plain" is not accepted; send application\/json/ },
    { name: 'body as XML', req: raw('/jobs', '<job/>', 'application/xml'), status: 415, field: 'content-type', message: /send application\/json/ },
    { name: '__proto__ key', req: raw('/jobs', '{"kind":"replay","kernels":["7.2"],"__proto__":{"admin":true}}', 'application/json'), status: 400, field: 'body.__proto__', message: /a key named __proto__ is not accepted/ },
    { name: 'constructor.prototype key', req: raw('/jobs', '{"kind":"campaign","kernels":["7.2"],"count":1,"generator":{"constructor":{"prototype":{"x":1}}}}', 'application/json'), status: 400, field: 'body.generator.constructor.prototype', message: /constructor\.prototype is not accepted/ },
    { name: 'body past the limit', req: job({ generator: { pad: 'x'.repeat(20 * 1024) } }), status: 413, field: 'body', message: /larger than the limit of 16384 bytes/ },
    // auth
    { name: 'no token', req: post('/jobs', { kind: 'replay', kernels: ['7.2'] }, {}), status: 401, field: 'authorization', message: /a bearer token is required/ },
    { name: 'wrong token', req: post('/jobs', { kind: 'replay', kernels: ['7.2'] }, { authorization: 'Bearer nope' }), status: 401, field: 'authorization', message: /^authorization: invalid token$/ },
    { name: 'not a bearer token', req: post('/jobs', { kind: 'replay', kernels: ['7.2'] }, { authorization: `Basic ${TOKEN}` }), status: 401, field: 'authorization', message: /expected "Bearer <token>"/ },
    { name: 'wrong token on DELETE', req: { method: 'DELETE', url: '/jobs/abc', headers: { authorization: 'Bearer x' } }, status: 401, field: 'authorization', message: /invalid token/ },
    // methods
    { name: 'PUT /jobs', req: { method: 'PUT', url: '/jobs', headers: auth, payload: {} }, status: 405, field: 'method', allow: 'GET, HEAD, POST', message: /PUT is not allowed on \/jobs; allowed: GET, HEAD, POST/ },
    { name: 'PATCH /jobs', req: { method: 'PATCH', url: '/jobs' }, status: 405, field: 'method', allow: 'GET, HEAD, POST' },
    { name: 'OPTIONS /jobs', req: { method: 'OPTIONS', url: '/jobs' }, status: 405, field: 'method', allow: 'GET, HEAD, POST' },
    { name: 'TRACE /jobs', req: { method: 'TRACE', url: '/jobs' }, status: 405, field: 'method', allow: 'GET, HEAD, POST' },
    { name: 'DELETE /jobs', req: { method: 'DELETE', url: '/jobs', headers: auth }, status: 405, field: 'method', allow: 'GET, HEAD, POST' },
    { name: 'POST /jobs/:id', req: post(`/jobs/abc`, {}), status: 405, field: 'method', allow: 'DELETE, GET, HEAD' },
    { name: 'PUT /divergences/:id', req: { method: 'PUT', url: '/divergences/0123456789abcdef' }, status: 405, field: 'method', allow: 'GET, HEAD, PATCH' },
    { name: 'GET /programs/check', req: { method: 'GET', url: '/programs/check' }, status: 405, field: 'method', allow: 'POST' },
    { name: 'POST /health', req: post('/health', {}), status: 405, field: 'method', allow: 'GET, HEAD' },
    { name: 'DELETE /reports/nightly', req: { method: 'DELETE', url: '/reports/nightly', headers: auth }, status: 405, field: 'method', allow: 'GET, HEAD' },
    { name: 'no such route', req: { method: 'GET', url: '/jobz' }, status: 404, message: /GET \/jobz: no such route/ },
    // /jobs/:id and listing
    { name: 'DELETE a completed job', req: () => ({ method: 'DELETE', url: `/jobs/${completedJob}`, headers: auth }), status: 409, field: 'params.id', message: /is completed; only a queued or running job can be cancelled/ },
    { name: 'DELETE an unknown job', req: { method: 'DELETE', url: '/jobs/does-not-exist', headers: auth }, status: 404, field: 'params.id', message: /does not exist/ },
    { name: 'DELETE a malformed id', req: { method: 'DELETE', url: '/jobs/not_an_id!', headers: auth }, status: 400, field: 'params.id', message: /must match pattern/ },
    { name: 'GET an unknown job', req: { method: 'GET', url: '/jobs/does-not-exist' }, status: 404, field: 'params.id' },
    { name: 'list by unknown state', req: { method: 'GET', url: '/jobs?state=done' }, status: 400, field: 'querystring.state', message: /expected one of queued, running, completed, failed, cancelled, got "done"/ },
    { name: 'list by unknown kind', req: { method: 'GET', url: '/jobs?kind=fuzz' }, status: 400, field: 'querystring.kind', message: /expected one of campaign, replay, nightly/ },
    { name: 'limit 0', req: { method: 'GET', url: '/jobs?limit=0' }, status: 400, field: 'querystring.limit', message: />= 1/ },
    { name: 'limit 501', req: { method: 'GET', url: '/jobs?limit=501' }, status: 400, field: 'querystring.limit', message: /<= 500/ },
    { name: 'negative offset', req: { method: 'GET', url: '/jobs?offset=-1' }, status: 400, field: 'querystring.offset', message: />= 0/ },
    { name: 'limit as text', req: { method: 'GET', url: '/jobs?limit=all' }, status: 400, field: 'querystring.limit', message: /must be integer/ },
    { name: 'unknown query parameter', req: { method: 'GET', url: '/jobs?colour=red' }, status: 400, field: 'querystring.colour', message: /not a known field; expected some of state, kind, offset, limit/ },
    // divergences
    { name: 'divergences by unknown status', req: { method: 'GET', url: '/divergences?status=broken' }, status: 400, field: 'querystring.status', message: /expected one of new, confirmed-kernel-bug, model-bug, fixed, wontfix/ },
    { name: 'divergences sorted by size', req: { method: 'GET', url: '/divergences?sort=size' }, status: 400, field: 'querystring.sort', message: /expected one of count, lastSeen, got "size"/ },
    { name: 'divergence id not hex', req: { method: 'GET', url: '/divergences/xyz' }, status: 400, field: 'params.id', message: /must match pattern/ },
    { name: 'divergence unknown', req: { method: 'GET', url: '/divergences/ffffffffffffffff' }, status: 404, field: 'params.id', message: /does not exist/ },
    { name: 'triage unknown status', req: () => ({ method: 'PATCH', url: `/divergences/${divId}`, headers: auth, payload: { status: 'done' } }), status: 400, field: 'body.status', message: /expected one of new, confirmed-kernel-bug/ },
    { name: 'triage nothing', req: () => ({ method: 'PATCH', url: `/divergences/${divId}`, headers: auth, payload: {} }), status: 400, field: 'body', message: /fewer than 1 properties/ },
    { name: 'triage note without author', req: () => ({ method: 'PATCH', url: `/divergences/${divId}`, headers: auth, payload: { note: { text: 'x' } } }), status: 400, field: 'body.note.author', message: /is required/ },
    { name: 'triage empty note text', req: () => ({ method: 'PATCH', url: `/divergences/${divId}`, headers: auth, payload: { note: { author: 'a', text: '' } } }), status: 400, field: 'body.note.text', message: /fewer than 1 characters/ },
    { name: 'triage unknown field', req: () => ({ method: 'PATCH', url: `/divergences/${divId}`, headers: auth, payload: { status: 'fixed', severity: 3 } }), status: 400, field: 'body.severity', message: /not a known field; expected some of status, note/ },
    { name: 'triage unknown divergence', req: { method: 'PATCH', url: '/divergences/ffffffffffffffff', headers: auth, payload: { status: 'fixed' } }, status: 404, field: 'params.id' },
    { name: 'triage without token', req: () => ({ method: 'PATCH', url: `/divergences/${divId}`, payload: { status: 'fixed' } }), status: 401, field: 'authorization' },
    // reports
    { name: 'report of 2026-13-45', req: { method: 'GET', url: '/reports/nightly/2026-13-45' }, status: 400, field: 'params.date', message: /expected a calendar date YYYY-MM-DD, got "2026-13-45"/ },
    { name: 'report of February 30', req: { method: 'GET', url: '/reports/nightly/2026-02-30' }, status: 400, field: 'params.date', message: /calendar date/ },
    { name: 'report of yesterday', req: { method: 'GET', url: '/reports/nightly/yesterday' }, status: 400, field: 'params.date', message: /must match pattern/ },
    { name: 'report not there', req: { method: 'GET', url: '/reports/nightly/2026-01-03' }, status: 404, field: 'params.date', message: /no nightly report for 2026-01-03/ },
    // POST /programs/check
    { name: 'check with asm and program', req: check({ program: { format: 'nope' } }), status: 400, field: 'body.program', message: /give exactly one of program .* or asm .*; both were given/ },
    { name: 'check with neither', req: post('/programs/check', { kernels: ['7.2'] }), status: 400, field: 'body.program', message: /neither was given/ },
    { name: 'check on an unknown kernel', req: check({ kernels: ['9.9'] }), status: 400, field: 'body.kernels[0]', message: /unknown kernel "9\.9"/ },
    { name: 'check on a host path', req: check({ kernels: ['/boot/vmlinuz'] }), status: 400, field: 'body.kernels[0]', message: /never a path/ },
    { name: 'check of bad assembler text', req: check({ asm: 'r0 = = 1\nexit' }), status: 400, field: 'body.asm', message: /line 1/ },
    { name: 'check of empty assembler text', req: check({ asm: '' }), status: 400, field: 'body.asm', message: /fewer than 1 characters/ },
    { name: 'check of bad program hex', req: post('/programs/check', { program: { ...goodProgram(), insns: 'abc' }, kernels: ['7.2'] }), status: 400, field: 'body.program.insns' },
    { name: 'check of a program of another format', req: post('/programs/check', { program: { ...goodProgram(), format: 'v0' }, kernels: ['7.2'] }), status: 400, field: 'body.program.format' },
    { name: 'check timeout too short', req: check({ timeoutMs: 5 }), status: 400, field: 'body.timeoutMs', message: />= 100/ },
    { name: 'check without token', req: post('/programs/check', { asm: 'exit', kernels: ['7.2'] }, {}), status: 401, field: 'authorization' },
    { name: 'check with unknown field', req: check({ verbose: true }), status: 400, field: 'body.verbose', message: /not a known field; expected some of program, asm, kernels, timeoutMs/ },
  ];
}

describe('bad requests', () => {
  it('at least 60 bad requests: each names its field and status, and nothing stored changes', async () => {
    const table = cases();
    expect(table.length).toBeGreaterThanOrEqual(60);
    const before = await storedState();
    const failures: string[] = [];
    for (const c of table) {
      const opts = typeof c.req === 'function' ? (c.req as () => InjectOptions)() : c.req;
      const res = await app.inject(opts);
      const body = res.json() as { statusCode: number; error: string; message: string; field?: string };
      const problems: string[] = [];
      if (res.statusCode !== c.status) problems.push(`status ${res.statusCode}, expected ${c.status}`);
      if (body.statusCode !== res.statusCode) problems.push(`body.statusCode ${body.statusCode}`);
      if (!/^[A-Z][A-Za-z ]+$/.test(body.error) || body.error === 'FastifyError') problems.push(`error "${body.error}"`);
      if (c.field !== undefined && body.field !== c.field) problems.push(`field ${body.field}, expected ${c.field}`);
      if (c.field !== undefined && !body.message.startsWith(`${c.field}:`)) problems.push('message does not start with the field');
      if (c.message && !c.message.test(body.message)) problems.push(`message "${body.message}" !~ ${c.message}`);
      if (c.allow !== undefined && res.headers.allow !== c.allow) problems.push(`Allow "${res.headers.allow}", expected "${c.allow}"`);
      if (problems.length > 0) failures.push(`${c.name}: ${problems.join('; ')} (${res.body.slice(0, 300)})`);
    }
    expect(failures).toEqual([]);
    expect(await storedState()).toBe(before);
    expect(await worker.store.jobState(completedJob)).toBe('completed');
  });

  it('a campaign without a seed gets one drawn at submission, recorded and answered', async () => {
    const res = await app.inject(post('/jobs', { kind: 'campaign', kernels: ['7.2'], count: 1 }));
    expect(res.statusCode).toBe(202);
    const { id, seed } = res.json();
    expect(Number.isInteger(seed)).toBe(true);
    expect((await worker.store.getJob(id))?.params.seed).toBe(seed);
    const again = (await app.inject(post('/jobs', { kind: 'campaign', kernels: ['7.2'], count: 1 }))).json();
    expect(again.seed).not.toBe(seed);
  });

  it('a campaign is coverage-guided unless it says otherwise, and the job shows it', async () => {
    const guided = (await app.inject(post('/jobs', { kind: 'campaign', kernels: ['7.2'], count: 1 }))).json();
    expect((await worker.store.getJob(guided.id))?.params).toMatchObject({ guided: true, guidedShare: 0.3 });
    const plain = (await app.inject(post('/jobs', { kind: 'campaign', kernels: ['7.2'], count: 1, guided: false }))).json();
    const shown = (await app.inject({ method: 'GET', url: `/jobs/${plain.id}` })).json();
    expect(shown.params.guided).toBe(false);
    expect(shown.params.guidedShare).toBeUndefined();
  });

  it('answers 431 with the error body when the headers are too large', async () => {
    const server = await buildServer(config, modelOutcome, pino({ level: 'silent' }));
    const address = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${address}/jobs`, { headers: { 'x-padding': 'p'.repeat(20 * 1024) } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(431);
      expect(JSON.parse(body)).toMatchObject({ statusCode: 431, error: 'Request Header Fields Too Large', field: 'headers' });
    } finally {
      await server.close();
    }
  });
});
