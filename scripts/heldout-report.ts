// Scores the model on the held-out range-analysis set against real kernels:
//   node --import tsx scripts/heldout-range.ts 600 > corpus/heldout-range/programs.jsonl
//   bpfdiff run corpus/heldout-range/programs.jsonl --kernel 6.12 --kernel 7.2 --kernel 7.3 > real.jsonl
//   node --import tsx scripts/heldout-report.ts real.jsonl 6.12,7.2,7.3 [--details]
// Per kernel: unknown (model under that kernel's profile), verdict agreement (of the answered
// programs both sides judged), identical reason line (of the rejects both agree on), identical
// retval (of the accepts both agree on).
import { readFileSync } from 'node:fs';
import { resolveProfile, verify } from '../core/model/index.ts';
import { parseProgramsJsonl, type Outcome } from '../core/program/index.ts';

const [realFile, kernelList, ...rest] = process.argv.slice(2);
if (!realFile || !kernelList) {
  process.stderr.write('usage: heldout-report.ts REAL.jsonl KERNEL,... [--details]\n');
  process.exit(2);
}
const kernels = kernelList.split(',');
const programs = parseProgramsJsonl(readFileSync(new URL('../corpus/heldout-range/programs.jsonl', import.meta.url), 'utf8'));
const real = readFileSync(realFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Outcome);
if (real.length !== programs.length * kernels.length) throw new Error(`${realFile}: ${real.length} outcomes for ${programs.length} x ${kernels.length}`);
const pct = (a: number, b: number) => `${a}/${b} (${b === 0 ? '-' : ((100 * a) / b).toFixed(1)}%)`;
const details: string[] = [];
process.stdout.write('| kernel | programs | kernel accepts / rejects | model unknown | verdict agreement (answered) | identical reason (agreed rejects) | identical retval (agreed accepts the model can predict) | accepts whose retval depends on never-written stack |\n|---|---|---|---|---|---|---|---|\n');
kernels.forEach((kernel, k) => {
  const profile = resolveProfile(kernel)!;
  let unpredictable = 0, unknown = 0, answered = 0, verdictSame = 0, rejects = 0, reasonSame = 0, accepts = 0, retvalSame = 0, kAcc = 0, kRej = 0, other = 0;
  programs.forEach((p, i) => {
    const r = real[i * kernels.length + k]!;
    if (r.verdict === 'accept') kAcc++;
    else if (r.verdict === 'reject') kRej++;
    else {
      other++;
      details.push(`${kernel} #${i}: kernel ${r.verdict} ${r.message}`);
      return;
    }
    const m = verify(p, profile);
    if (m.verdict === 'unknown') {
      unknown++;
      return;
    }
    answered++;
    if (m.verdict !== r.verdict) {
      details.push(`${kernel} #${i} (${p.meta?.template}): verdict model ${m.verdict} "${m.message}", kernel ${r.verdict} "${r.message}"`);
      return;
    }
    verdictSame++;
    if (r.verdict === 'reject') {
      rejects++;
      if (m.message === r.message) reasonSame++;
      else details.push(`${kernel} #${i} (${p.meta?.template}): reason model "${m.message}", kernel "${r.message}"`);
    } else {
      if (m.unpredictable) {
        unpredictable++;
        return;
      }
      accepts++;
      if (m.retval === r.retval) retvalSame++;
      else details.push(`${kernel} #${i} (${p.meta?.template}): retval model ${m.retval}, kernel ${r.retval}`);
    }
  });
  const judged = programs.length - other;
  process.stdout.write(`| ${kernel} | ${programs.length}${other ? ` (${other} neither accepted nor rejected)` : ''} | ${kAcc} / ${kRej} | ${pct(unknown, judged)} | ${pct(verdictSame, answered)} | ${pct(reasonSame, rejects)} | ${pct(retvalSame, accepts)} | ${unpredictable} |\n`);
});
if (rest.includes('--details')) process.stdout.write(`\n${details.join('\n')}\n`);
