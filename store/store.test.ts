import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Outcome, ProgramJson } from '../core/program/index.ts';
import { Store, SchemaVersionError, connectRedis, divergenceId, startEmbeddedRedis, type BatchRecord, type Finding, type EmbeddedRedis } from './index.ts';

const program: ProgramJson = {
  format: 'bpfdiff.program/v1',
  progType: 'sched_cls',
  insns: 'b700000000000000' + '9500000000000000',
  funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
};
const accept: Outcome = { verdict: 'accept', errno: 0, message: '', retval: 0, kernel: '7.2.13+deb14-amd64' };
const reject: Outcome = { verdict: 'reject', errno: 13, message: 'R11 is invalid', kernel: 'model:linux-7.2' };

function instance(signature: string, kernel = '7.2'): Finding {
  return { signature, class: 'verdict-model-reject', kernel, index: 0, profile: 'linux-7.2', detail: `detail of ${signature}`, program, model: reject, actual: accept };
}

function batch(divergences: Finding[], programs = 10): BatchRecord {
  return { programs, agreed: programs - divergences.length, byClass: { 'verdict-model-reject': divergences.length }, busyMs: 100, vmRestarts: 0, divergences };
}

let redisServer: EmbeddedRedis;
let redis: Redis;
let dir: string;
let prefixCount = 0;
const freshStore = () => new Store(redis, `t${++prefixCount}:`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bpfdiff-store-'));
  redisServer = await startEmbeddedRedis({ dataDir: dir });
  redis = connectRedis(redisServer.url, 'worker');
});

