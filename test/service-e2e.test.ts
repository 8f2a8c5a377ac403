// The service end to end on real kernels: a campaign submitted over REST runs on a real
// worker with QEMU guests and completes with counts; the divergences it reports are listed.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startTestRedis } from './test-redis.ts';
import { startWorkers, type WorkerHandle } from '../workers/index.ts';
import { Engine } from '../engine/index.ts';
import { apiPlugin } from '../services/api/index.ts';
import type { ApiConfig } from '../config/index.ts';
import { pollJob } from './service-helpers.ts';

const TOKEN = 'e2e-token';
let redisServer: Awaited<ReturnType<typeof startTestRedis>>;
let app: FastifyInstance;
let worker: WorkerHandle;

beforeAll(async () => {
  redisServer = await startTestRedis();
  const ns = `e2e${randomUUID().slice(0, 8)}-`;
  const config: ApiConfig = {
    redisUrl: redisServer.url, storePrefix: `${ns}bpfdiff:`, bullPrefix: 'bull', namespace: ns, apiToken: TOKEN,
    readsOpen: true, bodyLimit: 1 << 20, jobsPerMinute: 30, checkTimeoutMs: 120_000, dashboardDir: '/nonexistent',
  };
  const engine = new Engine({ poolSize: 2 });
  worker = await startWorkers({ redisUrl: redisServer.url, prefix: 'bull', namespace: ns, storePrefix: config.storePrefix }, engine, pino({ level: process.env.LOG_LEVEL ?? 'warn' }));
  app = Fastify({ logger: false });
  await app.register(apiPlugin, { config, model: (program, kernel) => engine.modelOutcome(program, kernel) });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  // a reduction started after the campaign may still run: give it a moment, then leave it
  await worker?.close({ graceMs: 5_000 });
  await redisServer?.cleanup();
});

describe('service end to end (real 7.2 kernel)', () => {
  it('a 300-program campaign submitted over REST completes with counts and lists its divergences', async () => {
    const began = Date.now();
    const res = await app.inject({ method: 'POST', url: '/jobs', headers: { authorization: `Bearer ${TOKEN}` }, payload: { kind: 'campaign', kernels: ['7.2'], count: 300, seed: 42, batchSize: 50 } });
    expect(res.statusCode).toBe(202);
    const { id } = res.json();
    const job = await pollJob(async () => (await app.inject(`/jobs/${id}`)).json(), 540_000);
    const seconds = (Date.now() - began) / 1000;
    process.stderr.write(`e2e campaign: ${JSON.stringify(job.counts)} in ${seconds.toFixed(1)} s (${(300 / seconds).toFixed(1)} programs/s)\n`);
    expect(job.state).toBe('completed');
    expect(job.counts.programs).toBe(300);
    expect(job.counts.batchesDone).toBe(6);
    const classTotal = Object.values(job.counts.byClass as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(classTotal).toBe(job.counts.divergences);
    expect(job.counts.agreed).toBeLessThanOrEqual(300);
    // the soundness oracle ran in the default campaign (rate 0.1 of the programs accepted alike) and the job says what it checked
    const sound = job.soundness ?? { programs: 0, values: 0, complete: 0 };
    expect(sound.programs).toBeGreaterThan(5);
    expect(sound.values).toBeGreaterThan(sound.programs);
    expect(sound.complete).toBeLessThanOrEqual(sound.programs);
    // every signature the job recorded is listed, with a real kernel's outcome on its example
    const listed = (await app.inject('/divergences?limit=500')).json();
    for (const divergenceId of job.divergenceIds ?? []) {
      expect(listed.items.map((d: { id: string }) => d.id)).toContain(divergenceId);
      const one = (await app.inject(`/divergences/${divergenceId}`)).json();
      expect(one.examples[0].actual.kernel).toMatch(/^7\.2\./);
      expect(one.disassembly.example.length).toBeGreaterThan(0);
    }
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/^bpfdiff_programs_processed_total 300$/m);
    // the worker's guests were started by booting or from the snapshot, counted apart
    const started = (name: string) => Number(new RegExp(`^${name}\\{kernel="7\\.2"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(started('bpfdiff_vm_cold_boots_total') + started('bpfdiff_vm_restores_total')).toBeGreaterThanOrEqual(1);
  });

  it('POST /programs/check runs one program on the real kernel and the model', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/programs/check',
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { asm: 'r0 = 7\nexit', kernels: ['7.2'] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.kernels['7.2']).toMatchObject({ verdict: 'accept', retval: 7 });
    expect(body.kernels['7.2'].kernel).toMatch(/^7\.2\./);
    expect(body.model['7.2']).toMatchObject({ verdict: 'accept', retval: 7 });
    expect(body.agree['7.2']).toBe(true);
  });
});
