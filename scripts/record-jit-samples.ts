// Records real (xlated, JIT image, funcLens) triples: runs generated programs (several seeds and
// generator settings) and the corpus on one real kernel under one QEMU CPU model, and writes one
// JSON line per accepted program. The JIT model (core/jit) and the xlated model are measured
// against these files.
//
//   node --import tsx scripts/record-jit-samples.ts --kernel 7.2 [--cpu Haswell] --out FILE
//        [--per-set 400] [--no-corpus] [--pool 1] [--file PROGRAMS.jsonl]
//
// Line: {"program": bpfdiff.program/v1, "set": "gen:<name>:<seed>" | "corpus:<file>" | "file",
//        "kernel": uname -r, "kernelId", "cpu", "retval", "xlated": hex, "image": hex, "funcLens": [..]}
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePrograms, type GenOptions } from '../core/gen/index.ts';
import { programToJson, parseProgramsJsonl, type Program } from '../core/program/index.ts';
import { corpusProgram } from '../core/program/corpus.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

const { values: args } = parseArgs({
  options: {
    kernel: { type: 'string', default: '7.2' },
    cpu: { type: 'string' },
    out: { type: 'string' },
    'per-set': { type: 'string', default: '400' },
    'no-corpus': { type: 'boolean', default: false },
    pool: { type: 'string', default: '1' },
    file: { type: 'string' },
    timeout: { type: 'string', default: '20000' },
  },
});
const outPath = args.out ?? '';
if (!outPath) throw new Error('--out FILE is required');

// Generator settings that reach different JIT paths: plain call graphs, every program type,
// pointer arguments, loops and atomics, helper calls, long bodies with branches.
const GEN_SETS: Array<{ name: string; seed: number; gen: Partial<GenOptions> }> = [
  { name: 'default', seed: 101, gen: { mutationRate: 0 } },
  { name: 'mutated', seed: 102, gen: {} },
  { name: 'xdp', seed: 103, gen: { mutationRate: 0, progType: 'xdp' } },
  { name: 'socket_filter', seed: 104, gen: { mutationRate: 0, progType: 'socket_filter' } },
  { name: 'pointers-loops', seed: 105, gen: { mutationRate: 0, pointerArgRate: 0.5, loopRate: 0.2, atomicRate: 0.2 } },
  { name: 'helpers-branches', seed: 106, gen: { mutationRate: 0, helperCallRate: 0.3, branchRate: 0.35, helpers: [5, 7, 8, 42], bodySize: [4, 14] } },
  { name: 'small', seed: 107, gen: { mutationRate: 0, funcs: [1, 3], bodySize: [1, 5] } },
];

// crash the 7.2 guest (corpus/regressions README): no JIT image to record
const SKIP_CORPUS = new Set(['stack_arg_unreliable_btf_second_caller.s']);

function corpusPrograms(): Array<{ set: string; program: Program }> {
  const out: Array<{ set: string; program: Program }> = [];
  for (const dir of ['corpus/part2', 'corpus/selftests', 'corpus/regressions']) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.s') && !SKIP_CORPUS.has(n));
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      try {
        out.push({ set: `corpus:${dir}/${n}`, program: corpusProgram(n, readFileSync(join(dir, n), 'utf8')) });
      } catch (err) {
        process.stderr.write(`skip ${dir}/${n}: ${(err as Error).message}\n`);
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const perSet = Number(args['per-set']);
  const work: Array<{ set: string; program: Program }> = [];
  if (args.file) for (const p of parseProgramsJsonl(readFileSync(args.file, 'utf8'))) work.push({ set: 'file', program: p });
  else {
    for (const s of GEN_SETS) for (const p of generatePrograms(s.seed, perSet, s.gen)) work.push({ set: `gen:${s.name}:${s.seed}`, program: p });
    if (!args['no-corpus']) work.push(...corpusPrograms());
  }
  const kernel = resolveKernel(args.kernel, readCatalog());
  const pool = await VmPool.create({ kernel, size: Number(args.pool), timeoutMs: Number(args.timeout), slowTimeoutMs: Number(args.timeout), cpuModel: args.cpu });
  const out = createWriteStream(outPath);
  let accepted = 0;
  let done = 0;
  const started = Date.now();
  try {
    await pool.run(
      work.map((w) => w.program),
      {
        onOutcome: (i, o) => {
          done++;
          if (done % 100 === 0) process.stderr.write(`${done}/${work.length} done, ${accepted} accepted, ${(done / ((Date.now() - started) / 1000)).toFixed(1)}/s\n`);
          if (o.verdict !== 'accept' || !o.jit?.image || !o.xlated) return;
          accepted++;
          const line = {
            program: programToJson(work[i].program),
            set: work[i].set,
            kernel: o.kernel,
            kernelId: args.kernel,
            cpu: o.cpu,
            retval: o.retval,
            xlated: o.xlated,
            image: o.jit.image,
            funcLens: o.jit.funcLens,
          };
          out.write(`${JSON.stringify(line)}\n`);
        },
      },
    );
  } finally {
    await pool.close();
    await new Promise<void>((r) => out.end(r));
  }
  process.stderr.write(`${work.length} programs, ${accepted} accepted, written to ${args.out} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

await main();
