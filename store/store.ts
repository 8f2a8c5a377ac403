// The Redis store: bpfdiff's system of record for jobs, batch counts, divergences and nightly
// reports. Every key sits under one prefix (default `bpfdiff:`); the layout is versioned by
// `<prefix>schema` so a newer build refuses to misread an older database.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { boundVerifierLog } from '../core/program/index.ts';
import type { Outcome } from '../core/program/index.ts';
import { DEFAULT_STORE_PREFIX } from '../config/index.ts';
import type {
  BatchRecord,
  DivergenceExample,
  DivergenceRecord,
  JobCounts,
  JobKind,
  JobParams,
  JobRecord,
  JobState,
  LastReplay,
  NightlyReport,
  Reduction,
  ReduceProgress,
  ReplaySummary,
  TriageNote,
  TriageStatus,
} from './types.ts';

import { MIGRATIONS, type MigrationReport } from './migrations.ts';

export const SCHEMA_VERSION = 2;
/** how long one process may hold the migration lock before another may take over */
const MIGRATION_LOCK_MS = 120_000;
/** example programs kept per signature: enough to see variety, few enough to stay small */
const EXAMPLES_PER_SIGNATURE = 3;

const RECORD_BATCH_LUA = readFileSync(new URL('./record-batch.lua', import.meta.url), 'utf8');
const TERMINAL: readonly JobState[] = ['completed', 'failed', 'cancelled'];

/** What one batch adds to its job's coverage (Store.recordCoverage). */
export interface BatchCoverage {
  rulesTotal: number;
  rules: string[];
  kernelReasons: string[];
  modelReasons: string[];
  /** programs of the batch made by mutating the corpus */
  mutated: number;
  /** the batch's novel programs as JSON (core/guided's CoveredProgram with the program as ProgramJson) */
  novel: unknown[];
}

export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

interface DivergenceFilter {
  class?: string;
  kernel?: string;
  status?: TriageStatus;
  /** case-insensitive substring of signature, detail or mutation */
  text?: string;
  /** only the signatures this job saw */
  job?: string;
  sort?: 'count' | 'lastSeen';
  offset?: number;
  limit?: number;
}

interface JobFilter {
  state?: JobState;
  kind?: JobKind;
  offset?: number;
  limit?: number;
}

interface Page<T> {
  total: number;
  items: T[];
}

interface WorkerBeat {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  concurrency: number;
  pools: Record<string, { size: number; busy: number; restarts: number; coldBoots?: number; restores?: number }>;
  at: string;
}

interface StoreMetrics {
  programs: number;
  batches: number;
  vmRestarts: number;
  byClass: Record<string, number>;
  divergenceSignatures: number;
}

/** A signature is long and free-form; its id is a short stable hash for URLs and keys. */
export function divergenceId(signature: string): string {
  return createHash('sha256').update(signature).digest('hex').slice(0, 16);
}

/** An outcome with its verifier log bounded (core/diff boundVerifierLog: the cut is stated in it). */
function boundLog(o: Outcome): Outcome {
  return o.log === undefined ? o : { ...o, log: boundVerifierLog(o.log) };
}

function emptyCounts(): JobCounts {
  return { batchesTotal: 0, batchesDone: 0, programs: 0, agreed: 0, divergences: 0, newSignatures: 0, byClass: {}, busyMs: 0 };
}

export class Store {
  readonly redis: Redis;
  readonly prefix: string;

