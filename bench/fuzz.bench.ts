// End-to-end `fuzz` throughput against the raw rate of the same programs looped by the agent
// inside the guest, measured in one run (these machines are noisy: only the ratio counts).
// Target: the campaign (generator + model + 2 guests + differ) reaches >= 60% of the raw rate
// of 2 guests. Also prints the model's share of the campaign's wall time.
//
//   node --import tsx bench/fuzz.bench.ts [--kernel 7.2] [--count 200] [--seed 1] [--loops 3] [--json]
import { parseArgs } from 'node:util';
import { generatePrograms } from '../core/gen/index.ts';
import { Engine } from '../engine/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    count: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    loops: { type: 'string', default: '3' },
    // the crasher of corpus/regressions reboots a guest each time; keep it out of a rate measurement
    gen: { type: 'string', default: '{"mutations":["missing-stack-arg-store","extra-stack-arg-store","call-between-store-and-call","no-restore-after-call","load-after-store","load-after-call","load-past-incoming","store-past-max","r11-bad-offset","r11-wrong-size","r11-misuse","too-many-args","global-many-args","too-deep","too-much-stack","scalar-deref"]}' },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(args.count);
const seed = Number(args.seed);
const loops = Number(args.loops);
const gen = JSON.parse(args.gen!) as Record<string, unknown>;
const say = (line: string) => process.stderr.write(`${line}\n`);

const kernel = resolveKernel(args.kernel!, readCatalog());
const pool = await VmPool.create({ kernel, size: 2, timeoutMs: 30_000 });
try {
  const programs = generatePrograms(seed, count, gen);
  // warm-up: both guests have loaded and run something
  await pool.run(programs.slice(0, 4));

  // Raw: each program looped `loops` times back to back by the agent (load + test run + info
  // per round, no host in between), on one guest; 2 guests would do twice that.
  let rawNs = 0n;
  for (const p of programs) rawNs += (await pool.loop(p, loops)).elapsedNs;
  const rawPerGuest = (count * loops) / (Number(rawNs) / 1e9);
  const raw2 = 2 * rawPerGuest;

  // Campaign: the same programs through the engine (generator, model, both guests, differ), on
  // the pool the raw rate was measured on.
  const engine = new Engine({ runner: { run: (ps) => pool.run(ps) } });
  const r = await engine.runCampaign({ seed, count, batch: 50, gen, kernels: [args.kernel!] });
  const rate = r.total.programs / (r.elapsedMs / 1000);
  const modelShare = r.total.timing.modelMs / r.elapsedMs;
  const result = {
    kernel: pool.uname,
    programs: count,
    rawPerGuest: Number(rawPerGuest.toFixed(1)),
    raw2Guests: Number(raw2.toFixed(1)),
    campaignPerSec: Number(rate.toFixed(1)),
    ratio: Number((rate / raw2).toFixed(3)),
    modelShareOfWall: Number(modelShare.toFixed(3)),
    modelMsPerProgram: Number((r.total.timing.modelMs / count).toFixed(2)),
    divergences: r.total.divergences.length,
  };
  say(`raw (agent loop): ${result.rawPerGuest}/s per guest, ${result.raw2Guests}/s for 2 guests`);
  say(`fuzz campaign:    ${result.campaignPerSec}/s with 2 guests  ratio ${result.ratio} (target >= 0.6)`);
  say(`model:            ${result.modelMsPerProgram} ms/program, ${(100 * modelShare).toFixed(0)}% of the campaign's wall time; divergences ${result.divergences}`);
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await pool.close();
}
