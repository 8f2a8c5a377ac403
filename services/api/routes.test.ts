// Every route through app.inject against a real Redis: success, validation errors naming the
// field, auth on mutating routes. The pipeline behind the workers is the unit-test fake.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programFromAsm, programToJson, type Outcome, type Program } from '../../core/program/index.ts';
import { divergenceId } from '../../store/index.ts';
import type { WorkerHandle } from '../../workers/index.ts';
import { fakeProgram } from '../../test/fake-pipeline.ts';
import { fakeModelOutcome, startApiHarness, type ApiHarness } from '../../test/api-harness.ts';
import { apiPlugin } from './index.ts';
import type { ApiConfig } from '../../config/index.ts';
import { resolveProfile, verify } from '../../core/model/index.ts';

let harness: ApiHarness;
let app: FastifyInstance;
let worker: WorkerHandle;
let config: ApiConfig;
let auth: ApiHarness['auth'];
const modelOutcome = fakeModelOutcome;

beforeAll(async () => {
  harness = await startApiHarness();
  ({ app, worker, config, auth } = harness);
});

afterAll(async () => {
  await harness?.close();
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('jobs routes', () => {
  it('POST /jobs → 202 with an id; GET /jobs/:id reaches completed with counts', async () => {
    const res = await app.inject({ method: 'POST', url: '/jobs', headers: auth, payload: { kind: 'campaign', kernels: ['7.2'], count: 30, seed: 0, batchSize: 10 } });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    expect(res.headers.location).toBe(`/jobs/${id}`);
    expect(res.headers['x-request-id']).toBeTruthy();
    const job = await until(async () => {
      const r = (await app.inject(`/jobs/${id}`)).json();
      return r.state === 'completed' ? r : undefined;
    });
    expect(job.counts).toMatchObject({ programs: 30, batchesDone: 3 });
    expect(job.divergenceIds.length).toBeGreaterThan(0);
    const list = (await app.inject('/jobs?state=completed')).json();
    expect(list.items.map((j: { id: string }) => j.id)).toContain(id);
  });

  it('rejects malformed submissions with 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ kind: 'campaign', kernels: [], count: 1 }, 'body.kernels'],
      [{ kind: 'fuzz', kernels: ['7.2'] }, 'body.kind'],
      [{ kind: 'campaign', kernels: ['7.2'], count: 'many' }, 'body.count'],
      [{ kind: 'campaign', kernels: ['7.2'] }, 'body.count'],
      [{ kind: 'replay', kernels: [7] }, 'body.kernels[0]'],
      [{ kind: 'replay', kernels: ['7.2'], colour: 'red' }, 'body.colour'],
      [{ kernels: ['7.2'] }, 'body.kind'],
    ];
    for (const [i, [payload, field]] of cases.entries()) {
      // each from its own address, so the submission rate limit stays out of the way
      const res = await app.inject({ method: 'POST', url: '/jobs', headers: auth, payload: payload as object, remoteAddress: `10.1.0.${i}` });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().field).toBe(field);
      expect(res.json().message.startsWith(`${field}:`)).toBe(true);
    }
    expect((await app.inject('/jobs?limit=0')).json().field).toBe('querystring.limit');
    expect((await app.inject('/jobs/not_an_id!')).json().field).toBe('params.id');
  });

  it('requires the bearer token on mutating routes and not on reads', async () => {
    const body = { kind: 'replay', kernels: ['7.2'] };
    expect((await app.inject({ method: 'POST', url: '/jobs', payload: body })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/jobs', payload: body, headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: '/jobs/abc' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'PATCH', url: '/divergences/0123456789abcdef', payload: { status: 'fixed' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/programs/check', payload: {} })).statusCode).toBe(401);
    expect((await app.inject('/jobs')).statusCode).toBe(200);
  });

  it('with reads closed, data needs the token but the dashboard page itself still loads', async () => {
    const closed = Fastify({ logger: false });
    await closed.register(apiPlugin, { config: { ...config, readsOpen: false, dashboardDir: new URL('../dashboard/', import.meta.url).pathname }, model: modelOutcome });
    await closed.ready();
    try {
      expect((await closed.inject('/jobs')).statusCode).toBe(401);
      expect((await closed.inject('/divergences')).statusCode).toBe(401);
      expect((await closed.inject({ url: '/jobs', headers: auth })).statusCode).toBe(200);
      for (const page of ['/', '/app.js', '/style.css', '/views/finding.js']) expect((await closed.inject(page)).statusCode, page).toBe(200);
      expect((await closed.inject('/health')).statusCode).not.toBe(401);
    } finally {
      await closed.close();
    }
  });

  it('DELETE /jobs/:id cancels a queued job; 404 for an unknown one', async () => {
    const created = await worker.store.createJob({ kind: 'campaign', kernels: ['7.2'], count: 10 });
    const res = await app.inject({ method: 'DELETE', url: `/jobs/${created.id}`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().state).toBe('cancelled');
    expect((await app.inject({ method: 'DELETE', url: '/jobs/does-not-exist', headers: auth })).statusCode).toBe(404);
    expect((await app.inject('/jobs/does-not-exist')).statusCode).toBe(404);
  });

  it('limits the body size and the submission rate', async () => {
    const big = await app.inject({ method: 'POST', url: '/jobs', headers: auth, remoteAddress: '10.2.0.1', payload: { kind: 'replay', kernels: ['7.2'], generator: { pad: 'x'.repeat(70 * 1024) } } });
    expect(big.statusCode).toBe(413);
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) {
      codes.push((await app.inject({ method: 'POST', url: '/jobs', headers: auth, remoteAddress: '10.9.9.9', payload: { kind: 'replay', kernels: ['6.12'], corpus: false, reproducers: false } })).statusCode);
    }
    expect(codes).toContain(429);
    expect(codes.filter((c) => c === 202).length).toBeLessThanOrEqual(5);
  });
});

