// Reducing a verdict signature: the 7.2.13 stack-liveness rejection the seed-1 campaign meets
// (512 instructions, test/fixtures/stack-liveness-7.2/original.json; `model accepts, kernel
// rejects: ... slot poisoned by dead code elimination`), with at most --checks candidate checks,
// once loading every candidate on the kernel (the baseline) and once with the oracle's model
// pre-check (a candidate the model does not accept cannot show a model-accept divergence, so it
// is not loaded), in one run. Both must reach the same program; the last line is the ratio of
// their wall times.
//
//   node --import tsx bench/reduce-precheck.bench.ts [--kernel 7.2] [--checks 40] [--json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { modelVerify, reduceProgram, signatureOracle } from '../core/diff/index.ts';
import { parseProgram, programToJson, type ProgramJson } from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    checks: { type: 'string', default: '40' },
    json: { type: 'boolean', default: false },
  },
});
const maxChecks = Number(args.checks);
const say = (line: string) => process.stderr.write(`${line}\n`);
const program = parseProgram(JSON.parse(readFileSync(new URL('../test/fixtures/stack-liveness-7.2/original.json', import.meta.url), 'utf8')) as ProgramJson);
const signature = 'verdict-model-accept|reading from stack off -N+N size N, slot poisoned by dead code elimination|-';

interface Half {
  seconds: number;
  checks: number;
  insns: number;
  loaded: number;
  program: string;
}

async function reduction(modelPrecheck: boolean): Promise<Half> {
  const pool = await VmPool.create({ kernel: resolveKernel(args.kernel!, readCatalog()), size: 1, timeoutMs: 30_000 });
  try {
    let loaded = 0;
    const runner = { run: (ps: Parameters<VmPool['run']>[0]) => ((loaded += ps.length), pool.run(ps)) };
    const oracle = signatureOracle(signature, [{ id: args.kernel!, profile: `linux-${args.kernel}` }], { runner, verify: modelVerify() }, { modelPrecheck });
    if (!(await oracle([program]))[0]) throw new Error('the program did not show the signature');
    const started = performance.now();
    const r = await reduceProgram(program, oracle, { maxChecks });
    return { seconds: (performance.now() - started) / 1000, checks: r.checks, insns: r.reducedInsns, loaded, program: JSON.stringify(programToJson(r.program)) };
  } finally {
    await pool.close();
  }
}

say(`bpfdiff reduce benchmark: kernel ${args.kernel}, the stack-liveness rejection (${program.insns.length} insns), at most ${maxChecks} checks, 1 guest, TCG`);
const base = await reduction(false);
say(`every candidate loaded: ${base.seconds.toFixed(1)} s, ${base.checks} checks, ${base.loaded} loads, ${base.insns} insns`);
const pre = await reduction(true);
say(`model pre-check:        ${pre.seconds.toFixed(1)} s, ${pre.checks} checks, ${pre.loaded} loads, ${pre.insns} insns`);
const same = base.program === pre.program && base.checks === pre.checks;
say(same ? 'both runs reached the same program in the same checks' : 'DIFFERENT reductions');
const ratio = base.seconds / pre.seconds;
if (args.json) process.stdout.write(`${JSON.stringify({ baseSeconds: base.seconds, precheckSeconds: pre.seconds, ratio, checks: pre.checks, insns: pre.insns, same })}\n`);
say(`verdict reduction: every candidate loaded ${base.seconds.toFixed(1)} s, model pre-check ${pre.seconds.toFixed(1)} s, ratio ${ratio.toFixed(2)}`);
if (!same) process.exitCode = 1;
