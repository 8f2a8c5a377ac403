// Guests restored from a snapshot of a booted guest (kernel/snapshot.ts) on Debian's 7.2,
// 7.3 and 6.12: a mixed batch (stack-argument calls, rejects, the 13-argument refusal, the
// corpus, and on 7.2 the 7.2.13 oops) gives the same outcomes on a restored guest as on a
// booted one; a restored guest starts with the agent's position page at 0/0 and the request
// numbering from 1; a snapshot that does not load falls back to a cold boot and says so once.
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusProgram } from '../core/program/corpus.ts';
import type { Outcome, Program } from '../core/program/index.ts';
import { Vm, VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import { missingSeventhArg, numberedPrograms, processesMentioning, returnProgram, sevenArgs, thirteenArgs } from './kernel-programs.ts';

const corpusDir = fileURLToPath(new URL('../corpus/', import.meta.url));
const CRASHER = 'stack_arg_unreliable_btf_second_caller';

function corpus(set: string): Program[] {
  const dir = `${corpusDir}${set}/`;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.s') && f !== `${CRASHER}.s`)
    .sort()
    .slice(0, 12)
    .map((f) => corpusProgram(f.slice(0, -2), readFileSync(`${dir}${f}`, 'utf8')));
}

function mixedBatch(withCrasher: boolean): Program[] {
  const crasher = corpusProgram(CRASHER, readFileSync(`${corpusDir}regressions/${CRASHER}.s`, 'utf8'));
  const programs = [sevenArgs(), thirteenArgs(), thirteenArgs(12), missingSeventhArg(), ...numberedPrograms(10).programs, ...corpus('regressions'), ...corpus('selftests')];
  if (withCrasher) programs.splice(6, 0, crasher);
  return programs;
}

/** What a user compares between two runs of one program: everything but timings and console noise. */
function comparable(o: Outcome) {
  const { console: text, log, jit, ...rest } = o;
  return {
    ...rest,
    // the JIT image itself is placed at a random offset in its pack (bpf_jit_binary_pack_alloc),
    // so its call displacements differ from one load to the next, on any guest
    jit: jit && { ...jit, image: undefined },
    // a crash report's first line (the timestamps and addresses of the rest differ between guests)
    console: text?.split('\n').find((l) => /BUG:|Oops|panic|WARNING:/.test(l))?.replace(/^\[[^\]]*\]\s*/, ''),
    // the log prints a map load resolved to the map's kernel address, which differs between guests
    log: log?.replace(/verification time \d+ usec/g, 'verification time N usec').replace(/0xffff[0-9a-f]{12}/g, '0xffff<addr>'),
  };
}

const dirs: string[] = [];
function snapshotDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bpfdiff-snapshots-test-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(['7.2', '7.3', '6.12'])('a guest of %s restored from a snapshot', (id) => {
  it('gives the same outcomes as a booted guest for a mixed batch', async () => {
    const kernel = resolveKernel(id, readCatalog());
    const batch = mixedBatch(id === '7.2');
    const common = { kernel, size: 1, timeoutMs: 30_000, keepLog: true };
    const booted = await VmPool.create({ ...common, snapshots: false });
    let bootedOutcomes: Outcome[];
    try {
      bootedOutcomes = await booted.run(batch);
      expect(booted.metrics()).toMatchObject({ restores: 0, snapshotsTaken: 0 });
    } finally {
      await booted.close();
    }
    // this pool boots once and saves the snapshot; every batch then starts on a restored guest
    const restored = await VmPool.create({ ...common, snapshotDir: snapshotDir(), freshGuestPerBatch: true });
    try {
      expect(restored.metrics()).toMatchObject({ boots: 1, snapshotsTaken: 1, restores: 0 });
      await restored.run([returnProgram(1)]);
      const outcomes = await restored.run(batch);
      const m = restored.metrics();
      expect(m.boots).toBe(1);
      expect(m.restores).toBeGreaterThanOrEqual(1); // before the batch, and after the 7.2 oops
      expect(m.restoreMs.every((ms) => ms < 30_000)).toBe(true);
      expect(outcomes.map(comparable)).toEqual(bootedOutcomes.map(comparable));
      if (id === '7.2') {
        expect(outcomes.filter((o) => o.verdict === 'crash')).toHaveLength(1);
        expect(m.crashes).toBe(1);
        expect(m.restores).toBe(2);
      }
      expect(outcomes.filter((o) => o.verdict === 'accept').length).toBeGreaterThan(5);
      expect(outcomes.filter((o) => o.verdict === 'reject').length).toBeGreaterThan(2);
    } finally {
      await restored.close();
    }
  });
});