describe('programs/check', () => {
  it('returns the model and kernel outcomes for program JSON', async () => {
    const res = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { program: programToJson(fakeProgram(7)), kernels: ['7.2', '7.3'] } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.model['7.2']).toMatchObject({ verdict: 'accept', retval: 7 });
    expect(body.kernels['7.3']).toMatchObject({ verdict: 'accept', retval: 7, kernel: '7.3.0-fake' });
    expect(body.agree).toEqual({ '7.2': true, '7.3': true });
  });

  it('answers where the model and a kernel that judged differently first disagree, apart from the outcomes', async () => {
    const res = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { program: programToJson(fakeProgram(911)), kernels: ['7.2'] } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.agree).toEqual({ '7.2': false });
    expect(body.kernels['7.2']).toEqual({ verdict: 'reject', errno: 13, message: 'fake reject', kernel: '7.2.0-fake' });
    expect(body.firstDisagreement).toEqual({ '7.2': { kind: 'state', insn: 0, step: 0, agreedSteps: 0, reg: 0, field: 'umax', model: '911', kernel: '1023', text: 'model and kernel first disagree at insn 0: R0 umax 911 vs 1023' } });
    const agreeing = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { program: programToJson(fakeProgram(7)), kernels: ['7.2'] } });
    expect(agreeing.json()).not.toHaveProperty('firstDisagreement');
  });

  it('assembles assembler text', async () => {
    const res = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { asm: 'r0 = 42\nexit\n', kernels: ['7.2'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().kernels['7.2'].retval).toBe(42);
    expect(res.json().program).toMatchObject({ insns: 2, funcs: [{ name: 'main', start: 0, args: 1 }] });
    expect(res.body).not.toContain(programToJson(fakeProgram(42)).insns);
  });

  it('predicts a function whose BTF declares 13 arguments (a legal input: the verifier refuses it, not the API)', async () => {
    const asm = ['r1 = 1', 'r2 = 2', 'r3 = 3', 'r4 = 4', 'r5 = 5', ...[8, 16, 24, 32, 40, 48, 56].map((o) => `*(u64 *)(r11 -${o}) = ${o}`), 'call f', 'exit', '.func f args=13', 'r0 = *(u64 *)(r11 +8)', 'exit'].join('\n');
    // this app answers with the real model (the shared one above uses a fake)
    const withModel = Fastify({ logger: false });
    await withModel.register(apiPlugin, { config, model: (program: Program, kernel: string) => verify(program, resolveProfile(kernel)!) });
    await withModel.ready();
    try {
      const res = await withModel.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { asm, kernels: ['7.2'] } });
      expect(res.statusCode).toBe(200);
      expect(res.json().program.funcs[1]).toMatchObject({ name: 'f', args: 13 });
      expect(res.json().model['7.2']).toMatchObject({ verdict: 'reject', errno: 14, message: 'callee expects 13 args, stack arg8 is not initialized' });
    } finally {
      await withModel.close();
    }
  });

  it('takes argument types in program JSON, answers with them, and names a bad one', async () => {
    const program = programToJson(programFromAsm('.func main args=1\nr1 = 0\ncall g\nexit\n.func g args=1 global types=mem:8:nonnull\nr0 = *(u64 *)(r1 +0)\nexit\n'));
    const withModel = Fastify({ logger: false });
    await withModel.register(apiPlugin, { config, model: (p: Program, kernel: string) => verify(p, resolveProfile(kernel)!) });
    await withModel.ready();
    try {
      const res = await withModel.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { program, kernels: ['7.2'] } });
      expect(res.statusCode).toBe(200);
      expect(res.json().program.funcs[1]).toEqual({ name: 'g', start: 3, args: 1, argTypes: ['mem:8:nonnull'] });
      expect(res.json().model['7.2']).toMatchObject({ verdict: 'reject', errno: 22, message: "Caller passes invalid args into func#1 ('g')" });
      const bad = structuredClone(program);
      bad.funcs[1].argTypes = ['mem:8:nonull' as 'mem:8'];
      const badRes = await withModel.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { program: bad, kernels: ['7.2'] } });
      expect(badRes.statusCode).toBe(400);
      expect(badRes.json().field).toBe('body.program.funcs[1].argTypes[0]');
    } finally {
      await withModel.close();
    }
  });

  it('names the field of a bad program, bad assembler text, or a missing program', async () => {
    const badHex = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { program: { ...programToJson(fakeProgram(1)), insns: 'abc' }, kernels: ['7.2'] } });
    expect(badHex.statusCode).toBe(400);
    expect(badHex.json().field).toBe('body.program.insns');
    const badFunc = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { program: { ...programToJson(fakeProgram(1)), funcs: [{ name: 'main', start: 5, args: 1, linkage: 'static' }] }, kernels: ['7.2'] } });
    expect(badFunc.statusCode).toBe(400);
    expect(badFunc.json().field).toMatch(/^body\.program\.funcs/);
    const badAsm = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { asm: 'r0 = = 1\nexit', kernels: ['7.2'] } });
    expect(badAsm.statusCode).toBe(400);
    expect(badAsm.json().field).toBe('body.asm');
    expect(badAsm.json().message).toMatch(/line 1/);
    const none = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { kernels: ['7.2'] } });
    expect(none.json().field).toBe('body.program');
  });
});

