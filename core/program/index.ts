// core/program: the Program record, its `bpfdiff.program/v1` JSON and JSONL forms, and validation.
export * from './types.ts';
export {
  PROGRAM_FORMAT,
  ProgramJsonSchema,
  type ProgramJson,
} from './schema.ts';
export { ProgramFormatError, formatIssue, type ProgramIssue } from './errors.ts';
export { validateProgram } from './validate.ts';
export {
  checkProgramJson,
  checkProgramText,
  parseProgram,
  parseProgramJsonText,
  parseProgramsJsonl,
  programToJson,
  programToJsonText,
  programsToJsonl,
} from './json.ts';
export { programFromAsm } from './assemble.ts';
export { parseVerifierLog, btfLogReason, boundVerifierLog } from './verifier-log.ts';
