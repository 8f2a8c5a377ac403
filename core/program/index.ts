// core/program: the Program record, its `bpfdiff.program/v1` JSON and JSONL forms, and validation.
export * from './types.ts';
export {
  PROGRAM_FORMAT,
  MAX_INSNS,
  MAX_FUNC_ARGS,
  MAX_MAPS,
  MIN_INPUT_BYTES,
  MAX_INPUT_BYTES,
  DEFAULT_INPUT_BYTES,
  ProgramJsonSchema,
  FuncDeclSchema,
  MapDeclSchema,
  type ProgramJson,
  type FuncDeclJson,
  type MapDeclJson,
} from './schema.ts';
export { ProgramFormatError, formatIssue, type ProgramIssue } from './errors.ts';
export { validateProgram, secondSlotsOfLdImm64 } from './validate.ts';
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
export { programFromAsm, DEFAULT_PROG_TYPE, type AsmProgramOptions } from './assemble.ts';
export { parseVerifierLog, btfLogReason, boundVerifierLog, LOG_KEEP_BYTES, type VerifierLogFacts } from './verifier-log.ts';
