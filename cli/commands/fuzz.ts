// `bpfdiff fuzz --kernel 7.2 [--kernel 6.12 ...] --count N --seed S [--out DIR]`: generate
// programs from a seed, run each through the model and the real kernels, diff, and reduce one
// example of every distinct divergence. Ctrl-C stops generating, keeps what is in hand, and
// still writes the findings found so far.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_GEN_OPTIONS, type GenOptions } from '../../core/gen/index.ts';
import { parseProgram, programsToJsonl, type Program } from '../../core/program/index.ts';
import type { CampaignProgress, CampaignResult } from '../../engine/index.ts';
import { openEngine } from '../engine.ts';
import { writeFindings, type SignatureReport } from '../findings.ts';
import { UserError } from '../user-error.ts';
import { collect, integerOption, rateOption } from '../options.ts';
import { DEFAULT_SOUNDNESS_RATE } from '../../engine/index.ts';
import { addGeneratorOptions, featureRatesHelp, generatorOptions, type GeneratorFlags } from '../gen-options.ts';
import { DEFAULT_GUIDED_SHARE, formatCoverage, type CoverageSummary } from '../../core/guided/index.ts';

interface FuzzOptions extends GeneratorFlags {
  kernel: string[];
  count: number;
  seed: number;
  out?: string;
  batch: number;
  pool?: number;
  timeout: number;
  reduce: boolean;
  reduceChecks: number;
  savePrograms?: string;
  accel: 'auto' | 'kvm' | 'tcg';
  cpu?: string;
  snapshots: boolean;
  freshGuestPerBatch?: boolean;
  soundness: boolean;
  soundnessRate: number;
  guided?: boolean;
  guidedShare: number;
  explain: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('fuzz')
    .description('generate stack-argument call graphs, run them on the model and real kernels, and report every divergence with a reduced reproducer')
    .requiredOption('-k, --kernel <id>', 'kernel id (6.12, 7.2, 7.3, or PATH[:PROFILE] of a bzImage); repeatable', collect)
    .option('-n, --count <n>', 'programs to generate', integerOption('--count', 1), 1000)
    .option('-s, --seed <n>', 'generator seed: the same seed and options give the same programs', integerOption('--seed', 0), 1)
    .option('-o, --out <dir>', 'write each distinct divergence here (program, outcomes, reduced form, disassembly)')
    .option('--batch <n>', 'programs per batch sent to the kernels', integerOption('--batch', 1), 100)
    .option('--pool <n>', 'guests per kernel (default: cores / kernels)', integerOption('--pool', 1))
    .option('--timeout <ms>', 'per-program timeout in the guest; one that runs out is tried once more with 6x the timeout before it counts as a hang', integerOption('--timeout', 100), 10_000)
    .option('--no-reduce', 'do not reduce the divergences found')
    .option('--reduce-checks <n>', 'candidate checks per reduction', integerOption('--reduce-checks', 1), 2000)
    .option('--save-programs <file>', 'also write every program the run went through, one bpfdiff.program/v1 per line (with --no-guided, what `bpfdiff gen` writes; guided, the mutants in their places)')
    .option('--accel <accel>', 'auto (KVM only after a probe boot works), kvm or tcg', 'auto')
    .option('--cpu <model>', 'QEMU -cpu model of the guests')
    .option('--no-snapshots', 'boot a crashed, hung or tainted guest again instead of restoring the snapshot of a booted one')
    .option('--fresh-guest-per-batch', 'restore every guest from the booted snapshot before each batch, so no kernel state crosses batches')
    .option('--soundness-rate <r>', 'share of the programs model and kernel accept alike that the soundness oracle loads again at log level 2 and checks against the interpreter (verifier-unsound)', rateOption('--soundness-rate'), DEFAULT_SOUNDNESS_RATE)
    .option('--no-soundness', 'no soundness oracle (same as --soundness-rate 0)')
    .option('--guided', 'coverage guidance (the default): keep the programs that reach a model rule or reason line not seen before, and spend --guided-share of each batch mutating them')
    .option('--no-guided', 'no coverage guidance: every program comes from the generator')
    .option('--guided-share <r>', `share of each batch made by mutating the campaign corpus (default ${DEFAULT_GUIDED_SHARE})`, rateOption('--guided-share'), DEFAULT_GUIDED_SHARE)
    .option('--no-explain', 'do not load verdict and reason divergences again at log level 2 for the instruction where the model and the kernel first disagree');
  addGeneratorOptions(command)
    .addHelpText(
      'after',
      `\nMutation kinds: ${DEFAULT_GEN_OPTIONS.mutations.join(', ')}.\n` +
        featureRatesHelp() +
        'A progress line goes to stderr; the summary table to stdout. Ctrl-C stops cleanly with what it has.\n' +
        'Exit status: 0 when every program agreed, 3 when divergences were found, 130 when interrupted.\n',
    )
    .action(async (opts: FuzzOptions) => {
      const gen = generatorOptions(opts);
      const code = await fuzz(opts, gen);
      process.exitCode = code;
    });
}


