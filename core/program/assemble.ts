// Assembled text → Program, the one way: every caller (`bpfdiff asm`, POST /programs/check, the
// corpus under corpus/, the engine's replay) gets the same defaults and the same validation.
import { assemble } from '../isa/index.ts';
import { ProgramFormatError } from './errors.ts';
import { DEFAULT_INPUT_BYTES } from './schema.ts';
import type { Program, ProgType } from './types.ts';
import { validateProgram } from './validate.ts';

/** Program type when the source does not name one: a classifier runs on a packet like every type we load. */
const DEFAULT_PROG_TYPE: ProgType = 'sched_cls';

interface AsmProgramOptions {
  /** `.type` must be given (the corpus insists, since a test's type decides its outcome) */
  requireType?: boolean;
  /** the type when the source has no `.type` (default sched_cls) */
  progType?: ProgType;
  meta?: Record<string, unknown>;
  /** check the program against the file format (default true); off for the kernel's own tests
   *  and the model's, which load malformed programs on purpose */
  validate?: boolean;
}

/**
 * The validated Program of an assembler source: `.type` defaults to sched_cls, the input to
 * 64 zero bytes. Throws AsmError (with the line) for bad text and ProgramFormatError (with
 * the field) for a program the kernel format does not allow.
 */
export function programFromAsm(source: string, opts: AsmProgramOptions = {}): Program {
  const asm = assemble(source);
  if (!asm.progType && opts.requireType) throw new ProgramFormatError([{ field: 'progType', problem: 'the source has no .type directive' }]);
  const program: Program = {
    progType: asm.progType ?? opts.progType ?? DEFAULT_PROG_TYPE,
    insns: asm.insns,
    funcs: asm.funcs,
    maps: asm.maps,
    input: asm.input ?? new Uint8Array(DEFAULT_INPUT_BYTES),
  };
  // a listing without .func lines: the functions were found from call targets; say how
  const inferred = asm.inferred ? { funcsInferred: Object.fromEntries(asm.inferred.map((f) => [f.name, f.note])) } : {};
  if (opts.meta || asm.inferred) program.meta = { ...inferred, ...opts.meta };
  const issues = opts.validate === false ? [] : validateProgram(program);
  if (issues.length > 0) throw new ProgramFormatError(issues);
  return program;
}