describe('divergences and reports', () => {
  let id: string;
  beforeAll(async () => {
    const job = await worker.store.createJob({ kind: 'campaign', kernels: ['7.3'] });
    await worker.store.startJob(job.id, 1);
    const program = programToJson(fakeProgram(3));
    const outcome: Outcome = { verdict: 'reject', errno: 22, message: 'stack arg write offset -64 exceeds max 7 stack args', kernel: '7.3.0' };
    await worker.store.recordBatch(job.id, 0, {
      programs: 1, agreed: 0, byClass: { 'verdict-model-accept': 1 }, busyMs: 1, vmRestarts: 0,
      divergences: [{ signature: 'verdict-mismatch:r11-slot-limit', class: 'verdict-model-accept', kernel: '7.3', profile: 'linux-7.3', index: 0, detail: 'model accepts, kernel rejects', program, model: { ...outcome, verdict: 'accept', errno: 0, message: '' }, actual: outcome }],
    });
    id = divergenceId('verdict-mismatch:r11-slot-limit');
    await worker.store.saveNightlyReport({ date: '2026-01-02', startedAt: '2026-01-02T02:00:00.000Z', finishedAt: '2026-01-02T02:10:00.000Z', cron: '0 2 * * *', kernels: ['7.3'], jobs: [], newSignatures: [id], seenAgain: [], notReproduced: [], programs: 100, programsPerSecond: 10, divergences: 1 });
  });

  it('lists with filters and paging, and shows one with disassembly', async () => {
    const list = (await app.inject('/divergences?kernel=7.3&class=verdict-model-accept&text=r11&sort=lastSeen')).json();
    expect(list.items.map((d: { id: string }) => d.id)).toEqual([id]);
    expect((await app.inject('/divergences?status=fixed')).json().total).toBe(0);
    expect((await app.inject('/divergences?status=broken')).json().field).toBe('querystring.status');
    expect((await app.inject('/divergences?sort=size')).json().field).toBe('querystring.sort');
    const one = (await app.inject(`/divergences/${id}`)).json();
    expect(one.examples[0].actual.message).toContain('exceeds max 7 stack args');
    expect(one.disassembly.example.map((l: { text: string }) => l.text)).toEqual(['(b7) r0 = 3', '(95) exit']);
    expect((await app.inject('/divergences/ffffffffffffffff')).statusCode).toBe(404);
    expect((await app.inject('/divergences/xyz')).json().field).toBe('params.id');
  });

  it('PATCH sets the triage status and appends a note', async () => {
    const res = await app.inject({ method: 'PATCH', url: `/divergences/${id}`, headers: auth, payload: { status: 'confirmed-kernel-bug', note: { author: 'kb', text: 'seen on 7.3 only' } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('confirmed-kernel-bug');
    expect(res.json().notes[0]).toMatchObject({ author: 'kb', text: 'seen on 7.3 only' });
    const bad = await app.inject({ method: 'PATCH', url: `/divergences/${id}`, headers: auth, payload: { status: 'done' } });
    expect(bad.json().field).toBe('body.status');
    expect((await app.inject({ method: 'PATCH', url: `/divergences/${id}`, headers: auth, payload: {} })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PATCH', url: '/divergences/ffffffffffffffff', headers: auth, payload: { status: 'fixed' } })).statusCode).toBe(404);
  });

  it('serves nightly reports by date', async () => {
    expect((await app.inject('/reports/nightly')).json().items[0].date).toBe('2026-01-02');
    expect((await app.inject('/reports/nightly/2026-01-02')).json().programs).toBe(100);
    expect((await app.inject('/reports/nightly/2026-01-03')).statusCode).toBe(404);
    expect((await app.inject('/reports/nightly/yesterday')).json().field).toBe('params.date');
  });
});

describe('service routes', () => {
  it('GET /health reports Redis, live workers and their pools', async () => {
    const res = await app.inject('/health');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(body.redis.ok).toBe(true);
    expect(body.workers.map((w: { id: string }) => w.id)).toContain(worker.id);
    expect(body.workers[0].pools['7.2']).toMatchObject({ size: 1, coldBoots: 1, restores: 0 });
  });

  it('GET /metrics is Prometheus text', async () => {
    const res = await app.inject('/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/^bpfdiff_programs_processed_total \d+$/m);
    expect(res.body).toMatch(/^bpfdiff_divergences_total\{class="verdict-model-accept"\} 1$/m);
    expect(res.body).toMatch(/^bpfdiff_queue_jobs\{queue="batch",state="waiting"\} \d+$/m);
    expect(res.body).toContain('bpfdiff_workers_alive 1');
    // cold boots and snapshot restores are counted apart
    expect(res.body).toMatch(/^bpfdiff_vm_cold_boots_total\{kernel="7\.2"\} 1$/m);
    expect(res.body).toMatch(/^bpfdiff_vm_restores_total\{kernel="7\.2"\} 0$/m);
  });

  it('serves the OpenAPI document and its UI at /docs', async () => {
    const doc = (await app.inject('/docs/json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/jobs', '/jobs/{id}', '/programs/check', '/divergences', '/divergences/{id}', '/reports/nightly', '/reports/nightly/{date}', '/health', '/metrics']));
    expect((await app.inject('/docs')).statusCode).toBeLessThan(400);
  });
});
