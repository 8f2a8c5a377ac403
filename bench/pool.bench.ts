// VM pool benchmark: boot time per kernel, then programs per second through the pool for the
// 7-argument program against the agent's own LOOP of the same program (the raw ceiling, measured
// in the same run), with 1 and 2 guests. Prints ratios; targets: pool >= 70% of raw per guest,
// 2 guests >= 1.7x one.
//
//   node --import tsx bench/pool.bench.ts [--kernel 7.2] [--programs 600] [--boot-kernels 6.12,7.2,7.3] [--json]
import { parseArgs } from 'node:util';
import { Vm, VmPool, readCatalog, resolveKernel, type KernelImage } from '../kernel/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sevenArgs } from '../test/kernel-programs.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    programs: { type: 'string', default: '600' },
    'boot-kernels': { type: 'string', default: '6.12,7.2,7.3' },
    pipeline: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
});
const perGuest = Number(args.programs);
const pipeline = Number(args.pipeline);
const catalog = readCatalog();
const results: Record<string, number | string> = {};
const say = (line: string) => process.stderr.write(`${line}\n`);

async function bootTime(kernel: KernelImage): Promise<number> {
  const runDir = mkdtempSync(join(tmpdir(), 'bpfdiff-bench-'));
  try {
    const vm = await Vm.boot({ kernel, accel: 'tcg', memMiB: 512, cpus: 1, bootTimeoutMs: 120_000, runDir, name: 'boot' });
    await vm.close();
    return vm.bootMs;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** Programs per second through a pool of `size` guests, after a warm-up batch. */
async function poolRate(pool: VmPool, count: number): Promise<number> {
  const program = sevenArgs();
  await pool.run(Array.from({ length: 20 * pool.metrics().guests }, () => program));
  const batch = Array.from({ length: count }, () => program);
  const started = process.hrtime.bigint();
  const outcomes = await pool.run(batch);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const bad = outcomes.filter((o) => o.verdict !== 'accept' || o.retval !== 1315).length;
  if (bad > 0) throw new Error(`${bad} of ${count} outcomes were not accept/1315: ${JSON.stringify(outcomes.find((o) => o.retval !== 1315))}`);
  return count / seconds;
}

async function main(): Promise<void> {
  const kernel = resolveKernel(args.kernel, catalog);
  say(`bpfdiff pool benchmark: kernel ${kernel.id}, 7-argument program, TCG, pipeline ${pipeline}`);

  for (const id of args['boot-kernels'].split(',').filter(Boolean)) {
    const ms = await bootTime(resolveKernel(id, catalog));
    results[`boot_ms_${id}`] = ms;
    say(`boot ${id}: ${ms} ms`);
  }

  const one = await VmPool.create({ kernel, size: 1, accel: 'tcg', pipeline, timeoutMs: 30_000 });
  let raw: number;
  let pool1: number;
  let pool1NoPipeline: number;
  try {
    const program = sevenArgs();
    await one.loop(program, 50); // warm-up
    const loop = await one.loop(program, perGuest);
    if (loop.errno !== 0 || loop.retval !== 1315) throw new Error(`LOOP: errno ${loop.errno}, retval ${loop.retval}`);
    raw = perGuest / (Number(loop.elapsedNs) / 1e9);
    pool1 = await poolRate(one, perGuest);
  } finally {
    await one.close();
  }
  const unpiped = await VmPool.create({ kernel, size: 1, accel: 'tcg', pipeline: 1, timeoutMs: 30_000 });
  try {
    pool1NoPipeline = await poolRate(unpiped, perGuest);
  } finally {
    await unpiped.close();
  }
  const two = await VmPool.create({ kernel, size: 2, accel: 'tcg', pipeline, timeoutMs: 30_000 });
  let pool2: number;
  try {
    pool2 = await poolRate(two, perGuest * 2);
  } finally {
    await two.close();
  }

  Object.assign(results, {
    raw_loop_per_s: Math.round(raw),
    pool1_per_s: Math.round(pool1),
    pool1_no_pipeline_per_s: Math.round(pool1NoPipeline),
    pool2_per_s: Math.round(pool2),
    pool1_vs_raw: Number((pool1 / raw).toFixed(3)),
    pool2_vs_pool1: Number((pool2 / pool1).toFixed(3)),
  });
  say(`raw ceiling (agent LOOP, 1 guest): ${raw.toFixed(0)} programs/s`);
  say(`pool, 1 guest, pipeline ${pipeline}:  ${pool1.toFixed(0)} programs/s  = ${((pool1 / raw) * 100).toFixed(1)}% of raw (target >= 70%)`);
  say(`pool, 1 guest, pipeline 1:  ${pool1NoPipeline.toFixed(0)} programs/s  = ${((pool1NoPipeline / raw) * 100).toFixed(1)}% of raw`);
  say(`pool, 2 guests, pipeline ${pipeline}: ${pool2.toFixed(0)} programs/s = ${(pool2 / pool1).toFixed(2)}x one guest (target >= 1.7x)`);
  if (args.json) process.stdout.write(`${JSON.stringify(results)}\n`);
}

await main();
