// The schema-2 migration against a real redis-server: a database written by the schema-1 build
// (crash findings split by fault address) becomes one finding per bug, and running it again
// changes nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Outcome, ProgramJson } from '../core/program/index.ts';
import { Store, SCHEMA_VERSION, connectRedis, divergenceId, type DivergenceExample } from './index.ts';
import { startTestRedis } from '../test/test-redis.ts';

const fixtures = new URL('../core/diff/fixtures/', import.meta.url);
const consoles = readdirSync(fixtures).filter((f) => f.startsWith('oops-7.2.13-')).map((f) => readFileSync(new URL(f, fixtures), 'utf8'));

const program: ProgramJson = { format: 'bpfdiff.program/v1', progType: 'sched_cls', insns: 'b700000000000000' + '9500000000000000', funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }] };
const model: Outcome = { verdict: 'reject', errno: 14, message: 'callee expects 6 args, stack arg1 is not initialized', kernel: 'model:linux-7.2' };

let server: Awaited<ReturnType<typeof startTestRedis>>;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  server = await startTestRedis();
  redis = connectRedis(server.url, 'worker');
});
afterAll(async () => {
  redis?.disconnect();
  await server?.cleanup();
});

/** Writes one divergence the way the schema-1 build's record-batch.lua left it. */
async function writeV1(prefix: string, sig: string, fields: { count: number; console?: string; cls?: string; firstSeen: string; lastSeen: string; job: string; status?: string; notes?: string[] }) {
  const id = divergenceId(sig);
  const dk = `${prefix}div:${id}`;
  const actual: Outcome = fields.console
    ? { verdict: 'crash', errno: 0, message: fields.console.split('\n')[0].replace(/^\[[\s\d.]+\]\s*/, ''), kernel: '7.2.13+deb14-amd64', console: fields.console }
    : { verdict: 'accept', errno: 0, message: '', retval: 0, kernel: '7.2.13+deb14-amd64' };
  const example: DivergenceExample = { jobId: fields.job, kernel: '7.2', program, model, actual };
  await redis
    .multi()
    .hset(dk, { id, signature: sig, class: fields.cls ?? 'kernel-crash', profile: 'linux-7.2', mutation: 'missing-store-after-unreliable', detail: `kernel crashed: ${actual.message}`, firstSeen: fields.firstSeen, firstJob: fields.job, lastSeen: fields.lastSeen, lastJob: fields.job, status: fields.status ?? 'new', count: fields.count })
    .sadd(`${dk}:kernels`, '7.2')
    .rpush(`${dk}:examples`, JSON.stringify(example))
    .zadd(`${prefix}divs:count`, fields.count, id)
    .zadd(`${prefix}divs:lastSeen`, Date.parse(fields.lastSeen), id)
    .hset(`${prefix}job:${fields.job}`, { id: fields.job, kind: 'campaign', params: '{"kind":"campaign","kernels":["7.2"]}', state: 'completed', createdAt: fields.firstSeen })
    .zadd(`${prefix}jobs`, Date.parse(fields.firstSeen), fields.job)
    .sadd(`${prefix}job:${fields.job}:divergences`, id)
    .exec();
  for (const note of fields.notes ?? []) await redis.rpush(`${dk}:notes`, note);
  return id;
}

