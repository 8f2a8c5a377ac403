// `bpfdiff asm FILE.s`: assembles text in the kernel's verifier-log syntax (plus labels,
// `call NAME` and `.func` directives) into a validated bpfdiff.program/v1 file.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { assemble, AsmError } from '../../core/isa/index.ts';
import {
  DEFAULT_INPUT_BYTES,
  formatIssue,
  programsToJsonl,
  programToJsonText,
  validateProgram,
  type Program,
} from '../../core/program/index.ts';
import { readTextFile } from '../program-file.ts';
import { UserError } from '../user-error.ts';

/** Program type when the source does not name one: a classifier runs on a packet like every type we load. */
export const DEFAULT_PROG_TYPE = 'sched_cls';

/** The validated Program of an assembler source; `file` only names it in errors. */
export function assembleProgram(source: string, file: string): Program {
  let asm: ReturnType<typeof assemble>;
  try {
    asm = assemble(source);
  } catch (err) {
    if (err instanceof AsmError) throw new UserError(`${file}:${err.line}: ${err.reason}`);
    throw err;
  }
  const program: Program = {
    progType: asm.progType ?? DEFAULT_PROG_TYPE,
    insns: asm.insns,
    funcs: asm.funcs,
    maps: asm.maps,
    input: asm.input ?? new Uint8Array(DEFAULT_INPUT_BYTES),
  };
  // a listing without .func lines: the functions were found from call targets; say how
  if (asm.inferred) program.meta = { funcsInferred: Object.fromEntries(asm.inferred.map((f) => [f.name, f.note])) };
  const issues = validateProgram(program);
  if (issues.length > 0) throw new UserError(`${file}: ${formatIssue(issues[0])}`);
  return program;
}

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
