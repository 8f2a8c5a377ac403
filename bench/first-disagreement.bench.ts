// What the first-disagreement step costs a campaign: the same programs through the engine on the
// same pool with it off and on, halves interleaved (off, on, off, on, ...) so the machine's load
// falls on both alike. Every verdict or reason divergence is loaded once more at log level 2, so
// the cost grows with the divergences: `--profile 7.2` on `--kernel 6.12` predicts the real 6.12
// with the 7.2 profile (a planted profile error: most programs diverge, the worst case); the
// kernel's own profile (the default) is the everyday case. Also counts the kinds found.
//
//   node --import tsx bench/first-disagreement.bench.ts [--kernel 6.12] [--profile 7.2] [--count 100] [--seed 1] [--rounds 2] [--guests 2] [--json]
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import type { BatchResult } from '../core/diff/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '6.12' },
    profile: { type: 'string' },
    count: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    guests: { type: 'string', default: '2' },
    // the crasher of corpus/regressions reboots a guest each time; keep it out of a rate measurement
    gen: { type: 'string', default: '{"mutations":["missing-stack-arg-store","extra-stack-arg-store","call-between-store-and-call","no-restore-after-call","load-after-store","load-after-call","load-past-incoming","store-past-max","r11-bad-offset","r11-wrong-size","r11-misuse","too-many-args","global-many-args","too-deep","too-much-stack","scalar-deref"]}' },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(args.count);
const seed = Number(args.seed);
const rounds = Number(args.rounds);
const id = args.kernel!;
const gen = JSON.parse(args.gen!) as Record<string, unknown>;
const say = (line: string) => process.stderr.write(`${line}\n`);

const kernel = resolveKernel(id, readCatalog());
const pool = await VmPool.create({ kernel, size: Number(args.guests), timeoutMs: 60_000 });
try {
  const runner = {
    run: (ps: Parameters<VmPool['run']>[0]) => pool.run(ps),
    runLevel2: (ps: Parameters<VmPool['run']>[0]) => pool.run(ps, { settings: { logLevel: 2 }, keepLog: true }),
  };
  const profiles = args.profile ? { [id]: args.profile } : undefined;
  const campaign = async (explain: boolean, s: number): Promise<{ perSec: number; total: BatchResult }> => {
    const engine = new Engine({ runner, profiles, soundnessRate: 0, explain });
    const r = await engine.runCampaign({ seed: s, count, batch: 50, gen, kernels: [id] });
    return { perSec: r.total.programs / (r.elapsedMs / 1000), total: r.total };
  };
  await campaign(false, seed + 1000); // warm-up: both guests, the model's JIT
  const ratios: number[] = [];
  const kinds: Record<string, number> = { state: 0, walk: 0, end: 0, none: 0 };
  let judged = 0;
  for (let i = 0; i < rounds; i++) {
    const a = await campaign(false, seed + i);
    const b = await campaign(true, seed + i);
    ratios.push(b.perSec / a.perSec);
    for (const d of b.total.divergences) {
      if (!['verdict-model-accept', 'verdict-model-reject', 'reason'].includes(d.class)) continue;
      judged++;
      kinds[d.firstDisagreement?.kind ?? 'none']!++;
    }
    say(`round ${i + 1}: off ${a.perSec.toFixed(1)}/s, on ${b.perSec.toFixed(1)}/s: ratio ${(b.perSec / a.perSec).toFixed(3)}; verdict/reason divergences ${b.total.byClass['verdict-model-accept'] + b.total.byClass['verdict-model-reject'] + b.total.byClass.reason} of ${b.total.programs}`);
  }
  const mean = ratios.reduce((x, y) => x + y, 0) / ratios.length;
  const summary = { kernel: id, profile: args.profile ?? kernel.profile, count, rounds, ratio: Number(mean.toFixed(3)), judged, kinds };
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`first disagreement on ${id} (profile ${summary.profile}): ${count} programs x ${rounds} rounds, on/off programs/s ratio ${summary.ratio}; ${judged} verdict/reason divergences: state ${kinds.state}, walk ${kinds.walk}, end ${kinds.end}, none ${kinds.none}\n`);
} finally {
  await pool.close();
}
