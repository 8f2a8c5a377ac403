// The kernel-selftest conformance table of the README:
//   node --import tsx scripts/selftests-report.ts 7.2,6.12,7.3 [--save real.jsonl | --from real.jsonl] [--details]
// runs every imported test on the real kernels as test_loader.c would (log kept, at the test's
// log level; kernel/selftest-run.ts), runs the model under each kernel's profile, and prints
// per kernel: imported, real kernel matches the annotation, model answers, model agrees with
// the real kernel; then the left-out reasons. `--save` keeps the real outcomes (program-major,
// kernels in the order given) so `--from` can score them again without booting.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolveProfile, verify } from '../core/model/index.ts';
import { parseProgramsJsonl, type Outcome } from '../core/program/index.ts';
import { checkAnnotation, checkModel, expectedOf } from '../core/selftests/score.ts';
import { readCatalog, resolveKernel, runSelftests } from '../kernel/index.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const kernelList = args[0];
if (!kernelList || kernelList.startsWith('--')) {
  process.stderr.write('usage: selftests-report.ts KERNEL,KERNEL,... [--save FILE | --from FILE] [--details]\n');
  process.exit(2);
}
const kernels = kernelList.split(',');
const dir = new URL('../corpus/kernel-selftests/', import.meta.url);
const programs = parseProgramsJsonl(readFileSync(new URL('selftests.jsonl', dir), 'utf8'));
const summary = JSON.parse(readFileSync(new URL('summary.json', dir), 'utf8')) as { leftOutTotal: number; leftOutByReason: Record<string, number> };

let real: Outcome[];
const from = flag('--from');
if (from) {
  real = readFileSync(from, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Outcome);
  if (real.length !== programs.length * kernels.length) throw new Error(`${from}: ${real.length} outcomes for ${programs.length} programs x ${kernels.length} kernels`);
} else {
  const catalog = readCatalog();
  const perKernel = await Promise.all(kernels.map((id) => runSelftests(programs, { kernel: resolveKernel(id, catalog) })));
  real = programs.flatMap((_, i) => perKernel.map((outs) => outs[i]));
  const save = flag('--save');
  if (save) writeFileSync(save, real.map((o) => JSON.stringify(o)).join('\n') + '\n');
}

const pct = (a: number, b: number) => `${a}/${b} (${b === 0 ? '-' : ((100 * a) / b).toFixed(1)}%)`;
const rows: string[] = [];
const details: string[] = [];
kernels.forEach((kernel, k) => {
  const profile = resolveProfile(kernel)!;
  let ran = 0, matches = 0, answered = 0, agrees = 0, retvalSame = 0, accepts = 0, unpredictable = 0;
  programs.forEach((p, i) => {
    const o = real[i * kernels.length + k];
    const expected = expectedOf(p)!;
    const name = `${p.meta?.source}:${p.meta?.name}`;
    if (o.verdict === 'accept' || o.verdict === 'reject') ran++;
    const a = checkAnnotation(expected, o);
    if (a.matches) matches++;
    else details.push(`${kernel} annotation ${name}: ${a.why}`);
    const model = verify(p, profile);
    const c = checkModel(expected, model, o);
    if (c.answered) answered++;
    if (c.agrees) {
      agrees++;
      if (o.verdict === 'accept' && model.unpredictable) unpredictable++;
      else if (o.verdict === 'accept') {
        accepts++;
        if (model.retval === o.retval) retvalSame++;
        else details.push(`${kernel} retval ${name}: model ${model.retval}, kernel ${o.retval}`);
      }
    } else details.push(`${kernel} model ${name}: ${c.why}`);
  });
  rows.push(`| ${kernel} | ${programs.length} | ${pct(matches, ran)} | ${pct(answered, programs.length)} | ${pct(agrees, answered)} | ${pct(retvalSame, accepts)} (${unpredictable} unpredictable) |`);
});
process.stdout.write(`| kernel | imported | real kernel matches the annotation (of those it ran) | model answers | model agrees with the real kernel (of answered) | model retval = kernel (agreeing accepts the model can predict) |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n\n`);
process.stdout.write(`Left out: ${summary.leftOutTotal}: ${Object.entries(summary.leftOutByReason).map(([r, n]) => `${r} ${n}`).join(', ')}\n`);
if (args.includes('--details')) process.stdout.write(`\n${details.join('\n')}\n`);
