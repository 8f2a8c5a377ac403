// `bpfdiff asm FILE.s`: assembles text in the kernel's verifier-log syntax (plus labels,
// `call NAME` and `.func` directives) into a validated bpfdiff.program/v1 file.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { programsToJsonl, programToJsonText } from '../../core/program/index.ts';
import { assembleProgram, readTextFile } from '../program-file.ts';
import { UserError } from '../user-error.ts';

export function register(program: Command): void {
  program
    .command('asm')
    .description('assemble a program written in the kernel verifier-log syntax into bpfdiff.program/v1 JSON')
    .argument('<file>', 'assembler source (.s)')
    .option('-o, --output <file>', 'write the program here (one line if it ends in .jsonl) instead of stdout')
    .addHelpText('after', '\nSee "Writing a program by hand" in README.md for the syntax.\n')
    .action(async (file: string, opts: { output?: string }) => {
      const assembled = assembleProgram(await readTextFile(file), file);
      if (opts.output === undefined) {
        process.stdout.write(programToJsonText(assembled));
        return;
      }
      const text = opts.output.endsWith('.jsonl') ? programsToJsonl([assembled]) : programToJsonText(assembled);
      try {
        await writeFile(opts.output, text);
      } catch (err) {
        throw new UserError(`${opts.output}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    });
}
