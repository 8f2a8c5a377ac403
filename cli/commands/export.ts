// `bpfdiff export --selftest FILE|ID`: a reproducer as a kernel selftest in the style of
// tools/testing/selftests/bpf/progs/verifier_*.c. For a program file the annotation comes from
// running it on the real kernel (--kernel, QEMU); for a stored finding (its id, from the API)
// from the outcomes recorded for it, and a commit message skeleton comes with it.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { selftestFor, selftestName, NoExpectationError, type SelftestExport } from '../../core/selftests/finding.ts';
import { SelftestExportError } from '../../core/selftests/export.ts';
import type { Engine } from '../../engine/index.ts';
import { openEngine } from '../engine.ts';
import { readProgramFile } from '../program-file.ts';
import { UserError } from '../user-error.ts';

interface ExportOptions {
  selftest?: boolean;
  kernel: string;
  api: string;
  out?: string;
  commitMessage?: string;
  timeout: number;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write a reproducer as a kernel selftest (progs/verifier_*.c style: naked function, inline asm, __description, __success/__failure, __msg, __retval)')
    .argument('<file-or-id>', 'a program file (.json, .jsonl with one program, or .s assembler source), or the id of a stored finding')
    .option('--selftest', 'the selftest form (the only form so far)')
    .option('-k, --kernel <id>', 'for a file: the kernel whose outcome the annotation states', '7.2')
    .option('--api <url>', 'for an id: the bpfdiff API (default $BPFDIFF_API_URL or http://127.0.0.1:8377)', process.env.BPFDIFF_API_URL ?? 'http://127.0.0.1:8377')
    .option('-o, --out <file>', 'write the selftest to FILE instead of stdout')
    .option('--commit-message <file>', 'for a finding: write the commit message skeleton to FILE (default: stderr)')
    .option('--timeout <ms>', 'for a file: per-program timeout in the guest', (v) => Number(v), 30_000)
    .addHelpText('after', [
      '',
      'The annotation is the real kernel\'s outcome: __failure __msg("<reason line>") or __success __retval(N).',
      'Where the kernel crashed or hung, it is what a fixed kernel does as bpfdiff\'s model predicts it,',
      'and a comment names the crash. The test goes into tools/testing/selftests/bpf/progs/verifier_stack_arg.c',
      '(or a new verifier_*.c, added to prog_tests/verifier.c).',
    ].join('\n'))
    .action(async (target: string, opts: ExportOptions) => {
      if (!opts.selftest) throw new UserError('export: say which form: --selftest');
      const result = existsSync(target) ? await fromFile(target, opts) : await fromFinding(target, opts);
      if (opts.out) await writeFile(opts.out, result.selftest);
      else process.stdout.write(result.selftest);
      if (result.commitMessage) {
        if (opts.commitMessage) await writeFile(opts.commitMessage, result.commitMessage);
        else process.stderr.write(`\n--- commit message skeleton ---\n${result.commitMessage}`);
      }
    });
}

async function fromFile(file: string, opts: ExportOptions): Promise<SelftestExport> {
  const programs = await readProgramFile(file);
  if (programs.length !== 1) throw new UserError(`${file}: holds ${programs.length} programs; export takes a file with one`);
  let engine: Engine | undefined;
  try {
    engine = await openEngine([opts.kernel], { pool: 1, timeoutMs: opts.timeout });
    const { [opts.kernel]: actual } = await engine.kernelOutcomes(programs[0], [opts.kernel]);
    const model = engine.modelOutcome(programs[0], opts.kernel);
    return selftestFor({ program: programs[0], actual, model, kernelId: opts.kernel, name: selftestName(file) });
  } catch (err) {
    if (err instanceof NoExpectationError || err instanceof SelftestExportError) throw new UserError(`${file}: ${err.message}`);
    throw err;
  } finally {
    await engine?.close();
  }
}

async function fromFinding(id: string, opts: ExportOptions): Promise<SelftestExport> {
  if (!/^[0-9a-f]{6,64}$/.test(id)) throw new UserError(`${id}: neither a program file nor a finding id (hex, as in the dashboard's #/finding/ID)`);
  const url = `${opts.api.replace(/\/$/, '')}/divergences/${id}/selftest`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new UserError(`--api: cannot reach ${opts.api} (${(err as Error).cause ?? (err as Error).message}); is \`bpfdiff start\` running?`);
  }
  const body = (await res.json().catch(() => ({}))) as SelftestExport & { message?: string };
  if (!res.ok) throw new UserError(`${id}: ${body.message ?? `HTTP ${res.status}`}`);
  return body;
}
