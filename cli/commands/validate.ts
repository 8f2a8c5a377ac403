// `bpfdiff validate FILE...`: checks program files against bpfdiff.program/v1 and reports
// every problem with its field, so one run is enough to fix a hand-edited file.
import type { Command } from 'commander';
import { formatIssue } from '../../core/program/index.ts';
import { checkProgramFile } from '../program-file.ts';
import { UserError } from '../user-error.ts';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check program files (.json, or .jsonl with one program per line) against bpfdiff.program/v1')
    .argument('<files...>', 'program files (.json, .jsonl, .s)')
    .addHelpText('after', '\nPrints "FILE: ok" for each good file and "FILE: [line N: ]FIELD: problem" for each\nproblem (on stderr); exits 1 if any file has a problem.\n')
    .action(async (files: string[]) => {
      let bad = 0;
      for (const file of files) {
        let checked: Awaited<ReturnType<typeof checkProgramFile>>;
        try {
          checked = await checkProgramFile(file);
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          bad++;
          process.stderr.write(`${err.message}\n`);
          continue;
        }
        const { programs, issues } = checked;
        if (issues.length === 0) {
          const count = programs.length === 1 ? '' : ` (${programs.length} programs)`;
          process.stdout.write(`${file}: ok${count}\n`);
          continue;
        }
        bad++;
        for (const issue of issues) process.stderr.write(`${file}: ${formatIssue(issue)}\n`);
      }
      if (bad > 0) throw new UserError(`${bad} of ${files.length} file${files.length === 1 ? '' : 's'} failed validation`);
    });
}