  constructor(redis: Redis, prefix = DEFAULT_STORE_PREFIX) {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /**
   * Writes the schema version on an empty database; migrates an older one (store/migrations.ts)
   * up to SCHEMA_VERSION, one version at a time under a lock; refuses a newer one.
   * Returns what each migration that ran did.
   */
  async ensureSchema(): Promise<Array<MigrationReport & { to: number }>> {
    const key = this.key('schema');
    // a database with no divergences and no jobs is new: it starts at the current version
    const empty = (await this.redis.exists(this.key('divs:count'), this.key('jobs'))) === 0;
    await this.redis.setnx(key, String(empty ? SCHEMA_VERSION : 1));
    const ran: Array<MigrationReport & { to: number }> = [];
    for (;;) {
      const found = Number(await this.redis.get(key));
      if (found === SCHEMA_VERSION) return ran;
      if (!(found >= 1 && found < SCHEMA_VERSION)) {
        throw new SchemaVersionError(`Redis ${key} is ${found}, this build reads schema ${SCHEMA_VERSION}`);
      }
      const lock = this.key('schema:migrating');
      const token = randomUUID();
      if ((await this.redis.set(lock, token, 'PX', MIGRATION_LOCK_MS, 'NX')) !== 'OK') {
        await new Promise((r) => setTimeout(r, 200)); // another process migrates; wait for its version
        continue;
      }
      try {
        if (Number(await this.redis.get(key)) !== found) continue;
        const migration = MIGRATIONS.find((m) => m.to === found + 1);
        if (!migration) throw new SchemaVersionError(`Redis ${key} is ${found}: no migration to ${found + 1}`);
        const report = await migration.run({ redis: this.redis, prefix: this.prefix, idOf: divergenceId, examplesCap: EXAMPLES_PER_SIGNATURE });
        await this.redis.set(key, String(migration.to));
        ran.push({ ...report, to: migration.to });
      } finally {
        if ((await this.redis.get(lock)) === token) await this.redis.del(lock);
      }
    }
  }

  // ---- jobs -------------------------------------------------------------------------------

  async createJob(params: JobParams, id: string = randomUUID()): Promise<JobRecord> {
    const createdAt = new Date().toISOString();
    const jk = this.key('job', id);
    await this.redis
      .multi()
      .hset(jk, { id, kind: params.kind, params: JSON.stringify(params), state: 'queued', createdAt, batchesTotal: -1 })
      .zadd(this.key('jobs'), Date.now(), id)
      .exec();
    return { id, kind: params.kind, params, state: 'queued', createdAt, counts: emptyCounts() };
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const jk = this.key('job', id);
    const [[, hash], [, classes], [, divs], [, rules], [, reasons], [, modelReasons]] = (await this.redis
      .multi()
      .hgetall(jk)
      .hgetall(jk + ':classes')
      .smembers(jk + ':divergences')
      .scard(jk + ':cov:rules')
      .scard(jk + ':cov:reasons')
      .scard(jk + ':cov:modelReasons')
      .exec()) as [[null, Record<string, string>], [null, Record<string, string>], [null, string[]], [null, number], [null, number], [null, number]];
    if (!hash.id) return undefined;
    const num = (field: string) => Number(hash[field] ?? 0);
    const byClass: Record<string, number> = {};
    for (const [k, v] of Object.entries(classes)) byClass[k] = Number(v);
    const record: JobRecord = {
      id: hash.id,
      kind: hash.kind as JobKind,
      params: JSON.parse(hash.params) as JobParams,
      state: hash.state as JobState,
      createdAt: hash.createdAt,
      counts: {
        batchesTotal: Math.max(0, num('batchesTotal')),
        batchesDone: num('batchesDone'),
        programs: num('programs'),
        agreed: num('agreed'),
        divergences: num('divergences'),
        newSignatures: num('newSignatures'),
        byClass,
        busyMs: num('busyMs'),
      },
      divergenceIds: divs.sort(),
    };
    if (hash.startedAt) record.startedAt = hash.startedAt;
    if (hash.finishedAt) record.finishedAt = hash.finishedAt;
    if (hash.error) record.error = hash.error;
    if (hash.replay) record.replay = JSON.parse(hash.replay) as ReplaySummary;
    if (hash.soundPrograms !== undefined) record.soundness = { programs: num('soundPrograms'), values: num('soundValues'), complete: num('soundComplete') };
    if (hash.covRulesTotal !== undefined) {
      record.coverage = { rulesHit: rules, rulesTotal: num('covRulesTotal'), reasonLines: reasons, modelReasonLines: modelReasons, mutated: num('covMutated') };
    }
    return record;
  }

  /**
   * Adds a batch's coverage to its job's (unions of rule ids and reason lines: a retried batch
   * adds nothing twice) and keeps the batch's novel programs, from which a guided campaign's
   * later batches rebuild its corpus (guidedBatches).
   */
  async recordCoverage(jobId: string, batchIndex: number, batch: BatchCoverage): Promise<void> {
    const jk = this.key('job', jobId);
    const m = this.redis.multi().hset(jk, 'covRulesTotal', batch.rulesTotal);
    if (batch.rules.length) m.sadd(jk + ':cov:rules', ...batch.rules);
    if (batch.kernelReasons.length) m.sadd(jk + ':cov:reasons', ...batch.kernelReasons);
    if (batch.modelReasons.length) m.sadd(jk + ':cov:modelReasons', ...batch.modelReasons);
    m.hsetnx(jk + ':guided', String(batchIndex), JSON.stringify(batch.novel));
    const replies = (await m.exec()) ?? [];
    // the mutated count once per batch: only the first recording of the batch's novel programs adds it
    const first = replies[replies.length - 1]?.[1] === 1;
    if (first && batch.mutated > 0) await this.redis.hincrby(jk, 'covMutated', batch.mutated);
  }

  /** The novel programs of batches 0..last, in order, as recordCoverage kept them; undefined while one is missing. */
  async guidedBatches(jobId: string, last: number): Promise<unknown[][] | undefined> {
    if (last < 0) return [];
    const fields = Array.from({ length: last + 1 }, (_, i) => String(i));
    const values = await this.redis.hmget(this.key('job', jobId, 'guided'), ...fields);
    if (values.some((v) => v === null)) return undefined;
    return values.map((v) => JSON.parse(v!) as unknown[]);
  }

  async listJobs(filter: JobFilter = {}): Promise<Page<JobRecord>> {
    const ids = await this.redis.zrevrange(this.key('jobs'), 0, -1);
    const jobs = (await Promise.all(ids.map((id) => this.getJob(id)))).filter(
      (j): j is JobRecord => j !== undefined && (!filter.state || j.state === filter.state) && (!filter.kind || j.kind === filter.kind),
    );
    const offset = filter.offset ?? 0;
    return { total: jobs.length, items: jobs.slice(offset, offset + (filter.limit ?? 50)) };
  }

  /**
   * Marks a job running with its number of batches. Returns false when the job is already
   * terminal (cancelled before a worker reached it), so the caller does no work.
   */
  async startJob(id: string, batchesTotal: number): Promise<boolean> {
    const jk = this.key('job', id);
    const state = (await this.redis.hget(jk, 'state')) as JobState | null;
    if (state === null || TERMINAL.includes(state)) return false;
    const now = new Date().toISOString();
    await this.redis.hset(jk, { state: 'running', batchesTotal });
    await this.redis.hsetnx(jk, 'startedAt', now);
    // A campaign job re-run after a crash may find every batch already recorded.
    const done = Number(await this.redis.hget(jk, 'batchesDone'));
    if (done >= batchesTotal) await this.redis.hset(jk, { state: 'completed', finishedAt: now });
    return true;
  }

  async finishJob(id: string, state: 'completed' | 'failed', extra: { error?: string } = {}): Promise<void> {
    const jk = this.key('job', id);
    const current = (await this.redis.hget(jk, 'state')) as JobState | null;
    if (current === null || TERMINAL.includes(current)) return;
    const fields: Record<string, string> = { state, finishedAt: new Date().toISOString() };
    if (extra.error) fields.error = extra.error;
    await this.redis.hset(jk, fields);
  }

  /** The batches a job has recorded, by index: what each contributed. */
  async jobBatches(id: string): Promise<Array<{ index: number; programs: number; agreed: number; byClass: Record<string, number>; busyMs: number; vmRestarts: number }>> {
    const all = await this.redis.hgetall(this.key('job', id, 'batches'));
    return Object.entries(all)
      .map(([index, json]) => ({ index: Number(index), ...(JSON.parse(json) as { programs: number; agreed: number; byClass: Record<string, number>; busyMs: number; vmRestarts: number }) }))
      .sort((a, b) => a.index - b.index);
  }

  async setReplaySummary(id: string, replay: ReplaySummary): Promise<void> {
    await this.redis.hset(this.key('job', id), 'replay', JSON.stringify(replay));
  }

  /** Returns the state after the call; only a queued or running job becomes cancelled. */
  async cancelJob(id: string): Promise<JobState | undefined> {
    const jk = this.key('job', id);
    const current = (await this.redis.hget(jk, 'state')) as JobState | null;
    if (current === null) return undefined;
    if (TERMINAL.includes(current)) return current;
    await this.redis.hset(jk, { state: 'cancelled', finishedAt: new Date().toISOString() });
    return 'cancelled';
  }

  async jobState(id: string): Promise<JobState | undefined> {
    return ((await this.redis.hget(this.key('job', id), 'state')) as JobState | null) ?? undefined;
  }

  // ---- batches and divergences ---------------------------------------------------------------

  /**
   * Records a batch's counts and divergences once. `recorded` is false for a batch already
   * recorded (a retry); `newIds` are the signatures this batch saw first, for reduce jobs.
   */
  async recordBatch(jobId: string, batchIndex: number, batch: BatchRecord): Promise<{ recorded: boolean; newIds: string[] }> {
    // a class with no divergences adds nothing, and stays out of the job's counts
    const byClass = Object.fromEntries(Object.entries(batch.byClass).filter(([, n]) => (n ?? 0) > 0));
    const sound = batch.soundness ? { programs: batch.soundness.programs, values: batch.soundness.values, complete: batch.soundness.complete } : undefined;
    const counts = { programs: batch.programs, agreed: batch.agreed, byClass, busyMs: Math.round(batch.busyMs), vmRestarts: batch.vmRestarts, ...(sound ? { soundness: sound } : {}) };
    const divergences = batch.divergences.map((d) => {
      const example: DivergenceExample = { jobId, kernel: d.kernel, program: d.program, model: boundLog(d.model), actual: boundLog(d.actual), ...(d.firstDisagreement ? { firstDisagreement: d.firstDisagreement } : {}) };
      return {
        id: divergenceId(d.signature),
        signature: d.signature,
        class: d.class,
        kernel: d.kernel,
        profile: d.profile,
        mutation: d.mutation ?? '',
        detail: d.detail,
        example: JSON.stringify(example),
      };
    });
    const now = new Date();
    const reply = (await this.redis.eval(
      RECORD_BATCH_LUA,
      0,
      this.prefix,
      jobId,
      String(batchIndex),
      JSON.stringify(counts),
      JSON.stringify(divergences),
      now.toISOString(),
      String(now.getTime()),
      String(EXAMPLES_PER_SIGNATURE),
    )) as Array<number | string>;
    if (reply[0] === -1) throw new Error(`job ${jobId}: no such job to record batch ${batchIndex} into`);
    return { recorded: reply[0] === 1, newIds: reply.slice(1).map(String) };
  }

  async getDivergence(id: string): Promise<DivergenceRecord | undefined> {
    const dk = this.key('div', id);
    const [[, hash], [, kernels], [, examples], [, notes]] = (await this.redis
      .multi()
      .hgetall(dk)
      .smembers(dk + ':kernels')
      .lrange(dk + ':examples', 0, -1)
      .lrange(dk + ':notes', 0, -1)
      .exec()) as [[null, Record<string, string>], [null, string[]], [null, string[]], [null, string[]]];
    if (!hash.id) return undefined;
    const record: DivergenceRecord = {
      id: hash.id,
      signature: hash.signature,
      class: hash.class,
      profile: hash.profile,
      detail: hash.detail,
      firstSeen: hash.firstSeen,
      lastSeen: hash.lastSeen,
      firstJob: hash.firstJob,
      lastJob: hash.lastJob,
      count: Number(hash.count),
      status: hash.status as TriageStatus,
      kernels: kernels.sort(),
      examples: examples.map((e) => JSON.parse(e) as DivergenceExample),
      notes: notes.map((n) => JSON.parse(n) as TriageNote),
    };
    if (hash.mutation) record.mutation = hash.mutation;
    if (hash.reduced) record.reduced = JSON.parse(hash.reduced) as Reduction;
    if (hash.reduceProgress) record.reduceProgress = JSON.parse(hash.reduceProgress) as ReduceProgress;
    if (hash.lastReplay) record.lastReplay = JSON.parse(hash.lastReplay) as LastReplay;
    return record;
  }

  async listDivergences(filter: DivergenceFilter = {}): Promise<Page<DivergenceRecord>> {
    const index = filter.sort === 'lastSeen' ? 'divs:lastSeen' : 'divs:count';
    let ids = await this.redis.zrevrange(this.key(index), 0, -1);
    if (filter.job) {
      const ofJob = new Set(await this.redis.smembers(this.key('job', filter.job, 'divergences')));
      ids = ids.filter((id) => ofJob.has(id));
    }
    const text = filter.text?.toLowerCase();
    const all = (await Promise.all(ids.map((id) => this.getDivergence(id)))).filter(
      (d): d is DivergenceRecord =>
        d !== undefined &&
        (!filter.class || d.class === filter.class) &&
        (!filter.kernel || d.kernels.includes(filter.kernel)) &&
        (!filter.status || d.status === filter.status) &&
        (!text || [d.signature, d.detail, d.mutation ?? ''].some((s) => s.toLowerCase().includes(text))),
    );
    const offset = filter.offset ?? 0;
    return { total: all.length, items: all.slice(offset, offset + (filter.limit ?? 50)) };
  }

  /** Triage: a new status and/or a note. Returns the updated record, undefined if unknown. */
  async triageDivergence(id: string, change: { status?: TriageStatus; note?: { author: string; text: string } }): Promise<DivergenceRecord | undefined> {
    const dk = this.key('div', id);
    if (!(await this.redis.exists(dk))) return undefined;
    const tx = this.redis.multi();
    if (change.status) tx.hset(dk, 'status', change.status);
    if (change.note) {
      const note: TriageNote = { author: change.note.author, text: change.note.text, at: new Date().toISOString() };
      tx.rpush(dk + ':notes', JSON.stringify(note));
    }
    await tx.exec();
    return this.getDivergence(id);
  }

  async setReduced(id: string, reduced: Reduction): Promise<void> {
    const kept: Reduction = { ...reduced };
    if (kept.actual) kept.actual = boundLog(kept.actual);
    if (kept.model) kept.model = boundLog(kept.model);
    if (kept.logLevel2) kept.logLevel2 = boundVerifierLog(kept.logLevel2);
    await this.redis.hset(this.key('div', id), 'reduced', JSON.stringify(kept));
  }

  /** How far a running reduction is: shown on the finding page while it runs. */
  async setReduceProgress(id: string, progress: ReduceProgress): Promise<void> {
    await this.redis.hset(this.key('div', id), 'reduceProgress', JSON.stringify(progress));
  }

  async setLastReplay(id: string, lastReplay: LastReplay): Promise<void> {
    const dk = this.key('div', id);
    const tx = this.redis.multi().hset(dk, 'lastReplay', JSON.stringify(lastReplay));
    if (lastReplay.reproduced) {
      tx.hset(dk, 'lastSeen', lastReplay.at).zadd(this.key('divs:lastSeen'), Date.parse(lastReplay.at), id);
    }
    await tx.exec();
  }

  /** Divergences with something to replay: the reduced reproducer, else the first example. */
  async reproducers(): Promise<DivergenceRecord[]> {
    const ids = await this.redis.zrevrange(this.key('divs:count'), 0, -1);
    const all = await Promise.all(ids.map((id) => this.getDivergence(id)));
    return all.filter((d): d is DivergenceRecord => d !== undefined && (d.reduced !== undefined || d.examples.length > 0));
  }

  // ---- nightly reports ------------------------------------------------------------------------

  async saveNightlyReport(report: NightlyReport): Promise<void> {
    await this.redis
      .multi()
      .set(this.key('report:nightly', report.date), JSON.stringify(report))
      .zadd(this.key('reports:nightly'), Date.parse(report.startedAt), report.date)
      .exec();
  }

  async getNightlyReport(date: string): Promise<NightlyReport | undefined> {
    const text = await this.redis.get(this.key('report:nightly', date));
    return text === null ? undefined : (JSON.parse(text) as NightlyReport);
  }

  async listNightlyReports(): Promise<NightlyReport[]> {
    const dates = await this.redis.zrevrange(this.key('reports:nightly'), 0, -1);
    const reports = await Promise.all(dates.map((d) => this.getNightlyReport(d)));
    return reports.filter((r): r is NightlyReport => r !== undefined);
  }

  // ---- workers and metrics ---------------------------------------------------------------------

  /** A worker's liveness: kept in a hash with a score per worker, stale entries ignored. */
  async heartbeat(beat: WorkerBeat): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key('workers'), beat.id, JSON.stringify(beat))
      .zadd(this.key('workers:seen'), Date.now(), beat.id)
      .exec();
  }

  async removeWorker(id: string): Promise<void> {
    await this.redis.multi().hdel(this.key('workers'), id).zrem(this.key('workers:seen'), id).exec();
  }

  async liveWorkers(maxAgeMs = 30_000): Promise<WorkerBeat[]> {
    const ids = await this.redis.zrangebyscore(this.key('workers:seen'), Date.now() - maxAgeMs, '+inf');
    if (ids.length === 0) return [];
    const beats = await this.redis.hmget(this.key('workers'), ...ids);
    return beats.filter((b): b is string => b !== null).map((b) => JSON.parse(b) as WorkerBeat);
  }

  async metrics(): Promise<StoreMetrics> {
    const [totals, classes, signatures] = await Promise.all([
      this.redis.hgetall(this.key('metrics')),
      this.redis.hgetall(this.key('metrics:classes')),
      this.redis.zcard(this.key('divs:count')),
    ]);
    const byClass: Record<string, number> = {};
    for (const [k, v] of Object.entries(classes)) byClass[k] = Number(v);
    return {
      programs: Number(totals.programs ?? 0),
      batches: Number(totals.batches ?? 0),
      vmRestarts: Number(totals.vmRestarts ?? 0),
      byClass,
      divergenceSignatures: signatures,
    };
  }
}
