// Reading and writing `bpfdiff.program/v1`: one JSON object per file, or one per line of a
// `.jsonl` file. Parsing rejects rather than guesses: unknown fields, odd hex, or a function
// table that does not fit the instructions are errors that name the field.
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import { rawFromHex, rawToHex } from '../isa/raw.ts';
import { withArgTypes } from '../isa/ir.ts';
import { ProgramFormatError, type ProgramIssue } from './errors.ts';
import { DEFAULT_INPUT_BYTES, PROGRAM_FORMAT, ProgramJsonSchema, type ProgramJson } from './schema.ts';
import type { Program } from './types.ts';
import { validateProgram } from './validate.ts';

/** Every problem with a parsed JSON value, or the Program it describes. */
export function checkProgramJson(json: unknown): { program?: Program; issues: ProgramIssue[] } {
  const schemaIssues = schemaProblems(json);
  const lengthIssues = hexLengthProblems(json);
  if (schemaIssues.length > 0 || lengthIssues.length > 0) return { issues: sortByField([...schemaIssues, ...lengthIssues]) };
  const doc = json as ProgramJson;
  const program: Program = {
    progType: doc.progType,
    insns: rawFromHex(doc.insns),
    funcs: doc.funcs.map((f) => withArgTypes({ name: f.name, start: f.start, args: f.args, linkage: f.linkage }, f.argTypes)),
    maps: (doc.maps ?? []).map((m) => ({ ...m })),
    input: doc.input === undefined ? new Uint8Array(DEFAULT_INPUT_BYTES) : new Uint8Array(Buffer.from(doc.input, 'hex')),
  };
  if (doc.meta !== undefined) program.meta = structuredClone(doc.meta);
  const issues = validateProgram(program);
  return issues.length > 0 ? { issues } : { program, issues };
}

export function parseProgram(json: unknown): Program {
  const { program, issues } = checkProgramJson(json);
  if (program === undefined) throw new ProgramFormatError(issues);
  return program;
}

/** The JSON object of a Program; `maps` and `input` are left out when they hold the defaults. */
export function programToJson(program: Program): ProgramJson {
  const json: ProgramJson = {
    format: PROGRAM_FORMAT,
    progType: program.progType,
    insns: rawToHex(program.insns),
    funcs: program.funcs.map((f) => withArgTypes({ name: f.name, start: f.start, args: f.args, linkage: f.linkage }, f.argTypes)),
  };
  if (program.maps.length > 0) json.maps = program.maps.map((m) => ({ ...m }));
  if (!isDefaultInput(program.input)) json.input = Buffer.from(program.input).toString('hex');
  if (program.meta !== undefined) json.meta = structuredClone(program.meta);
  return json;
}

function isDefaultInput(input: Uint8Array): boolean {
  return input.length === DEFAULT_INPUT_BYTES && input.every((b) => b === 0);
}

// ---- text forms -------------------------------------------------------------------------

/** One program from the text of a `.json` file. */
export function parseProgramJsonText(text: string): Program {
  const { programs, issues } = checkProgramText(text, 'json');
  if (issues.length > 0) throw new ProgramFormatError(issues);
  return programs[0];
}

/** Programs from the text of a `.jsonl` file, one per non-blank line. */
export function parseProgramsJsonl(text: string): Program[] {
  const { programs, issues } = checkProgramText(text, 'jsonl');
  if (issues.length > 0) throw new ProgramFormatError(issues);
  return programs;
}

/** A `.json` file: one field per line, and one line per function or map so a diff of two
 *  files shows which entry changed. */
export function programToJsonText(program: Program): string {
  const fields = Object.entries(programToJson(program)).map(([key, value]) => {
    const name = JSON.stringify(key);
    if (!Array.isArray(value)) return `  ${name}: ${JSON.stringify(value)}`;
    return `  ${name}: [\n${value.map((entry) => `    ${JSON.stringify(entry)}`).join(',\n')}\n  ]`;
  });
  return `{\n${fields.join(',\n')}\n}\n`;
}

export function programsToJsonl(programs: readonly Program[]): string {
  return programs.map((p) => `${JSON.stringify(programToJson(p))}\n`).join('');
}

/** Every problem in a `.json` or `.jsonl` text (issues from a JSONL line carry its number),
 *  and the programs that were well formed. */
export function checkProgramText(text: string, kind: 'json' | 'jsonl'): { programs: Program[]; issues: ProgramIssue[] } {
  const programs: Program[] = [];
  const issues: ProgramIssue[] = [];
  const docs: Array<{ text: string; line?: number }> =
    kind === 'json'
      ? [{ text }]
      : text
          .split('\n')
          .map((line, i) => ({ text: line, line: i + 1 }))
          .filter((d) => d.text.trim() !== '');
  if (docs.length === 0 || (kind === 'json' && text.trim() === '')) {
    issues.push({ field: '', problem: `no program, expected ${kind === 'json' ? 'a JSON object' : 'one JSON object per line'}` });
    return { programs, issues };
  }
  for (const doc of docs) {
    let json: unknown;
    try {
      json = JSON.parse(doc.text);
    } catch (err) {
      issues.push({ field: '', problem: `not valid JSON (${(err as Error).message})`, line: doc.line });
      continue;
    }
    const checked = checkProgramJson(json);
    if (checked.program !== undefined) programs.push(checked.program);
    for (const issue of checked.issues) issues.push(doc.line === undefined ? issue : { ...issue, line: doc.line });
  }
  return { programs, issues };
}

