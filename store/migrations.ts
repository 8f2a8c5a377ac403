// Versioned migrations of the Redis layout. `<prefix>schema` holds the version the data is in;
// a build runs every migration from there up to SCHEMA_VERSION, one version at a time, each
// idempotent (a migration interrupted halfway is simply run again), under a lock so an API and a
// worker starting together do not both migrate.
import type { Redis } from 'ioredis';
import { consoleTitle, divergenceSignature, CONSOLE_CLASSES, type DivergenceClass } from '../core/diff/index.ts';
import type { DivergenceExample, LastReplay, Reduction, TriageNote, TriageStatus } from './types.ts';

interface MigrationContext {
  redis: Redis;
  prefix: string;
  /** the id a signature is stored under */
  idOf: (signature: string) => string;
  examplesCap: number;
}

interface Migration {
  /** the version the data is in after this migration */
  to: number;
  what: string;
  run: (ctx: MigrationContext) => Promise<MigrationReport>;
}

export interface MigrationReport {
  /** records given a new signature without another to merge into */
  renamed: number;
  /** records merged into the record of their new signature */
  merged: number;
}

const key = (ctx: MigrationContext, ...parts: string[]) => ctx.prefix + parts.join(':');

/** Triage statuses in the order a person moves a finding along; a merge keeps the furthest. */
const STATUS_RANK: Record<TriageStatus, number> = { new: 0, 'model-bug': 1, 'confirmed-kernel-bug': 1, wontfix: 2, fixed: 3 };

interface StoredDivergence {
  id: string;
  hash: Record<string, string>;
  kernels: string[];
  examples: string[];
  notes: string[];
}

async function readDivergence(ctx: MigrationContext, id: string): Promise<StoredDivergence | undefined> {
  const dk = key(ctx, 'div', id);
  const [[, hash], [, kernels], [, examples], [, notes]] = (await ctx.redis
    .multi()
    .hgetall(dk)
    .smembers(dk + ':kernels')
    .lrange(dk + ':examples', 0, -1)
    .lrange(dk + ':notes', 0, -1)
    .exec()) as [[null, Record<string, string>], [null, string[]], [null, string[]], [null, string[]]];
  return hash.id ? { id, hash, kernels, examples, notes } : undefined;
}

/** The signature a stored crash/hang/WARN record has under the per-bug rule, if it changes. */
function consoleSignature(d: StoredDivergence): { signature: string; title: string } | undefined {
  const cls = d.hash.class as DivergenceClass;
  if (!CONSOLE_CLASSES.includes(cls)) return undefined;
  const consoles = d.examples.map((e) => (JSON.parse(e) as DivergenceExample).actual.console).filter((c): c is string => !!c);
  const title = consoles.map((c) => consoleTitle(c)?.title).find((t) => t !== undefined);
  if (!title) return undefined;
  const signature = divergenceSignature(cls, title, undefined);
  return signature === d.hash.signature ? undefined : { signature, title };
}

const earlier = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : a <= b ? a : b);

/** The fields of `into` after `from` joins it: counts summed, first/last seen widened. */
function mergedFields(into: Record<string, string>, from: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { count: String(Number(into.count ?? 0) + Number(from.count ?? 0)) };
  const first = earlier(into.firstSeen, from.firstSeen);
  if (first) {
    out.firstSeen = first;
    out.firstJob = first === into.firstSeen ? into.firstJob : from.firstJob;
  }
  const last = into.lastSeen && from.lastSeen && from.lastSeen > into.lastSeen ? from : into;
  out.lastSeen = last.lastSeen;
  out.lastJob = last.lastJob;
  if (STATUS_RANK[from.status as TriageStatus] > STATUS_RANK[into.status as TriageStatus]) out.status = from.status;
  if (!into.reduced && from.reduced) out.reduced = from.reduced;
  else if (into.reduced && from.reduced) {
    const a = JSON.parse(into.reduced) as Reduction;
    const b = JSON.parse(from.reduced) as Reduction;
    if (b.reducedInsns < a.reducedInsns) out.reduced = from.reduced;
  }
  if (from.lastReplay && (!into.lastReplay || (JSON.parse(from.lastReplay) as LastReplay).at > (JSON.parse(into.lastReplay) as LastReplay).at)) out.lastReplay = from.lastReplay;
  return out;
}

