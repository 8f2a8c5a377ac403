// The generator and coverage guidance against today's: `fuzz --kernel 7.2 --count N --seed 1`
// with the new defaults (generator bpfdiff-gen/5, --guided at the default share) against the
// same campaign with yesterday's generator options (`--gen gen2`, no guidance), one after the
// other in one process on the same guests (real QEMU), printing both columns: distinct kernel
// reason lines, model rules hit, programs per second, and the ratios. Issue 16's targets:
// reason lines >= 3x, rules >= 2x, programs/s >= 0.7x. Coverage numbers are deterministic for a
// seed; programs/s is noisy on a shared machine: `--rounds 2` runs both twice, in the order
// base, new, new, base, and takes the summed rate of each.
//
//   node --import tsx bench/generator.bench.ts [--kernel 7.2] [--count 1000] [--seed 1] [--batch 100] [--rounds 1] [--json]
import { parseArgs } from 'node:util';
import { DEFAULT_GUIDED_SHARE, type CoverageSummary } from '../core/guided/index.ts';
import type { GenOptions } from '../core/gen/index.ts';
import { Engine, type CampaignResult } from '../engine/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '1' },
    share: { type: 'string', default: String(DEFAULT_GUIDED_SHARE) },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(args.count);
const seed = Number(args.seed);
const batch = Number(args.batch);
const rounds = Number(args.rounds);
const say = (line: string) => process.stderr.write(`${line}\n`);

interface Column {
  label: string;
  gen: Partial<GenOptions>;
  share: number;
  coverage?: CoverageSummary;
  programs: number;
  seconds: number;
  divergences: number;
}
const base: Column = { label: 'gen2, unguided', gen: { preset: 'gen2' } as Partial<GenOptions>, share: 0, programs: 0, seconds: 0, divergences: 0 };
const next: Column = { label: `gen5, guided ${args.share}`, gen: {}, share: Number(args.share), programs: 0, seconds: 0, divergences: 0 };

const engine = new Engine();
try {
  say(`generator bench: ${args.kernel}, ${count} programs of seed ${seed} per campaign, ${rounds} round(s)`);
  await engine.boot([args.kernel!]);
  // warm-up: the guests have loaded and run something, the model's code is compiled
  await engine.runCampaign({ seed: seed + 1000, count: 40, batch: 20, gen: {}, kernels: [args.kernel!] });
  const order = rounds > 1 ? [base, next, next, base] : [base, next];
  for (let r = 0; r < rounds; r += 2) {
    for (const col of order) {
      const res: CampaignResult = await engine.runCampaign({ seed, count, batch, gen: col.gen, kernels: [args.kernel!], guided: { share: col.share } }, {
        onProgress: (p) => p.done % (batch * 5) === 0 && say(`  ${col.label}: ${p.done}/${p.total}  ${(p.done / (p.elapsedMs / 1000)).toFixed(1)}/s  rules ${p.coverage.rulesHit}  reason lines ${p.coverage.reasonLines}`),
      });
      col.coverage = res.coverage;
      col.programs += res.total.programs;
      col.seconds += res.elapsedMs / 1000;
      col.divergences = res.total.divergences.length;
      say(`${col.label}: ${res.total.programs} programs in ${(res.elapsedMs / 1000).toFixed(1)} s, ${JSON.stringify(res.coverage)}, divergences ${res.total.divergences.length}`);
    }
  }
  const rate = (c: Column) => c.programs / c.seconds;
  const b = base.coverage!;
  const n = next.coverage!;
  const ratio = (x: number, y: number) => (y > 0 ? x / y : Infinity);
  const rows: Array<[string, string, string, string, string]> = [
    ['', base.label, next.label, 'ratio', 'target'],
    ['distinct kernel reason lines', String(b.reasonLines), String(n.reasonLines), ratio(n.reasonLines, b.reasonLines).toFixed(2), '>= 3'],
    ['model rules hit', `${b.rulesHit}/${b.rulesTotal}`, `${n.rulesHit}/${n.rulesTotal}`, ratio(n.rulesHit, b.rulesHit).toFixed(2), '>= 2'],
    ['distinct model reason lines', String(b.modelReasonLines), String(n.modelReasonLines), ratio(n.modelReasonLines, b.modelReasonLines).toFixed(2), ''],
    ['programs/s', rate(base).toFixed(1), rate(next).toFixed(1), ratio(rate(next), rate(base)).toFixed(2), '>= 0.7'],
    ['divergences', String(base.divergences), String(next.divergences), '', ''],
    ['corpus kept / programs mutated', `${b.corpusSize ?? 0} / ${b.mutated ?? 0}`, `${n.corpusSize ?? 0} / ${n.mutated ?? 0}`, '', ''],
  ];
  const w = [30, 18, 20, 7, 7];
  for (const row of rows) process.stdout.write(row.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd() + '\n');
  if (args.json) {
    process.stdout.write(
      JSON.stringify({
        kernel: args.kernel,
        count,
        seed,
        rounds,
        base: { ...b, programsPerSecond: rate(base) },
        next: { ...n, programsPerSecond: rate(next) },
        ratios: { reasonLines: ratio(n.reasonLines, b.reasonLines), rules: ratio(n.rulesHit, b.rulesHit), programsPerSecond: ratio(rate(next), rate(base)) },
      }) + '\n',
    );
  }
} finally {
  await engine.close();
}