// ---- schema errors in our words ---------------------------------------------------------

function schemaProblems(json: unknown): ProgramIssue[] {
  const seen = new Set<string>();
  const issues: ProgramIssue[] = [];
  for (const error of Value.Errors(ProgramJsonSchema, json)) {
    // one problem per field: a missing field also fails its type check, for instance
    if (seen.has(error.path)) continue;
    seen.add(error.path);
    issues.push({ field: fieldOfPointer(error.path), problem: describeError(error) });
  }
  return issues;
}

/** Issues in the order their fields appear in the format, not the checkers' visiting order. */
function sortByField(issues: ProgramIssue[]): ProgramIssue[] {
  const order = Object.keys(ProgramJsonSchema.properties);
  const rank = (field: string) => {
    const at = order.indexOf(field.split(/[.[]/)[0]);
    return at < 0 ? order.length : at;
  };
  return issues.sort((a, b) => rank(a.field) - rank(b.field));
}

/** `/funcs/1/start` → `funcs[1].start` */
function fieldOfPointer(pointer: string): string {
  let field = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    field += /^\d+$/.test(part) ? `[${part}]` : field === '' ? part : `.${part}`;
  }
  return field;
}

function describeError(error: ValueError): string {
  const { value, schema } = error;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `missing, expected ${expectation(schema)}`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `unknown field, expected only ${Object.keys(schema.properties as object).join(', ')}`;
    case ValueErrorType.StringPattern:
      return hexProblem(error) ?? `${JSON.stringify(value)} is not ${expectation(schema)}`;
    case ValueErrorType.Union:
      return typeof value === 'string'
        ? `unknown ${JSON.stringify(value)}, expected ${expectation(schema)}`
        : `expected ${expectation(schema)}, got ${kindOf(value)}`;
    case ValueErrorType.ArrayMinItems:
      return error.path === '/funcs' ? 'empty, expected at least the main function at start 0' : `empty, expected ${expectation(schema)}`;
    case ValueErrorType.ArrayMaxItems:
      return `${(value as unknown[]).length} entries, at most ${schema.maxItems}`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
      return `expected ${expectation(schema)}, got ${value}`;
    default:
      return `expected ${expectation(schema)}, got ${kindOf(value)}`;
  }
}

function expectation(schema: TSchema): string {
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((s: TSchema) => 'const' in s)) {
    return `one of ${schema.anyOf.map((s: TSchema) => s.const).join(', ')}`;
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  switch (schema.type) {
    case 'integer': {
      if (schema.minimum === undefined) return 'an integer';
      if (schema.maximum === undefined) return schema.minimum === 0 ? 'a non-negative integer' : `an integer >= ${schema.minimum}`;
      return `an integer ${schema.minimum}..${schema.maximum}`;
    }
    case 'string':
      if (schema.pattern !== undefined && String(schema.pattern).includes('[A-Za-z_]')) return 'a C identifier';
      if (schema.pattern !== undefined && String(schema.pattern).includes('scalar')) return String(schema.description);
      return schema.pattern !== undefined ? 'a hex string' : 'a string';
    case 'array':
      return schema.minItems === undefined ? 'an array' : `an array of at least ${schema.minItems}`;
    case 'object':
      return 'an object';
    default:
      return schema.description ?? 'a valid value';
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** The first character that is not a hex digit. */
function hexProblem(error: ValueError): string | undefined {
  if (error.path !== '/insns' && error.path !== '/input') return undefined;
  const hex = String(error.value);
  const bad = hex.search(/[^0-9a-fA-F]/);
  return `non-hex character ${JSON.stringify(hex[bad])} at offset ${bad}`;
}

/** Hex that is all digits but not whole bytes, or not whole 8-byte instruction records. */
function hexLengthProblems(json: unknown): ProgramIssue[] {
  const issues: ProgramIssue[] = [];
  if (typeof json !== 'object' || json === null) return issues;
  const isHex = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-fA-F]*$/.test(v);
  const { insns, input } = json as Record<string, unknown>;
  if (!isHex(insns)) {
    // the schema check reports it
  } else if (insns.length % 2 !== 0) issues.push({ field: 'insns', problem: `hex string has odd length ${insns.length}` });
  else if (insns.length === 0) issues.push({ field: 'insns', problem: 'empty, expected at least one instruction' });
  else if (insns.length % 16 !== 0) {
    issues.push({ field: 'insns', problem: `${insns.length / 2} bytes is not a whole number of 8-byte instructions` });
  }
  if (isHex(input) && input.length % 2 !== 0) {
    issues.push({ field: 'input', problem: `hex string has odd length ${input.length}` });
  }
  return issues;
}
