// Agreement of the model's predicted rewritten program (`xlated`) with the kernel's, on samples
// recorded by scripts/record-jit-samples.ts. Helper call immediates and inlined per-CPU addresses
// are compared masked (kernel addresses). Prints the rate and the most common first differences.
//
//   node --import tsx scripts/xlated-agreement.ts SAMPLES.jsonl [--profile linux-7.2] [--show N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { disassemble, rawFromHex } from '../core/isa/index.ts';
import { resolveProfile, verify } from '../core/model/index.ts';
import { parseProgram } from '../core/program/index.ts';
import { firstXlatedDifference } from '../core/diff/xlated.ts';
import { firstJitDifference } from '../core/diff/jit.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { profile: { type: 'string', default: 'linux-7.2' }, show: { type: 'string', default: '0' }, cpu: { type: 'string' } },
});
const profile = resolveProfile(args.profile);
if (!profile) throw new Error(`unknown profile ${args.profile}`);
let total = 0;
let agree = 0;
let unpredicted = 0;
let notAccepted = 0;
const reasons = new Map<string, number>();
let shown = 0;
let jitCompared = 0;
let imageEqual = 0;
let lensEqual = 0;
let jitUnpredicted = 0;
for (const file of positionals) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const sample = JSON.parse(line) as { program: unknown; xlated: string; set: string; cpu?: string; image: string; funcLens: number[] };
    const program = parseProgram(sample.program);
    total++;
    const model = verify(program, profile, { run: false, jit: args.cpu ?? sample.cpu ?? 'qemu64' });
    if (model.verdict === 'accept') {
      if (!model.jit) jitUnpredicted++;
      else {
        jitCompared++;
        const jd = firstJitDifference(model.jit, { image: sample.image, funcLens: sample.funcLens });
        if (!jd) imageEqual++;
        if (!jd || jd.funcLensEqual) lensEqual++;
      }
    }
    if (model.verdict !== 'accept') {
      notAccepted++;
      continue;
    }
    if (!model.xlated) {
      unpredicted++;
      continue;
    }
    const d = firstXlatedDifference(model.xlated, sample.xlated);
    if (!d) {
      agree++;
      continue;
    }
    const key = `${d.kind}: ${d.model ?? '-'} vs ${d.kernel ?? '-'}`.replace(/[-+]?(0x)?\d+/g, 'N');
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
    if (shown < Number(args.show)) {
      shown++;
      const m = disassemble(rawFromHex(model.xlated)).map((x) => x.text);
      const k = disassemble(rawFromHex(sample.xlated)).map((x) => x.text);
      console.log(`--- ${sample.set} first difference at ${d.index}`);
      for (let i = Math.max(0, d.index - 3); i < Math.min(Math.max(m.length, k.length), d.index + 6); i++) console.log(`${String(i).padStart(4)} ${(m[i] ?? '').padEnd(48)} ${k[i] ?? ''}`);
    }
  }
}
const pct = (n: number) => ((100 * n) / Math.max(1, total - notAccepted)).toFixed(2);
console.log(`${total} samples; model accepts ${total - notAccepted}; xlated equal ${agree} (${pct(agree)}%), different ${total - notAccepted - agree - unpredicted} (${pct(total - notAccepted - agree - unpredicted)}%), not predicted ${unpredicted} (${pct(unpredicted)}%)`);
for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${String(n).padStart(6)}  ${k}`);
console.log(`JIT (model xlated -> model JIT, against the real image): ${jitCompared} predicted, ${jitUnpredicted} not; image equal outside the mask ${imageEqual} (${((100 * imageEqual) / Math.max(1, jitCompared)).toFixed(2)}%), funcLens equal ${lensEqual} (${((100 * lensEqual) / Math.max(1, jitCompared)).toFixed(2)}%)`);
