// The service against the CLI: the same campaign (seed, count, kernels, guests) run once by
// `bpfdiff fuzz`'s campaign loop in this process and once through the service (REST POST /jobs
// → BullMQ batch jobs → a worker with the real pipeline → Redis), in the same run. Target: the
// service keeps >= 90% of the CLI's rate. Guest boot is kept out of both measurements.
//
//   node --import tsx bench/service.bench.ts [--kernel 7.2] [--count 300] [--seed 5] [--json]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Engine } from '../engine/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis } from '../store/index.ts';
import { startWorkers } from '../workers/index.ts';
import { apiPlugin } from '../services/api/index.ts';
import type { ApiConfig } from '../config/index.ts';
import { generatePrograms } from '../core/gen/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    count: { type: 'string', default: '300' },
    seed: { type: 'string', default: '5' },
    batch: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
const kernel = args.kernel!;
const count = Number(args.count);
const seed = Number(args.seed);
const batch = Number(args.batch);
const say = (line: string) => process.stderr.write(`${line}\n`);
const GUESTS = 2;

// 1. CLI path: the engine's campaign in this process, as `bpfdiff fuzz` runs it
const cliEngine = new Engine({ poolSize: GUESTS, pool: { timeoutMs: 30_000 } });
let cliRate: number;
let cliAgreed: number;
try {
  await cliEngine.runBatch(generatePrograms(seed + 1000, 4, {}), [kernel]); // warm-up: boots the guests
  const r = await cliEngine.runCampaign({ seed, count, batch, gen: {}, kernels: [kernel] });
  cliRate = r.total.programs / (r.elapsedMs / 1000);
  cliAgreed = r.total.agreed;
} finally {
  await cliEngine.close();
}
say(`cli:     ${count} programs at ${cliRate.toFixed(1)}/s (agreed ${cliAgreed})`);

// 2. Service path
// a Redis of the benchmark's own, its data in a temporary folder
const redisDir = mkdtempSync(join(tmpdir(), 'bpfdiff-bench-redis-'));
const redis = await startEmbeddedRedis({ dataDir: redisDir });
const ns = `bench${randomUUID().slice(0, 8)}-`;
const TOKEN = 'bench-token';
const config: ApiConfig = {
  redisUrl: redis.url, storePrefix: `${ns}bpfdiff:`, bullPrefix: 'bull', namespace: ns, apiToken: TOKEN,
  readsOpen: true, bodyLimit: 1 << 20, jobsPerMinute: 30, checkTimeoutMs: 120_000, dashboardDir: '/nonexistent',
};
const engine = new Engine({ poolSize: GUESTS });
const worker = await startWorkers({ redisUrl: redis.url, prefix: 'bull', namespace: ns, storePrefix: config.storePrefix }, engine, pino({ level: 'warn' }));
const app = Fastify({ logger: false });
await app.register(apiPlugin, { config, model: (program, k) => engine.modelOutcome(program, k) });
await app.ready();
const submit = async (n: number, s: number): Promise<string> => {
  const res = await app.inject({ method: 'POST', url: '/jobs', headers: { authorization: `Bearer ${TOKEN}` }, payload: { kind: 'campaign', kernels: [kernel], count: n, seed: s, batchSize: batch } });
  if (res.statusCode !== 202) throw new Error(`POST /jobs: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
};
const wait = async (id: string): Promise<{ state: string; counts: { programs: number; agreed: number } }> => {
  for (;;) {
    const job = (await app.inject(`/jobs/${id}`)).json() as { state: string; counts: { programs: number; agreed: number } };
    if (['completed', 'failed', 'cancelled'].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
};
let serviceRate: number;
let serviceAgreed: number;
try {
  await wait(await submit(4, seed + 1000)); // warm-up: the worker boots its guests
  const t0 = performance.now();
  const job = await wait(await submit(count, seed));
  const secs = (performance.now() - t0) / 1000;
  if (job.state !== 'completed') throw new Error(`service job ended ${job.state}`);
  serviceRate = job.counts.programs / secs;
  serviceAgreed = job.counts.agreed;
} finally {
  await app.close();
  await worker.close();
  await redis.stop();
  rmSync(redisDir, { recursive: true, force: true });
}
say(`service: ${count} programs at ${serviceRate.toFixed(1)}/s (agreed ${serviceAgreed})`);
const ratio = serviceRate / cliRate;
say(`ratio service/cli: ${ratio.toFixed(3)} (target >= 0.9); same counts: ${serviceAgreed === cliAgreed}`);
if (args.json) process.stdout.write(`${JSON.stringify({ kernel, count, seed, cliRate, serviceRate, ratio, cliAgreed, serviceAgreed })}\n`);
