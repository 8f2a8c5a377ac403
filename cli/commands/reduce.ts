// `bpfdiff reduce PROGRAM.json --kernel ID`: run one program on the model and the kernels, pick
// a divergence it shows (the first, or the one named by --signature), and shrink the program
// by delta debugging while that divergence still shows on the real kernels.
import type { Command } from 'commander';
import { aggregateDivergences } from '../../core/diff/index.ts';
import { parseProgram, programToJsonText } from '../../core/program/index.ts';
import { openEngine } from '../engine.ts';
import { reductionRatio, writeFindings } from '../findings.ts';
import { readProgramFile } from '../program-file.ts';
import { UserError } from '../user-error.ts';
import { writeFile } from 'node:fs/promises';
import { programListing } from './disasm.ts';
import { collect, positiveInt } from '../options.ts';

interface ReduceCliOptions {
  kernel: string[];
  signature?: string;
  output?: string;
  out?: string;
  maxChecks: number;
  pool?: number;
  timeout: number;
}


export function register(program: Command): void {
  program
    .command('reduce')
    .description('shrink a diverging program while its divergence still shows on the real kernels')
    .argument('<file>', 'one program (.json or .s assembler source)')
    .requiredOption('-k, --kernel <id>', 'kernel id (6.12, 7.2, 7.3, or PATH[:PROFILE]); repeatable', collect)
    .option('--signature <sig>', 'the divergence to keep (default: the first the program shows)')
    .option('-o, --output <file>', 'write the reduced program here (default: stdout)')
    .option('--out <dir>', 'also write the finding as `bpfdiff fuzz --out` does')
    .option('--max-checks <n>', 'candidate checks at most', positiveInt('--max-checks'), 4000)
    .option('--pool <n>', 'guests per kernel', positiveInt('--pool'))
    .option('--timeout <ms>', 'per-program timeout in the guest; one that runs out is tried once more with 6x the timeout before it counts as a hang', positiveInt('--timeout'), 10_000)
    .addHelpText('after', '\nThe reduced program goes to stdout (or -o) as bpfdiff.program/v1 JSON; its listing and the\nreduction ratio go to stderr. Exit status 1 when the program shows no divergence.\n')
    .action(async (file: string, opts: ReduceCliOptions) => {
      const programs = await readProgramFile(file);
      if (programs.length !== 1) throw new UserError(`${file}: expected one program, got ${programs.length}`);
      const engine = await openEngine(opts.kernel, { pool: opts.pool ?? 1, timeoutMs: opts.timeout });
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.on('SIGINT', onSignal);
      try {
        const first = await engine.runBatch(programs, opts.kernel);
        const summaries = aggregateDivergences(first.divergences);
        if (summaries.length === 0) throw new UserError(`${file}: the model and ${opts.kernel.join(', ')} agree on this program; nothing to reduce`);
        const summary = opts.signature ? summaries.find((s) => s.signature === opts.signature) : summaries[0];
        if (!summary) throw new UserError(`--signature: the program does not show "${opts.signature}"; it shows ${summaries.map((s) => `"${s.signature}"`).join(', ')}`);
        process.stderr.write(`reduce: ${summary.signature}\n`);
        if (summary.example.firstDisagreement) process.stderr.write(`reduce: ${summary.example.firstDisagreement.text}\n`);
        const r = await engine.reduce(summary.example, {
          maxChecks: opts.maxChecks,
          signal: abort.signal,
          onProgress: (p) => process.stderr.write(`  ${p.insns} insns after ${p.checks} checks: ${p.step}\n`),
        });
        if (!r) throw new UserError(`${file}: "${summary.signature}" did not show again on ${opts.kernel.join(', ')}; nothing to reduce`);
        const reduced = parseProgram(r.program);
        process.stderr.write(`${programListing(reduced).join('\n')}\n`);
        process.stderr.write(`reduce: ${r.originalInsns} -> ${r.reducedInsns} insns (ratio ${reductionRatio(r).toFixed(1)}) in ${r.checks} checks\n`);
        if (r.firstDisagreement) process.stderr.write(`reduce: reduced program: ${r.firstDisagreement.text}\n`);
        const text = programToJsonText(reduced) + '\n';
        if (opts.output) await writeFile(opts.output, text);
        else process.stdout.write(text);
        if (opts.out) await writeFindings(opts.out, [{ summary, reduced: r }], { source: file, kernels: await engine.unames() });
      } finally {
        process.off('SIGINT', onSignal);
        await engine.close();
      }
    });
}