async function fuzz(opts: FuzzOptions, gen: Partial<GenOptions>): Promise<number> {
  if (!['auto', 'kvm', 'tcg'].includes(opts.accel)) throw new UserError(`--accel: expected auto, kvm or tcg, got "${opts.accel}"`);
  const abort = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    if (signals > 1) process.exit(130);
    process.stderr.write('\nbpfdiff: interrupted; finishing the batches in hand (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  // `on`, not `once`: execa's exit hook re-raises a signal when it is the only listener left
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const progress = (p: CampaignProgress) => {
    const now = performance.now();
    if (!tty && now - lastLine < 10_000 && p.done < p.total) return;
    lastLine = now;
    const rate = p.done / Math.max(0.001, p.elapsedMs / 1000);
    const line = `fuzz: ${p.done}/${p.total} programs  ${rate.toFixed(1)}/s  divergences ${p.divergences} (${p.signatures} signatures)  ${formatCoverage(p.coverage)}`;
    process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  };

  process.stderr.write(`fuzz: booting ${opts.kernel.join(', ')}\n`);
  const engine = await openEngine(opts.kernel, {
    pool: opts.pool,
    timeoutMs: opts.timeout,
    accel: opts.accel,
    cpuModel: opts.cpu,
    snapshots: opts.snapshots,
    freshGuestPerBatch: opts.freshGuestPerBatch,
    soundnessRate: opts.soundness ? opts.soundnessRate : 0,
    explain: opts.explain,
  });
  try {
    const guided = { share: opts.guided === false ? 0 : opts.guidedShare };
    const result = await engine.runCampaign({ seed: opts.seed, count: opts.count, batch: opts.batch, gen, kernels: opts.kernel, guided, keepPrograms: opts.savePrograms !== undefined }, { signal: abort.signal, onProgress: progress });
    if (tty) process.stderr.write('\n');
    if (opts.savePrograms) await savePrograms(opts.savePrograms, result.programs ?? []);
    const reports: SignatureReport[] = [];
    if (opts.reduce && !abort.signal.aborted) {
      for (const [i, s] of result.signatures.entries()) {
        if (abort.signal.aborted) break;
        process.stderr.write(`reduce ${i + 1}/${result.signatures.length}: ${s.signature}\n`);
        reports.push({ summary: s, reduced: await engine.reduce(s.example, { maxChecks: opts.reduceChecks, signal: abort.signal }) });
      }
    }
    // signatures not reduced (no --reduce, or Ctrl-C) are still written, unreduced
    for (const s of result.signatures.slice(reports.length)) reports.push({ summary: s });
    const unames = await engine.unames();
    printSummary(result, reports, unames, await engine.restarts());
    if (opts.out) {
      await writeFindings(opts.out, reports, {
        seed: opts.seed,
        count: opts.count,
        generator: gen,
        kernels: unames,
        programs: result.total.programs,
        agreed: result.total.agreed,
        byClass: result.total.byClass,
        expectedCrossKernel: result.total.expectedCrossKernel,
        // what the soundness oracle checked: level-2 loads, register values, runs compared to their end
        ...(result.total.soundness
          ? { soundness: { ...result.total.soundness, hostMs: Math.round(result.total.soundness.hostMs), kernelMs: Math.round(result.total.soundness.kernelMs) } }
          : {}),
        elapsedMs: Math.round(result.elapsedMs),
        interrupted: result.interrupted,
        guidedShare: guided.share,
        coverage: result.coverage,
      });
      process.stderr.write(`fuzz: ${reports.length} finding(s) written to ${opts.out}\n`);
    }
    if (abort.signal.aborted) return 130;
    return result.total.divergences.length > 0 ? 3 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
}

/** The programs a run went through, in campaign order (generated ones and, guided, the mutants). */
async function savePrograms(file: string, programs: readonly Program[]): Promise<void> {
  try {
    await writeFile(file, programsToJsonl(programs));
  } catch (err) {
    throw new UserError(`--save-programs ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  process.stderr.write(`fuzz: ${programs.length} programs written to ${file}\n`);
}

function printSummary(result: CampaignResult, findings: SignatureReport[], unames: Record<string, string>, restarts: number): void {
  const t = result.total;
  const secs = result.elapsedMs / 1000;
  const lines: string[] = [];
  lines.push(`kernels: ${Object.entries(unames).map(([id, u]) => `${id} (${u})`).join(', ')}`);
  lines.push(
    `programs: ${t.programs}${result.interrupted ? ' (interrupted)' : ''}  agreed: ${t.agreed}  with divergences: ${t.programs - t.agreed}  ` +
      `expected cross-kernel differences: ${t.expectedCrossKernel}  guest restarts: ${restarts}`,
  );
  lines.push(
    `time: ${secs.toFixed(1)} s  ${(t.programs / Math.max(0.001, secs)).toFixed(1)} programs/s  model: ${(t.timing.modelMs / 1000).toFixed(1)} s (${((100 * t.timing.modelMs) / Math.max(1, result.elapsedMs)).toFixed(0)}% of wall time)`,
  );
  if (t.soundness) {
    const s = t.soundness;
    lines.push(
      `soundness: ${s.programs} loads at log level 2 checked (${s.complete} followed to the end of the run, past pruning points into the walks that covered them), ` +
        `${s.values} register values against the kernel's beliefs; host ${(s.hostMs / 1000).toFixed(1)} s`,
    );
  }
  lines.push(coverageLine(result.coverage));
  const classes = Object.entries(t.byClass).filter(([, n]) => n > 0);
  lines.push('', 'class                   divergences');
  if (classes.length === 0) lines.push('(none)');
  for (const [c, n] of classes) lines.push(`${c.padEnd(24)}${n}`);
  if (findings.length) {
    lines.push('', 'count  class                 kernels      insns        signature');
    for (const f of findings) {
      const s = f.summary;
      const insns = f.reduced ? `${f.reduced.originalInsns}->${f.reduced.reducedInsns}` : `${parseProgram(s.example.program).insns.length}`;
      lines.push(`${String(s.count).padStart(5)}  ${s.class.padEnd(22)}${s.kernels.join(',').padEnd(13)}${insns.padEnd(13)}${s.signature}`);
      // verdict and reason divergences: where the model's beliefs and the kernel's part ways (the reduced program's when reduced)
      const where = f.reduced?.firstDisagreement ?? s.example.firstDisagreement;
      if (where) lines.push(`${' '.repeat(7)}${f.reduced?.firstDisagreement ? 'reduced: ' : ''}${where.text}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}


/** `coverage: model rules 123/456 (27%)  reason lines 31 (model 29)  corpus 40, 300 programs mutated` */
function coverageLine(c: CoverageSummary): string {
  const guided = c.mutated ? `  corpus ${c.corpusSize ?? 0}, ${c.mutated} programs mutated` : '  (unguided)';
  return `coverage: model ${formatCoverage(c)} (model ${c.modelReasonLines})${guided}`;
}
