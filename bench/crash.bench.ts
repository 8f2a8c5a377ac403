// A crash-heavy campaign with guests brought back from a snapshot against the same campaign with
// guests booted again after every crash, in one run. The programs are the generator's for a fixed
// seed with the known 7.2.13 oops (corpus/regressions/stack_arg_unreliable_btf_second_caller.s)
// put in at every `--crash-every`-th place (the generator's own `missing-store-after-unreliable`
// mutation adds more of it). Both halves must give the same counts and the same signatures;
// the last line is the ratio of their wall times (target >= 1.6).
//
//   node --import tsx bench/crash.bench.ts [--kernel 7.2] [--count 300] [--seed 1] [--crash-every 30]
//                                          [--guests 2] [--batch 50] [--fresh] [--json]
// --fresh also runs the campaign a third time with every guest restored before each batch
// (PoolOptions.freshGuestPerBatch) and prints what that costs against snapshots on.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aggregateDivergences, emptyBatchResult, mergeBatchResults, type BatchResult } from '../core/diff/index.ts';
import { Engine } from '../engine/index.ts';
import { generatePrograms } from '../core/gen/index.ts';
import { corpusProgram } from '../core/program/corpus.ts';
import type { Program } from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel, type PoolMetrics } from '../kernel/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    count: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    'crash-every': { type: 'string', default: '30' },
    guests: { type: 'string', default: '2' },
    batch: { type: 'string', default: '50' },
    fresh: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(args.count);
const seed = Number(args.seed);
const crashEvery = Number(args['crash-every']);
const guests = Number(args.guests);
const batchSize = Number(args.batch);
const say = (line: string) => process.stderr.write(`${line}\n`);

const CRASHER = 'stack_arg_unreliable_btf_second_caller';
const crasherSource = readFileSync(new URL(`../corpus/regressions/${CRASHER}.s`, import.meta.url), 'utf8');

function campaignPrograms(): Program[] {
  const programs = generatePrograms(seed, count);
  for (let at = crashEvery - 1; at < programs.length; at += crashEvery) programs[at] = corpusProgram(CRASHER, crasherSource);
  return programs;
}

interface Half {
  seconds: number;
  result: BatchResult;
  metrics: PoolMetrics;
}

async function campaign(snapshots: boolean, snapshotDir: string, freshGuestPerBatch = false): Promise<Half> {
  const kernel = resolveKernel(args.kernel!, readCatalog());
  const pool = await VmPool.create({ kernel, size: guests, timeoutMs: 30_000, snapshots, snapshotDir, freshGuestPerBatch });
  try {
    const programs = campaignPrograms();
    const total = emptyBatchResult();
    // the engine's batches, on this half's own pool (snapshots on or off)
    const engine = new Engine({ runner: { run: (ps) => pool.run(ps) } });
    const started = performance.now();
    for (let i = 0; i < programs.length; i += batchSize) {
      mergeBatchResults(total, await engine.runBatch(programs.slice(i, i + batchSize), [args.kernel!], { start: i }));
    }
    return { seconds: (performance.now() - started) / 1000, result: total, metrics: pool.metrics() };
  } finally {
    await pool.close();
  }
}

const summary = (h: Half) => ({
  programs: h.result.programs,
  agreed: h.result.agreed,
  divergences: h.result.divergences.length,
  crashes: h.metrics.crashes,
  hangs: h.metrics.hangs,
  signatures: aggregateDivergences(h.result.divergences).map((s) => `${s.count} x ${s.signature}`),
});

const snapshotDir = mkdtempSync(join(tmpdir(), 'bpfdiff-crash-bench-'));
try {
  say(`bpfdiff crash benchmark: kernel ${args.kernel}, ${count} programs of seed ${seed}, the 7.2.13 oops at every ${crashEvery}th, ${guests} guests, TCG`);
  // off first: the snapshot pool then starts by saving its snapshot (not timed, like the boots)
  const off = await campaign(false, snapshotDir);
  say(`snapshots off: ${off.seconds.toFixed(1)} s, ${off.metrics.crashes} crashes, ${off.metrics.boots} cold boots (median ${median(off.metrics.bootMs)} ms)`);
  const on = await campaign(true, snapshotDir);
  say(`snapshots on:  ${on.seconds.toFixed(1)} s, ${on.metrics.crashes} crashes, ${on.metrics.restores} restores (median ${median(on.metrics.restoreMs)} ms), ${on.metrics.boots} cold boots`);
  if (args.fresh) {
    const fresh = await campaign(true, snapshotDir, true);
    const same = JSON.stringify(summary(fresh)) === JSON.stringify(summary(on));
    say(`fresh guest per batch: ${fresh.seconds.toFixed(1)} s, ${fresh.metrics.restores} restores, ${(fresh.seconds / on.seconds).toFixed(2)}x the time of snapshots on` +
      ` (${(((fresh.seconds - on.seconds) * 1000) / Math.ceil(count / batchSize)).toFixed(0)} ms per batch of ${batchSize}); ${same ? 'same counts and signatures' : 'DIFFERENT results'}`);
    if (!same) process.exitCode = 1;
  }
  const a = summary(off);
  const b = summary(on);
  const same = JSON.stringify(a) === JSON.stringify(b);
  say(`programs ${a.programs}, agreed ${a.agreed} / ${b.agreed}, divergences ${a.divergences} / ${b.divergences}, signatures:`);
  for (const s of a.signatures) say(`  ${s}`);
  say(same ? 'snapshots on and off: same counts and signatures' : `DIFFERENT results:\n  off ${JSON.stringify(a)}\n  on  ${JSON.stringify(b)}`);
  const ratio = off.seconds / on.seconds;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ offSeconds: off.seconds, onSeconds: on.seconds, ratio, same, off: a, on: b, restoreMs: on.metrics.restoreMs, bootMs: off.metrics.bootMs })}\n`);
  }
  say(`crash campaign: snapshots off ${off.seconds.toFixed(1)} s, on ${on.seconds.toFixed(1)} s, ratio ${ratio.toFixed(2)}`);
  if (!same) process.exitCode = 1;
} finally {
  rmSync(snapshotDir, { recursive: true, force: true });
}

function median(xs: number[]): number {
  return xs.length === 0 ? 0 : [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
}