describe('restoring on 7.2', () => {
  it('starts the agent afresh: position page 0/0, request ids from 1, the console watcher armed', async () => {
    const pool = await VmPool.create({ kernel: resolveKernel('7.2'), size: 1, timeoutMs: 30_000, snapshotDir: snapshotDir() });
    try {
      await pool.run(numberedPrograms(6).programs);
      const [crash] = await pool.runJobs([{ trigger: 'crash' }]);
      expect(crash.verdict).toBe('crash');
      await waitFor(() => pool.guests().length === 1 && pool.guests()[0].restored);
      // the restored agent has been asked nothing: its position page is at 0/0 ...
      const guest = pool.guests()[0];
      const page = readFileSync(Vm.positionPath(guest.socketPath));
      expect(page.readUInt32LE(0)).toBe(0x44465042);
      expect([page.readUInt32LE(4), page.readUInt32LE(8)]).toEqual([0, 0]);
      // ... and the first request it gets is number 1
      const [after] = await pool.run([returnProgram(42)]);
      expect(after).toMatchObject({ verdict: 'accept', retval: 42 });
      const again = readFileSync(Vm.positionPath(guest.socketPath));
      expect([again.readUInt32LE(4), again.readUInt32LE(8)]).toEqual([1, 1]);
      // a second crash on the restored guest is seen by its console watcher and charged
      const [second] = await pool.runJobs([{ trigger: 'crash' }]);
      expect(second.verdict).toBe('crash');
      expect(second.console).toMatch(/sysrq triggered crash/);
      await waitFor(() => pool.metrics().restores === 2);
      expect(pool.metrics()).toMatchObject({ crashes: 2, restores: 2, boots: 1 });
    } finally {
      await pool.close();
    }
  });

  it('does not repeat the saved randomness: bpf_get_prandom_u32 differs from one restore to the next', async () => {
    // main: r0 = bpf_get_prandom_u32(); exit
    const prandom: Program = {
      progType: 'sched_cls',
      insns: [{ code: 0x85, dst: 0, src: 0, off: 0, imm: 7 }, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }],
      funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
      maps: [],
      input: new Uint8Array(64),
    };
    const pool = await VmPool.create({ kernel: resolveKernel('7.2'), size: 1, timeoutMs: 30_000, snapshotDir: snapshotDir(), freshGuestPerBatch: true });
    try {
      const values: number[] = [];
      for (let i = 0; i < 3; i++) {
        const [o] = await pool.run([prandom]);
        expect(o.verdict).toBe('accept');
        values.push(o.retval!);
      }
      expect(pool.metrics()).toMatchObject({ boots: 1, restores: 2 });
      expect(new Set(values).size).toBe(3);
    } finally {
      await pool.close();
    }
  });

  it('falls back to a cold boot when the snapshot does not load, says so once, and leaves no QEMU behind', async () => {
    const dir = snapshotDir();
    const kernel = resolveKernel('7.2');
    const first = await VmPool.create({ kernel, size: 1, snapshotDir: dir });
    await first.close();
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.vmstate'));
    truncateSync(join(dir, file), 4096); // a stream cut short: QEMU refuses it
    const lines: string[] = [];
    const pool = await VmPool.create({ kernel, size: 2, snapshotDir: dir, log: (l) => lines.push(l) });
    try {
      const m = pool.metrics();
      expect(m.restoreFailures).toBe(2);
      expect(m.boots).toBe(2);
      expect(lines.filter((l) => /did not come back from its snapshot/.test(l))).toHaveLength(1);
      const [o] = await pool.run([sevenArgs()]);
      expect(o).toMatchObject({ verdict: 'accept', retval: 1315 });
    } finally {
      await pool.close();
    }
    expect(await processesMentioning(pool.runDir)).toEqual([]);
  });
});

async function waitFor(cond: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
