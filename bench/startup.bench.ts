// CLI start-up: the whole `bpfdiff asm` process on a two-line file against `node -e 0`, run in
// turn (A B A B ...) so the ratio is taken pair by pair in the same run; medians of the
// ratios. Also the first run after a source change, which compiles the cache (once).
// Target: under 5x `node -e 0`.
//
//   node --import tsx bench/startup.bench.ts [--runs 9] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error plain JavaScript without type declarations
import { compile } from '../bin/cli-cache.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '9' }, json: { type: 'boolean', default: false } } });
const runs = Number(args.runs);
const say = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-startup-'));
const file = join(dir, 'two.s');
writeFileSync(file, 'r0 = 42\nexit\n');
const bin = new URL('../bin/bpfdiff.js', import.meta.url).pathname;

function timed(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

try {
  const compileStart = performance.now();
  await compile();
  const compileMs = performance.now() - compileStart;
  timed([bin, 'asm', file]); // warm-up, uncounted
  timed(['-e', '0']);
  const cli: number[] = [];
  const tsx: number[] = [];
  const node: number[] = [];
  const ratios: number[] = [];
  const tsxRatios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = timed([bin, 'asm', file]);
    const b = timed(['-e', '0']);
    const c = timed([bin, 'asm', file], { ...process.env, BPFDIFF_NO_CACHE: '1' });
    cli.push(a);
    node.push(b);
    tsx.push(c);
    ratios.push(a / b);
    tsxRatios.push(c / b);
  }
  const r = median(ratios);
  say(`node -e 0:                 median ${median(node).toFixed(0)} ms`);
  say(`bpfdiff asm (compiled):    median ${median(cli).toFixed(0)} ms, ratio ${r.toFixed(2)}x node -e 0 (target < 5x: ${r < 5 ? 'met' : 'NOT met'})`);
  say(`bpfdiff asm (tsx, before): median ${median(tsx).toFixed(0)} ms, ratio ${median(tsxRatios).toFixed(2)}x node -e 0`);
  say(`compiling the cache after a change: ${compileMs.toFixed(0)} ms, once`);
  if (args.json) process.stdout.write(`${JSON.stringify({ runs, node: median(node), cli: median(cli), tsx: median(tsx), ratio: r, tsxRatio: median(tsxRatios), compileMs })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
