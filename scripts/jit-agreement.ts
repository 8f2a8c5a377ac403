// Agreement of the JIT model with real images recorded by scripts/record-jit-samples.ts:
// each line's kernel xlated program (or, with --model-xlated, the verifier model's predicted
// one), the function table read from it, the verifier model's stack facts, and the CPU model
// -> predicted image, compared under the mask with the real one.
//   node --import tsx scripts/jit-agreement.ts SAMPLES.jsonl [--model-xlated] [--verbose N]
import { readFileSync } from 'node:fs';
import { cpuModel, funcStartsOf, imageDiff, jitFuncs, jitKernel, jitProgram, JitError } from '../core/jit/index.ts';
import { check, resolveProfile } from '../core/model/index.ts';
import { predictXlated } from '../core/model/fixups/index.ts';
import { rawToHex } from '../core/isa/raw.ts';
import { parseProgram } from '../core/program/index.ts';
import { rawFromHex } from '../core/isa/raw.ts';
import { formatInsn } from '../core/isa/index.ts';

interface Sample { program: unknown; set: string; kernel: string; kernelId: string; cpu?: string; xlated: string; image: string; funcLens: number[] }

const argv = process.argv.slice(2);
const file = argv[0]!;
const modelXlated = argv.includes('--model-xlated');
const verbose = argv.includes('--verbose') ? Number(argv[argv.indexOf('--verbose') + 1] ?? 5) : 0;
let xlatedSame = 0;
const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Sample);
let same = 0, lens = 0, errors = 0, masked = 0, total = 0;
const causes = new Map<string, { n: number; examples: number[] }>();
const bySet = new Map<string, [number, number]>();
const note = (key: string, k: number) => {
  const c = causes.get(key) ?? { n: 0, examples: [] };
  c.n++;
  if (c.examples.length < 3) c.examples.push(k);
  causes.set(key, c);
};
lines.forEach((s, k) => {
  const program = parseProgram(s.program);
  const profile = resolveProfile(s.kernelId)!;
  const checked = check(program, profile, { trace: modelXlated });
  const info = checked.subprogInfo ?? [];
  let xlHex = s.xlated;
  let funcIds: number[] | undefined;
  if (modelXlated) {
    const x = checked.trace ? predictXlated(program, profile.id, checked.trace) : { unknown: 'rejected by the model' };
    if (!('insns' in x)) {
      note(`model xlated unknown: ${x.unknown}`, k);
      return;
    }
    xlHex = rawToHex(x.insns);
    if (xlHex === s.xlated) xlatedSame++;
    funcIds = x.funcIds;
  }
  const xl = rawFromHex(xlHex);
  const starts = funcStartsOf(xl);
  const facts = funcIds ? funcIds.map((f) => info[f]!) : info;
  const set = s.set.startsWith('corpus') ? 'corpus' : s.set;
  const st = bySet.get(set) ?? [0, 0];
  st[1]++;
  bySet.set(set, st);
  try {
    const pred = jitProgram(xl, jitFuncs(starts, facts), cpuModel(s.cpu)!, jitKernel(s.kernelId));
    const d = imageDiff(pred, s.image, s.funcLens);
    total += s.image.length / 2;
    masked += pred.masked.reduce((n, [, l]) => n + l, 0);
    if (d.funcLensEqual) lens++;
    if (d.equal) {
      same++;
      st[0]++;
      return;
    }
    const insn = d.insn === undefined || d.insn < 0 ? undefined : xl[d.insn];
    const key = !d.funcLensEqual && starts.length !== s.funcLens.length ? 'function count' : insn === undefined ? `prologue of func ${d.func === 0 ? 'main' : 'sub'}` : `op 0x${insn.code.toString(16).padStart(2, '0')} ${formatInsn(xl, d.insn!).replace(/-?\d+/g, 'N')}`;
    note(key, k);
  } catch (e) {
    if (!(e instanceof JitError)) throw e;
    errors++;
    note(`error: ${e.reason}`, k);
  }
});
const n = lines.length;
const pct = (a: number) => ((100 * a) / n).toFixed(2);
console.log(`${file}: ${n} accepted programs`);
console.log(`${modelXlated ? `from the MODEL's xlated (equal to the kernel's: ${xlatedSame}/${n}); ` : "from the kernel's xlated; "}image equal outside the mask: ${same}/${n} (${pct(same)}%); funcLens equal: ${lens}/${n} (${pct(lens)}%); model errors: ${errors}; masked bytes ${((100 * masked) / total).toFixed(2)}%`);
for (const [set, [a, b]] of bySet) console.log(`  ${set}: ${a}/${b}`);
console.log('first difference at:');
for (const [key, c] of [...causes].sort((a, b) => b[1].n - a[1].n).slice(0, 20)) console.log(`  ${c.n}\t${key}\t(lines ${c.examples.join(', ')})`);
if (verbose) for (const [, c] of [...causes].sort((a, b) => b[1].n - a[1].n).slice(0, verbose)) console.log(JSON.stringify(lines[c.examples[0]!]));