describe('store migration to schema 2 (one finding per kernel bug)', () => {
  it('merges the address variants of the 7.2.13 oops: counts summed, notes, kernels and jobs kept', async () => {
    expect(consoles.length).toBeGreaterThanOrEqual(2);
    const prefix = `m${++n}:`;
    await redis.set(`${prefix}schema`, '1');
    const noteA = JSON.stringify({ author: 'ana', text: 'address 0 variant', at: '2026-12-01T10:00:00.000Z' });
    const noteB = JSON.stringify({ author: 'bo', text: 'address 0x1b8 variant, same bug?', at: '2026-12-02T10:00:00.000Z' });
    const a = await writeV1(prefix, 'kernel-crash|BUG: kernel NULL pointer dereference, address: N|missing-store-after-unreliable', { count: 100, console: consoles[0], firstSeen: '2026-12-01T09:00:00.000Z', lastSeen: '2026-12-01T12:00:00.000Z', job: 'job-a', notes: [noteA] });
    const b = await writeV1(prefix, 'kernel-crash|BUG: kernel NULL pointer dereference, address: NbN|missing-store-after-unreliable', { count: 24, console: consoles[1], firstSeen: '2026-12-01T09:30:00.000Z', lastSeen: '2026-12-02T12:00:00.000Z', job: 'job-b', status: 'confirmed-kernel-bug', notes: [noteB] });
    const other = await writeV1(prefix, 'retval||-', { count: 3, cls: 'retval', firstSeen: '2026-12-01T09:00:00.000Z', lastSeen: '2026-12-01T09:00:00.000Z', job: 'job-a' });

    const store = new Store(redis, prefix);
    const ran = await store.ensureSchema();
    expect(ran).toEqual([{ to: 2, renamed: 1, merged: 1 }]);
    expect(await redis.get(`${prefix}schema`)).toBe(String(SCHEMA_VERSION));

    const list = await store.listDivergences();
    expect(list.total).toBe(2);
    const merged = list.items.find((d) => d.class === 'kernel-crash')!;
    expect(merged.signature).toBe('kernel-crash|BUG: kernel NULL pointer dereference in check_load_mem');
    expect(merged.id).toBe(divergenceId(merged.signature));
    expect(merged.count).toBe(124);
    expect(merged.status).toBe('confirmed-kernel-bug');
    expect(merged.notes.map((x) => x.text)).toEqual(['address 0 variant', 'address 0x1b8 variant, same bug?']);
    expect(merged.firstSeen).toBe('2026-12-01T09:00:00.000Z');
    expect(merged.firstJob).toBe('job-a');
    expect(merged.lastSeen).toBe('2026-12-02T12:00:00.000Z');
    expect(merged.examples).toHaveLength(2);
    expect(merged.detail).toBe('kernel crashed: BUG: kernel NULL pointer dereference in check_load_mem');
    expect(await store.getDivergence(a)).toBeUndefined();
    expect(await store.getDivergence(b)).toBeUndefined();
    expect((await store.getDivergence(other))?.count).toBe(3);
    expect(await redis.zscore(`${prefix}divs:count`, merged.id)).toBe('124');
    expect((await store.getJob('job-a'))?.divergenceIds).toEqual([merged.id, other].sort());
    expect((await store.getJob('job-b'))?.divergenceIds).toEqual([merged.id]);

    // idempotent: the migration run once more (as after an interruption) changes nothing
    await redis.set(`${prefix}schema`, '1');
    expect(await store.ensureSchema()).toEqual([{ to: 2, renamed: 0, merged: 0 }]);
    expect((await store.getDivergence(merged.id))?.count).toBe(124);
    expect((await store.listDivergences()).total).toBe(2);
  });

  it('starts a new database at the current version and refuses a newer one', async () => {
    const prefix = `m${++n}:`;
    const store = new Store(redis, prefix);
    expect(await store.ensureSchema()).toEqual([]);
    expect(await redis.get(`${prefix}schema`)).toBe(String(SCHEMA_VERSION));
    await redis.set(`${prefix}schema`, String(SCHEMA_VERSION + 1));
    await expect(store.ensureSchema()).rejects.toThrow(/this build reads schema/);
  });

  it('lets one of two processes starting together migrate, and both see the result', async () => {
    const prefix = `m${++n}:`;
    await redis.set(`${prefix}schema`, '1');
    await writeV1(prefix, 'kernel-crash|BUG: kernel NULL pointer dereference, address: N|x', { count: 5, console: consoles[0], firstSeen: '2026-12-01T09:00:00.000Z', lastSeen: '2026-12-01T09:00:00.000Z', job: 'j' });
    await writeV1(prefix, 'kernel-crash|BUG: kernel NULL pointer dereference, address: NbN|x', { count: 7, console: consoles[1], firstSeen: '2026-12-01T09:00:00.000Z', lastSeen: '2026-12-01T09:00:00.000Z', job: 'j' });
    const other = connectRedis(server.url, 'worker');
    try {
      const [x, y] = await Promise.all([new Store(redis, prefix).ensureSchema(), new Store(other, prefix).ensureSchema()]);
      expect([...x, ...y]).toEqual([{ to: 2, renamed: 1, merged: 1 }]);
      const list = await new Store(redis, prefix).listDivergences();
      expect(list.items.map((d) => d.count)).toEqual([12]);
    } finally {
      other.disconnect();
    }
  });
});
