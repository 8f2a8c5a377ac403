// A problem with a program file, named by the field it sits in, so a user can find it
// without reading our code: `funcs[1].start: 7 is the second slot of an LD_IMM64 at 6`.

export interface ProgramIssue {
  /** path of the offending field: `insns`, `funcs[1].start`, `insns[5]`, `maps[0].keySize` */
  field: string;
  /** what is wrong and what was expected, without the field prefix */
  problem: string;
  /** 1-based line of a `.jsonl` file the program came from */
  line?: number;
}

export function formatIssue(issue: ProgramIssue): string {
  const where = issue.line === undefined ? '' : `line ${issue.line}: `;
  return issue.field === '' ? `${where}${issue.problem}` : `${where}${issue.field}: ${issue.problem}`;
}

/** Thrown by parsing; `issues` holds every problem found, the message names the first. */
export class ProgramFormatError extends Error {
  override name = 'ProgramFormatError';
  readonly field: string;
  readonly line?: number;
  readonly issues: readonly ProgramIssue[];

  constructor(issues: readonly ProgramIssue[]) {
    if (issues.length === 0) throw new RangeError('ProgramFormatError needs at least one issue');
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(formatIssue(first) + more);
    this.field = first.field;
    this.line = first.line;
    this.issues = issues;
  }
}
