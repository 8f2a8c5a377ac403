// Agreement of the JIT model with real images: for each program the kernel accepted (and
// JITed), predict the image from the program (as its own xlated when the kernel's xlated
// length equals it) and compare under the mask.
//   node --import tsx scripts/jit-agreement.ts programs.jsonl outcomes.jsonl [cpu]
import { readFileSync } from 'node:fs';
import { cpuModel, imageDiff, jitKernel, jitProgram, JitError } from '../core/jit/index.ts';
import { check, resolveProfile } from '../core/model/index.ts';
import { parseProgramsJsonl, type Outcome } from '../core/program/index.ts';

const programs = parseProgramsJsonl(readFileSync(process.argv[2]!, 'utf8'));
const outcomes = readFileSync(process.argv[3]!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Outcome);
const cpu = cpuModel(process.argv[4])!;
const profile = resolveProfile('7.2')!;
let considered = 0, same = 0, lens = 0, rewritten = 0, errors = 0;
const causes = new Map<string, { n: number; example: string }>();
programs.forEach((p, k) => {
  const o = outcomes[k]!;
  if (o.verdict !== 'accept' || !o.jit?.image) return;
  if (o.xlatedLen !== p.insns.length * 8) {
    rewritten++;
    return;
  }
  considered++;
  const info = check(p, profile).subprogInfo!;
  const funcs = p.funcs.map((f, i) => ({ start: f.start, stackDepth: info[i]!.stackDepth, outStackArgs: info[i]!.stackArgCnt - info[i]!.inStackArgs }));
  try {
    const pred = jitProgram(p.insns, funcs, cpu, jitKernel(o.kernel));
    const d = imageDiff(pred, o.jit.image, o.jit.funcLens ?? []);
    if (d.funcLensEqual) lens++;
    if (d.equal) {
      same++;
      return;
    }
    const insn = d.insn === undefined || d.insn < 0 ? undefined : p.insns[d.insn];
    const key = insn === undefined ? `prologue func${d.func === 0 ? '0' : 'N'}` : `op 0x${insn.code.toString(16)}`;
    const c = causes.get(key) ?? { n: 0, example: `#${k} insn ${d.insn} at byte ${d.firstDiff}` };
    c.n++;
    causes.set(key, c);
  } catch (e) {
    if (!(e instanceof JitError)) throw e;
    errors++;
    const key = `error ${e.reason}`;
    const c = causes.get(key) ?? { n: 0, example: `#${k}` };
    c.n++;
    causes.set(key, c);
  }
});
const pct = (a: number) => (considered ? ((100 * a) / considered).toFixed(2) : '-');
console.log(`programs ${programs.length}, JITed and not rewritten ${considered} (rewritten, skipped: ${rewritten})`);
console.log(`image equal outside mask: ${same}/${considered} (${pct(same)}%), funcLens equal: ${lens}/${considered} (${pct(lens)}%), model errors ${errors}`);
for (const [key, c] of [...causes].sort((a, b) => b[1].n - a[1].n).slice(0, 15)) console.log(`  ${c.n}\t${key}\t(${c.example})`);
