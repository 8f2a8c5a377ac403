// What the soundness oracle costs a campaign: the same programs through the engine on the same
// pool with the oracle off and on (its default sample, or --rate), halves interleaved
// (off, on, off, on, ...) so the machine's load falls on both alike. Target: the campaign keeps
// >= 70% of its rate with the oracle on. Also prints the oracle's host time per checked program
// and what a level-2 load costs next to a plain one.
//
//   node --import tsx bench/soundness.bench.ts [--kernel 7.2] [--count 200] [--seed 1] [--rounds 2] [--rate 0.1] [--guests 2] [--json]
import { parseArgs } from 'node:util';
import { Engine, DEFAULT_SOUNDNESS_RATE } from '../engine/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import type { BatchResult } from '../core/diff/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    count: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    rate: { type: 'string', default: String(DEFAULT_SOUNDNESS_RATE) },
    guests: { type: 'string', default: '2' },
    // the crasher of corpus/regressions reboots a guest each time; keep it out of a rate measurement
    gen: { type: 'string', default: '{"mutations":["missing-stack-arg-store","extra-stack-arg-store","call-between-store-and-call","no-restore-after-call","load-after-store","load-after-call","load-past-incoming","store-past-max","r11-bad-offset","r11-wrong-size","r11-misuse","too-many-args","global-many-args","too-deep","too-much-stack","scalar-deref"]}' },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(args.count);
const seed = Number(args.seed);
const rounds = Number(args.rounds);
const rate = Number(args.rate);
const gen = JSON.parse(args.gen!) as Record<string, unknown>;
const say = (line: string) => process.stderr.write(`${line}\n`);

const kernel = resolveKernel(args.kernel!, readCatalog());
const pool = await VmPool.create({ kernel, size: Number(args.guests), timeoutMs: 60_000 });
try {
  const runner = {
    run: (ps: Parameters<VmPool['run']>[0]) => pool.run(ps),
    runLevel2: (ps: Parameters<VmPool['run']>[0]) => pool.run(ps, { settings: { logLevel: 2 }, keepLog: true }),
  };
  const campaign = async (soundnessRate: number, s: number): Promise<{ perSec: number; total: BatchResult }> => {
    const engine = new Engine({ runner, soundnessRate });
    const r = await engine.runCampaign({ seed: s, count, batch: 50, gen, kernels: [args.kernel!] });
    return { perSec: r.total.programs / (r.elapsedMs / 1000), total: r.total };
  };
  await campaign(0, seed + 1000); // warm-up: both guests, the model's JIT
  const off: number[] = [];
  const on: number[] = [];
  const ratios: number[] = [];
  let checked = { programs: 0, values: 0, complete: 0, hostMs: 0, kernelMs: 0, unsound: 0 };
  for (let i = 0; i < rounds; i++) {
    // a fresh seed per round, the same one for both halves
    const a = await campaign(0, seed + i);
    const b = await campaign(rate, seed + i);
    off.push(a.perSec);
    on.push(b.perSec);
    ratios.push(b.perSec / a.perSec);
    const s = b.total.soundness;
    if (s) checked = { programs: checked.programs + s.programs, values: checked.values + s.values, complete: checked.complete + s.complete, hostMs: checked.hostMs + s.hostMs, kernelMs: checked.kernelMs + s.kernelMs, unsound: checked.unsound + b.total.byClass['verifier-unsound'] };
    say(`round ${i + 1}: off ${a.perSec.toFixed(1)}/s, on (rate ${rate}) ${b.perSec.toFixed(1)}/s: ratio ${(b.perSec / a.perSec).toFixed(3)}`);
  }
  ratios.sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  const median = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const result = {
    kernel: pool.uname,
    programsPerHalf: count,
    rounds,
    rate,
    offPerSec: Number(mean(off).toFixed(2)),
    onPerSec: Number(mean(on).toFixed(2)),
    ratioMedian: Number(median.toFixed(3)),
    checkedPrograms: checked.programs,
    checkedValues: checked.values,
    completeRuns: checked.complete,
    hostMsPerChecked: Number((checked.hostMs / Math.max(1, checked.programs)).toFixed(1)),
    level2WallMsPerChecked: Number((checked.kernelMs / Math.max(1, checked.programs)).toFixed(1)),
    verifierUnsound: checked.unsound,
  };
  say(`soundness oracle at rate ${rate}: ${result.onPerSec}/s against ${result.offPerSec}/s off: median ratio ${result.ratioMedian} (target >= 0.7)`);
  say(`checked ${result.checkedPrograms} programs (${result.completeRuns} to the end of the run), ${result.checkedValues} register values; host ${result.hostMsPerChecked} ms and level-2 loads ${result.level2WallMsPerChecked} ms of wall time per checked program; verifier-unsound ${result.verifierUnsound}`);
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await pool.close();
}
