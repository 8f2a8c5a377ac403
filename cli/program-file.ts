// Reading program files for any command: `.jsonl` holds one program per line, anything else
// one JSON object. Problems become UserErrors naming the file, line and field.
import { readFile } from 'node:fs/promises';
import { checkProgramText, formatIssue, type Program, type ProgramIssue } from '../core/program/index.ts';
import { UserError } from './user-error.ts';

function programFileKind(path: string): 'json' | 'jsonl' {
  return path.endsWith('.jsonl') ? 'jsonl' : 'json';
}

export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UserError(`${path}: cannot read (${code})`);
  }
}

/** Every problem in a program file, and the programs that were well formed. */
export async function checkProgramFile(path: string): Promise<{ programs: Program[]; issues: ProgramIssue[] }> {
  return checkProgramText(await readTextFile(path), programFileKind(path));
}

/** The programs of a file; the first problem, if any, is thrown as a one-line UserError. */
export async function readProgramFile(path: string): Promise<Program[]> {
  const { programs, issues } = await checkProgramFile(path);
  if (issues.length > 0) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more; see bpfdiff validate)` : '';
    throw new UserError(`${path}: ${formatIssue(issues[0])}${more}`);
  }
  return programs;
}

/**
 * The programs of a file for commands that answer each program (`model`, `run`): a `.jsonl`
 * line with a problem is reported on stderr (`FILE: line N: field: problem`) and skipped, the
 * others are answered, and the exit status becomes 1; a `.json` file with a problem is an error.
 */
export async function readProgramsToAnswer(path: string): Promise<Program[]> {
  if (programFileKind(path) === 'json') return readProgramFile(path);
  const { programs, issues } = await checkProgramFile(path);
  if (issues.length === 0) return programs;
  if (programs.length === 0) throw new UserError(`${path}: ${formatIssue(issues[0])}${issues.length > 1 ? ` (and ${issues.length - 1} more; see bpfdiff validate)` : ''}`);
  const lines = [...new Set(issues.map((i) => i.line))];
  for (const issue of issues) process.stderr.write(`bpfdiff: ${path}: ${formatIssue(issue)}\n`);
  process.stderr.write(`bpfdiff: ${path}: ${lines.length} line${lines.length === 1 ? '' : 's'} skipped, answering the other ${programs.length}\n`);
  process.exitCode = 1;
  return programs;
}
