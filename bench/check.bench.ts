// POST /programs/check latency on real guests: `r0 = 42; exit` checked while the service is
// idle (the baseline, same run) and while a campaign keeps every guest's pipeline full. A check
// is interactive: its program goes to the first guest with room before any queued batch
// program, so under load it should wait for one free pipeline slot, not for the batches.
// Target: answered within 1 s under load.
//
//   node --import tsx bench/check.bench.ts [--kernel 7.2] [--guests 1] [--checks 8] [--json]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { pino } from 'pino';
import type { ApiConfig } from '../config/index.ts';
import { Engine } from '../engine/index.ts';
import { apiPlugin } from '../services/api/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis } from '../store/index.ts';
import { startWorkers } from '../workers/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    guests: { type: 'string', default: '1' },
    checks: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
});
const kernel = args.kernel!;
const guests = Number(args.guests);
const checks = Number(args.checks);
const say = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// a Redis of the benchmark's own, its data in a temporary folder
const redisDir = mkdtempSync(join(tmpdir(), 'bpfdiff-bench-redis-'));
const redis = await startEmbeddedRedis({ dataDir: redisDir });
const ns = `checkbench${randomUUID().slice(0, 8)}-`;
const TOKEN = 'bench-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const config: ApiConfig = {
  redisUrl: redis.url, storePrefix: `${ns}bpfdiff:`, bullPrefix: 'bull', namespace: ns, apiToken: TOKEN,
  readsOpen: true, bodyLimit: 1 << 20, jobsPerMinute: 30, checksPerMinute: 1000, checkTimeoutMs: 120_000, dashboardDir: '/nonexistent', kernels: [kernel],
};
const engine = new Engine({ poolSize: guests });
const worker = await startWorkers({ redisUrl: redis.url, prefix: 'bull', namespace: ns, storePrefix: config.storePrefix }, engine, pino({ level: 'warn' }));
const app = Fastify({ logger: false });
await app.register(apiPlugin, { config, model: (program, kernel) => engine.modelOutcome(program, kernel) });
await app.ready();

async function checkOnce(): Promise<number> {
  const t0 = performance.now();
  const res = await app.inject({ method: 'POST', url: '/programs/check', headers: auth, payload: { asm: 'r0 = 42\nexit', kernels: [kernel] } });
  const ms = performance.now() - t0;
  if (res.statusCode !== 200 || res.json().kernels[kernel]?.retval !== 42) throw new Error(`check: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return ms;
}
const job = async (id: string) => (await app.inject(`/jobs/${id}`)).json() as { state: string; counts: { programs: number } };

let idle: number[] = [];
let loaded: number[] = [];
let rate = 0;
try {
  await checkOnce(); // the worker boots its guests
  for (let i = 0; i < checks; i++) idle.push(await checkOnce());
  const res = await app.inject({ method: 'POST', url: '/jobs', headers: auth, payload: { kind: 'campaign', kernels: [kernel], count: 100_000, seed: 3, batchSize: 50 } });
  const id = res.json().id as string;
  while ((await job(id)).counts.programs < 50) await new Promise((r) => setTimeout(r, 100)); // the first batch is recorded: the pipeline is full
  const t0 = performance.now();
  const p0 = (await job(id)).counts.programs;
  for (let i = 0; i < checks; i++) {
    loaded.push(await checkOnce());
    await new Promise((r) => setTimeout(r, 300));
  }
  rate = ((await job(id)).counts.programs - p0) / ((performance.now() - t0) / 1000);
  await app.inject({ method: 'DELETE', url: `/jobs/${id}`, headers: auth });
} finally {
  await app.close();
  await worker.close({ graceMs: 1000 });
  await redis.stop();
  rmSync(redisDir, { recursive: true, force: true });
}
idle = idle.map(Math.round);
loaded = loaded.map(Math.round);
say(`idle:   ${idle.join(', ')} ms (median ${median(idle)})`);
say(`loaded: ${loaded.join(', ')} ms (median ${median(loaded)}, max ${Math.max(...loaded)}) while a campaign ran on ${guests} guest(s) (${rate > 0 ? `${rate.toFixed(1)} programs/s` : "no batch of 50 finished in the window"})`);
say(`ratio loaded/idle (medians): ${(median(loaded) / median(idle)).toFixed(2)}; target: every loaded check within 1000 ms: ${Math.max(...loaded) <= 1000 ? 'met' : 'NOT met'}`);
if (args.json) process.stdout.write(`${JSON.stringify({ kernel, guests, idle, loaded, rate })}\n`);