afterAll(async () => {
  redis?.disconnect();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Store', () => {
  it('writes the schema version once and refuses another', async () => {
    const store = freshStore();
    await store.ensureSchema();
    await store.ensureSchema();
    await redis.set(`${store.prefix}schema`, '99');
    await expect(store.ensureSchema()).rejects.toThrow(SchemaVersionError);
  });

  it('keeps each example\'s first disagreement and the reduction\'s', async () => {
    const store = freshStore();
    const job = await store.createJob({ kind: 'campaign', kernels: ['6.12'], count: 10, seed: 1 });
    await store.startJob(job.id, 1);
    const where = { kind: 'state' as const, insn: 8, step: 7, agreedSteps: 7, reg: 0, field: 'type', model: 'map_value', kernel: 'map_value_or_null', text: 'model and kernel first disagree at insn 8: R0 map_value vs map_value_or_null' };
    await store.recordBatch(job.id, 0, batch([{ ...instance('sig-fd', '6.12'), firstDisagreement: where }, instance('sig-plain')]));
    expect((await store.getDivergence(divergenceId('sig-fd')))!.examples[0]!.firstDisagreement).toEqual(where);
    expect((await store.getDivergence(divergenceId('sig-plain')))!.examples[0]).not.toHaveProperty('firstDisagreement');
    const reducedWhere = { ...where, insn: 6, step: 5, agreedSteps: 5, text: 'model and kernel first disagree at insn 6: R0 map_value vs map_value_or_null' };
    await store.setReduced(divergenceId('sig-fd'), { program, kernel: '6.12', originalInsns: 11, reducedInsns: 8, firstDisagreement: reducedWhere });
    expect((await store.getDivergence(divergenceId('sig-fd')))!.reduced!.firstDisagreement).toEqual(reducedWhere);
  });

  it('counts a retried batch once and completes the job at the last batch', async () => {
    const store = freshStore();
    const job = await store.createJob({ kind: 'campaign', kernels: ['7.2'], count: 20, seed: 1 });
    expect(await store.startJob(job.id, 2)).toBe(true);
    const first = await store.recordBatch(job.id, 0, batch([instance('sig-a')]));
    const retry = await store.recordBatch(job.id, 0, batch([instance('sig-a')]));
    expect(first).toEqual({ recorded: true, newIds: [divergenceId('sig-a')] });
    expect(retry).toEqual({ recorded: false, newIds: [] });
    expect((await store.getJob(job.id))?.state).toBe('running');
    await store.recordBatch(job.id, 1, batch([instance('sig-a'), instance('sig-b')]));
    const done = await store.getJob(job.id);
    expect(done?.state).toBe('completed');
    expect(done?.counts).toMatchObject({ programs: 20, agreed: 17, divergences: 3, newSignatures: 2, batchesDone: 2, batchesTotal: 2 });
    expect(done?.counts.byClass).toEqual({ 'verdict-model-reject': 3 });
    expect(done?.divergenceIds).toEqual([divergenceId('sig-a'), divergenceId('sig-b')].sort());
  });

  it("adds up what the soundness oracle checked per job, a retried batch once, and says nothing for a job it did not run in", async () => {
    const store = freshStore();
    const job = await store.createJob({ kind: 'campaign', kernels: ['7.2'], count: 30, seed: 1 });
    await store.startJob(job.id, 3);
    await store.recordBatch(job.id, 0, { ...batch([]), soundness: { programs: 4, values: 900, complete: 1 } });
    await store.recordBatch(job.id, 0, { ...batch([]), soundness: { programs: 4, values: 900, complete: 1 } });
    await store.recordBatch(job.id, 1, { ...batch([]), soundness: { programs: 2, values: 100, complete: 2 } });
    expect((await store.getJob(job.id))?.soundness).toEqual({ programs: 6, values: 1000, complete: 3 });
    const other = await store.createJob({ kind: 'campaign', kernels: ['7.2'], count: 10, seed: 2 });
    await store.startJob(other.id, 1);
    await store.recordBatch(other.id, 0, batch([]));
    expect((await store.getJob(other.id))?.soundness).toBeUndefined();
  });

  it('deduplicates divergences by signature with counts, kernels and a few examples', async () => {
    const store = freshStore();
    const job = await store.createJob({ kind: 'campaign', kernels: ['7.2', '7.3'], count: 50 });
    await store.startJob(job.id, 5);
    for (let i = 0; i < 5; i++) await store.recordBatch(job.id, i, batch([instance('sig-x', i % 2 ? '7.3' : '7.2')]));
    const record = await store.getDivergence(divergenceId('sig-x'));
    expect(record).toMatchObject({ signature: 'sig-x', count: 5, status: 'new', kernels: ['7.2', '7.3'], firstJob: job.id });
    expect(record?.examples).toHaveLength(3);
    expect(record?.examples[0].program).toEqual(program);
  });

  it('filters, sorts and pages divergences, and keeps triage notes', async () => {
    const store = freshStore();
    const job = await store.createJob({ kind: 'campaign', kernels: ['7.2'] });
    await store.startJob(job.id, 3);
    await store.recordBatch(job.id, 0, batch([instance('often'), instance('often'), instance('often')]));
    await store.recordBatch(job.id, 1, batch([instance('rare-stack-arg')]));
    await new Promise((r) => setTimeout(r, 5));
    await store.recordBatch(job.id, 2, batch([instance('recent', '7.3')]));
    expect((await store.listDivergences({ sort: 'count' })).items.map((d) => d.signature)[0]).toBe('often');
    expect((await store.listDivergences({ sort: 'lastSeen' })).items[0].signature).toBe('recent');
    expect((await store.listDivergences({ kernel: '7.3' })).items.map((d) => d.signature)).toEqual(['recent']);
    expect((await store.listDivergences({ text: 'STACK-ARG' })).items.map((d) => d.signature)).toEqual(['rare-stack-arg']);
    const page = await store.listDivergences({ limit: 1, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.items).toHaveLength(1);

    const id = divergenceId('often');
    const triaged = await store.triageDivergence(id, { status: 'model-bug', note: { author: 'ana', text: 'profile misses the r11 rule' } });
    expect(triaged?.status).toBe('model-bug');
    expect(triaged?.notes[0]).toMatchObject({ author: 'ana', text: 'profile misses the r11 rule' });
    expect((await store.listDivergences({ status: 'model-bug' })).items.map((d) => d.id)).toEqual([id]);
    expect(await store.triageDivergence('0000000000000000', { status: 'fixed' })).toBeUndefined();
  });

  it('cancels only a job that has not finished', async () => {
    const store = freshStore();
    const job = await store.createJob({ kind: 'replay', kernels: ['7.2'] });
    expect(await store.cancelJob(job.id)).toBe('cancelled');
    expect(await store.startJob(job.id, 1)).toBe(false);
    expect(await store.cancelJob('nope')).toBeUndefined();
  });

  it('keeps what was stored across a Redis crash (AOF)', async () => {
    const store = freshStore();
    const job = await store.createJob({ kind: 'campaign', kernels: ['7.2'] });
    await store.startJob(job.id, 2);
    await store.recordBatch(job.id, 0, batch([instance('survives')]));
    await redisServer.restart();
    const after = await store.getJob(job.id);
    expect(after?.counts.programs).toBe(10);
    expect((await store.getDivergence(divergenceId('survives')))?.count).toBe(1);
  });
});
