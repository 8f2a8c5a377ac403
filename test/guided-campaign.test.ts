// Coverage guidance for real, on the real 7.2 kernel: `bpfdiff fuzz` prints coverage in its
// progress line and summary, a guided run is the same every time and differs from an unguided
// one only where it mutated the corpus, and the service's guided job (worker, Redis) makes the
// same programs (the same number of mutants) and stores its coverage with the job.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_RULES } from '../core/model/coverage.ts';
import { Engine } from '../engine/index.ts';
import { Store, connectRedis, type JobRecord } from '../store/index.ts';
import { startWorkers, submitJob } from '../workers/index.ts';
import { pollJob } from './service-helpers.ts';
import { startTestRedis } from './test-redis.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'bpfdiff.js');
const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-guided-'));
let redisServer: Awaited<ReturnType<typeof startTestRedis>>;
beforeAll(async () => {
  redisServer = await startTestRedis();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await redisServer?.cleanup();
});

const campaign = ['--kernel', '7.2', '--count', '60', '--seed', '3', '--batch', '15', '--pool', '1', '--no-reduce'];
const GUIDED = 'bpfdiff-guided/1';
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');
const generatorOf = (line: string) => (JSON.parse(line) as { meta?: { generator?: string } }).meta?.generator;

async function fuzz(name: string, extra: string[] = []) {
  const saved = join(dir, `${name}.jsonl`);
  const r = await execa('node', [bin, 'fuzz', ...campaign, ...extra, '--save-programs', saved], { reject: false });
  expect([0, 3], r.stderr).toContain(r.exitCode);
  return { stdout: r.stdout, stderr: r.stderr, programs: lines(saved) };
}

let guidedMutants = -1;

describe('guided fuzzing on the real 7.2', () => {
  it('prints coverage, repeats exactly, and differs from --no-guided only in the mutated programs', async () => {
    const a = await fuzz('guided-a');
    const b = await fuzz('guided-b');
    const plain = await fuzz('plain', ['--no-guided']);

    // the summary: rules hit of the model's rules, distinct reason lines, the corpus at work
    const m = /^coverage: model rules (\d+)\/(\d+) \(\d+%\) {2}reason lines (\d+) \(model (\d+)\) {2}corpus (\d+), (\d+) programs mutated$/m.exec(a.stdout);
    expect(m, a.stdout).not.toBeNull();
    const [rules, total, reasons, , , mutated] = m!.slice(1).map(Number);
    expect(total).toBe(MODEL_RULES.length);
    expect(rules).toBeGreaterThan(50);
    expect(reasons).toBeGreaterThan(2);
    // the progress line (stderr, not a terminal: one line per batch at the end) carries it too
    expect(a.stderr).toMatch(/^fuzz: 60\/60 programs .* rules \d+\/\d+ \(\d+%\) {2}reason lines \d+$/m);
    expect(plain.stdout).toMatch(/^coverage: model rules \d+\/\d+ \(\d+%\) {2}reason lines \d+ \(model \d+\) {2}\(unguided\)$/m);

    expect(a.programs).toHaveLength(60);
    expect(b.programs).toEqual(a.programs);
    const mutants = a.programs.filter((l) => generatorOf(l) === GUIDED);
    expect(mutants.length).toBe(mutated);
    // batches 2 and 3 (programs 30..59) mutate at the default share 0.3 of 30
    expect(mutants.length).toBeGreaterThan(3);
    expect(mutants.length).toBeLessThan(20);
    a.programs.forEach((line, i) => {
      if (generatorOf(line) === GUIDED) expect(line).not.toBe(plain.programs[i]);
      else expect(line).toBe(plain.programs[i]);
    });
    expect(plain.programs.some((l) => generatorOf(l) === GUIDED)).toBe(false);
    guidedMutants = mutants.length;
  });

  it('a guided service job makes the same mutants and stores its coverage with the job', async () => {
    const ns = `guided${randomUUID().slice(0, 8)}-`;
    const engine = new Engine({ poolSize: 1 });
    const worker = await startWorkers({ redisUrl: redisServer.url, prefix: 'bull', namespace: ns, storePrefix: `${ns}bpfdiff:`, queues: ['campaign', 'batch'] }, engine, pino({ level: 'warn' }));
    const redis = connectRedis(redisServer.url, 'producer');
    try {
      const store = new Store(redis, `${ns}bpfdiff:`);
      const job = await submitJob(worker.store, worker.queues, { kind: 'campaign', kernels: ['7.2'], count: 60, seed: 3, batchSize: 15, guided: true, guidedShare: 0.3 });
      const done: JobRecord = await pollJob(async () => (await store.getJob(job.id))!, 540_000);
      expect(done.state).toBe('completed');
      expect(done.counts.programs).toBe(60);
      const c = done.coverage!;
      expect(c.rulesTotal).toBe(MODEL_RULES.length);
      expect(c.rulesHit).toBeGreaterThan(50);
      expect(c.reasonLines).toBeGreaterThan(2);
      if (guidedMutants >= 0) expect(c.mutated).toBe(guidedMutants);
      else expect(c.mutated).toBeGreaterThan(3);
    } finally {
      redis.disconnect();
      await worker.close();
    }
  });
});
