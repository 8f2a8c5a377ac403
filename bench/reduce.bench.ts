// Reducing a crash signature: the real 7.2.13 oops found by the seed-1 campaign (187 instructions,
// test/fixtures/oops-7.2.13/original.json), reduced with at most --checks candidate checks while
// `kernel-crash|BUG: kernel NULL pointer dereference in check_load_mem` still shows, once with
// guests booted again after every crashing check (the baseline) and once with guests brought back
// from a snapshot, in one run. Both must reach the same program; the last line is the ratio of
// their wall times, and whether the snapshot run stays within the 5-minute target.
//
//   node --import tsx bench/reduce.bench.ts [--kernel 7.2] [--checks 300] [--guests 2] [--json]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { divergenceSignature } from '../core/diff/index.ts';
import type { ProgramJson } from '../core/program/index.ts';
import { Engine } from '../engine/index.ts';
import { VmPool, readCatalog, resolveKernel, type PoolMetrics } from '../kernel/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    checks: { type: 'string', default: '300' },
    guests: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const maxChecks = Number(args.checks);
const say = (line: string) => process.stderr.write(`${line}\n`);
const TARGET_SECONDS = 300;

const program = JSON.parse(readFileSync(new URL('../test/fixtures/oops-7.2.13/original.json', import.meta.url), 'utf8')) as ProgramJson;
const signature = divergenceSignature('kernel-crash', 'BUG: kernel NULL pointer dereference in check_load_mem', undefined);

interface Half {
  seconds: number;
  checks: number;
  insns: number;
  program: string;
  metrics: PoolMetrics;
}

async function reduction(snapshots: boolean, snapshotDir: string): Promise<Half> {
  const kernel = resolveKernel(args.kernel!, readCatalog());
  const pool = await VmPool.create({ kernel, size: Number(args.guests), timeoutMs: 30_000, snapshots, snapshotDir });
  try {
    const engine = new Engine({ runner: { run: (ps) => pool.run(ps) } });
    const started = performance.now();
    const r = await engine.reduce({ program, kernel: args.kernel!, signature }, { maxChecks });
    if (!r) throw new Error('the program did not show the signature');
    return { seconds: (performance.now() - started) / 1000, checks: r.checks ?? 0, insns: r.reducedInsns, program: JSON.stringify(r.program), metrics: pool.metrics() };
  } finally {
    await pool.close();
  }
}

const snapshotDir = mkdtempSync(join(tmpdir(), 'bpfdiff-reduce-bench-'));
try {
  say(`bpfdiff reduce benchmark: kernel ${args.kernel}, the 7.2.13 oops (${program.insns.length / 16} insns), at most ${maxChecks} checks, ${args.guests} guests, TCG`);
  const off = await reduction(false, snapshotDir);
  say(`snapshots off: ${off.seconds.toFixed(1)} s, ${off.checks} checks, ${off.insns} insns, ${off.metrics.crashes} crashes, ${off.metrics.boots} cold boots`);
  const on = await reduction(true, snapshotDir);
  say(`snapshots on:  ${on.seconds.toFixed(1)} s, ${on.checks} checks, ${on.insns} insns, ${on.metrics.crashes} crashes, ${on.metrics.restores} restores`);
  const same = off.program === on.program && off.checks === on.checks;
  say(same ? 'both runs reached the same program in the same checks' : 'DIFFERENT reductions');
  const ratio = off.seconds / on.seconds;
  if (args.json) process.stdout.write(`${JSON.stringify({ offSeconds: off.seconds, onSeconds: on.seconds, ratio, checks: on.checks, insns: on.insns, same })}\n`);
  say(`crash reduction: snapshots off ${off.seconds.toFixed(1)} s, on ${on.seconds.toFixed(1)} s, ratio ${ratio.toFixed(2)}; on within ${TARGET_SECONDS} s: ${on.seconds <= TARGET_SECONDS ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
} finally {
  rmSync(snapshotDir, { recursive: true, force: true });
}
