// Reading program files for any command: `.jsonl` holds one program per line, `.s` (or `.asm`)
// one program in the assembler syntax (`bpfdiff asm`), anything else one JSON object. Problems
// become UserErrors naming the file, line and field.
import { readFile } from 'node:fs/promises';
import { AsmError } from '../core/isa/index.ts';
import { checkProgramText, formatIssue, programFromAsm, ProgramFormatError, type Program, type ProgramIssue } from '../core/program/index.ts';
import { UserError } from './user-error.ts';

function programFileKind(path: string): 'json' | 'jsonl' | 'asm' {
  if (path.endsWith('.s') || path.endsWith('.asm')) return 'asm';
  return path.endsWith('.jsonl') ? 'jsonl' : 'json';
}

/** The validated Program of an assembler source; `file` only names it in errors (`FILE:LINE: reason`). */
export function assembleProgram(source: string, file: string): Program {
  try {
    return programFromAsm(source);
  } catch (err) {
    if (err instanceof AsmError) throw new UserError(`${file}:${err.line}: ${err.reason}`);
    if (err instanceof ProgramFormatError) throw new UserError(`${file}: ${formatIssue(err.issues[0])}`);
    throw err;
  }
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
  const kind = programFileKind(path);
  const text = await readTextFile(path);
  if (kind !== 'asm') return checkProgramText(text, kind);
  try {
    return { programs: [programFromAsm(text)], issues: [] };
  } catch (err) {
    if (err instanceof AsmError) return { programs: [], issues: [{ field: 'asm', problem: err.reason, line: err.line }] };
    if (err instanceof ProgramFormatError) return { programs: [], issues: [...err.issues] };
    throw err;
  }
}

/** The programs of a file; the first problem, if any, is thrown as a one-line UserError. */
export async function readProgramFile(path: string): Promise<Program[]> {
  if (programFileKind(path) === 'asm') return [assembleProgram(await readTextFile(path), path)];
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
  if (programFileKind(path) !== 'jsonl') return readProgramFile(path);
  const { programs, issues } = await checkProgramFile(path);
  if (issues.length === 0) return programs;
  if (programs.length === 0) throw new UserError(`${path}: ${formatIssue(issues[0])}${issues.length > 1 ? ` (and ${issues.length - 1} more; see bpfdiff validate)` : ''}`);
  const lines = [...new Set(issues.map((i) => i.line))];
  for (const issue of issues) process.stderr.write(`bpfdiff: ${path}: ${formatIssue(issue)}\n`);
  process.stderr.write(`bpfdiff: ${path}: ${lines.length} line${lines.length === 1 ? '' : 's'} skipped, answering the other ${programs.length}\n`);
  process.exitCode = 1;
  return programs;
}