/** The divergence sets of the jobs that list `id`. */
async function jobSetsListing(ctx: MigrationContext, id: string): Promise<string[]> {
  const jobs = await ctx.redis.zrange(key(ctx, 'jobs'), '0', '-1');
  const sets = jobs.map((job) => key(ctx, 'job', job, 'divergences'));
  const member = await Promise.all(sets.map((s) => ctx.redis.sismember(s, id)));
  return sets.filter((_, i) => member[i] === 1);
}

async function moveDivergence(ctx: MigrationContext, d: StoredDivergence, signature: string, title: string): Promise<'renamed' | 'merged'> {
  const newId = ctx.idOf(signature);
  const target = await readDivergence(ctx, newId);
  const jobSets = await jobSetsListing(ctx, d.id);
  const oldKey = key(ctx, 'div', d.id);
  const newKey = key(ctx, 'div', newId);
  const tx = ctx.redis.multi();
  if (!target) {
    tx.hset(newKey, { ...d.hash, id: newId, signature, detail: `${d.hash.detail.split(':')[0]}: ${title}` });
    if (d.kernels.length) tx.sadd(newKey + ':kernels', ...d.kernels);
    if (d.examples.length) tx.rpush(newKey + ':examples', ...d.examples);
    if (d.notes.length) tx.rpush(newKey + ':notes', ...d.notes);
  } else {
    tx.hset(newKey, mergedFields(target.hash, d.hash));
    if (d.kernels.length) tx.sadd(newKey + ':kernels', ...d.kernels);
    const room = Math.max(0, ctx.examplesCap - target.examples.length);
    if (room > 0 && d.examples.length) tx.rpush(newKey + ':examples', ...d.examples.slice(0, room));
    // notes of both, in the order they were written
    const notes = [...target.notes, ...d.notes].sort((a, b) => ((JSON.parse(a) as TriageNote).at < (JSON.parse(b) as TriageNote).at ? -1 : 1));
    tx.del(newKey + ':notes');
    if (notes.length) tx.rpush(newKey + ':notes', ...notes);
  }
  const count = Number(d.hash.count ?? 0);
  const lastMs = Date.parse(d.hash.lastSeen ?? '') || 0;
  tx.zincrby(key(ctx, 'divs:count'), count, newId).zrem(key(ctx, 'divs:count'), d.id);
  tx.zadd(key(ctx, 'divs:lastSeen'), 'GT', lastMs, newId).zrem(key(ctx, 'divs:lastSeen'), d.id);
  for (const set of jobSets) tx.srem(set, d.id).sadd(set, newId);
  tx.del(oldKey, oldKey + ':kernels', oldKey + ':examples', oldKey + ':notes');
  await tx.exec();
  return target ? 'merged' : 'renamed';
}

/**
 * Version 2: crash, hang and WARN findings are one per bug. Their signature becomes the class
 * plus the console report's syzbot-form title (no address, no offset, no mutation); records
 * that now share a signature are merged: counts summed, kernels and notes kept, examples up to
 * the cap, the furthest triage status, the smaller reduced reproducer.
 */
const perBugConsoleSignatures: Migration = {
  to: 2,
  what: 'crash/hang/WARN signatures per bug (console title), merging address variants',
  async run(ctx) {
    const report: MigrationReport = { renamed: 0, merged: 0 };
    const ids = await ctx.redis.zrange(key(ctx, 'divs:count'), '0', '-1');
    for (const id of ids) {
      const d = await readDivergence(ctx, id);
      if (!d) continue;
      const next = consoleSignature(d);
      if (!next) continue;
      report[await moveDivergence(ctx, d, next.signature, next.title)]++;
    }
    return report;
  },
};

export const MIGRATIONS: readonly Migration[] = [perBugConsoleSignatures];
