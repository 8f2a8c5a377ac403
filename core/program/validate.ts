// Checks that a Program is well formed as data: what the kernel needs to even receive it
// (instruction count, a function table that BTF func_info can describe, map and input sizes).
// Whether the kernel *accepts* it is the verifier's question, and is left to the model and
// the kernel: jumps out of range, bad registers and r11 misuse are all valid test programs.
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL as PSEUDO_CALL, BPF_PSEUDO_FUNC as PSEUDO_FUNC, BPF_PSEUDO_MAP_FD as PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE as PSEUDO_MAP_VALUE, OPCODE_LD_IMM64, type RawInsn } from '../isa/index.ts';
import { parseArgType } from '../isa/arg-types.ts';
import type { ProgramIssue } from './errors.ts';
import {
  IDENTIFIER_PATTERN,
  MAX_FUNC_ARGS,
  MAX_INPUT_BYTES,
  MAX_INSNS,
  MAX_MAP_ENTRIES,
  MAX_MAP_KEY_SIZE,
  MAX_MAP_VALUE_SIZE,
  MAX_MAPS,
  MIN_INPUT_BYTES,
} from './schema.ts';
import { MAP_TYPES, PROG_TYPES, type Program } from './types.ts';

// LD_IMM64 is the only two-slot instruction; a pseudo call and a BPF_PSEUDO_FUNC load name a
// subprogram at pc + imm + 1.
const LD_IMM64 = OPCODE_LD_IMM64;
const CALL = BPF_JMP | BPF_CALL;
const IDENTIFIER = new RegExp(IDENTIFIER_PATTERN);

/** Every problem found, in field order; empty means the program is well formed. */
export function validateProgram(program: Program): ProgramIssue[] {
  const issues: ProgramIssue[] = [];
  const issue = (field: string, problem: string) => issues.push({ field, problem });

  if (!(PROG_TYPES as readonly string[]).includes(program.progType)) {
    issue('progType', `unknown ${JSON.stringify(program.progType)}, expected one of ${PROG_TYPES.join(', ')}`);
  }

  const insns = program.insns;
  if (insns.length === 0) issue('insns', 'empty, expected at least one instruction');
  if (insns.length > MAX_INSNS) issue('insns', `${insns.length} instructions, at most ${MAX_INSNS}`);
  insns.forEach((insn, i) => checkRawFields(insn, `insns[${i}]`, issue));

  const ldImm64SecondSlots = secondSlotsOfLdImm64(insns);
  checkFuncs(program, ldImm64SecondSlots, issue);
  checkMaps(program, issue);
  checkCallTargetsAndMapRefs(program, ldImm64SecondSlots, issue);

  const inputLen = program.input.length;
  if (inputLen < MIN_INPUT_BYTES || inputLen > MAX_INPUT_BYTES) {
    issue('input', `${inputLen} bytes, expected ${MIN_INPUT_BYTES}..${MAX_INPUT_BYTES} (at least an Ethernet header)`);
  }
  return issues;
}

type Report = (field: string, problem: string) => void;

function checkRawFields(insn: RawInsn, at: string, issue: Report): void {
  const ranges: Array<[keyof RawInsn, number, number]> = [
    ['code', 0, 0xff],
    ['dst', 0, 0xf],
    ['src', 0, 0xf],
    ['off', -0x8000, 0x7fff],
    ['imm', -0x8000_0000, 0x7fff_ffff],
  ];
  for (const [key, min, max] of ranges) {
    const v = insn[key];
    if (!Number.isInteger(v) || v < min || v > max) issue(`${at}.${key}`, `${v} is not an integer ${min}..${max}`);
  }
}

/** Map from the index of each LD_IMM64's second slot to the index of its first, walking
 *  the records the way the kernel does (a 0x18 opcode consumes the next record). */
function secondSlotsOfLdImm64(insns: readonly RawInsn[]): Map<number, number> {
  const second = new Map<number, number>();
  for (let i = 0; i < insns.length; i++) {
    if (insns[i].code === LD_IMM64 && i + 1 < insns.length) {
      second.set(i + 1, i);
      i++;
    }
  }
  return second;
}

function checkFuncs(program: Program, secondSlots: Map<number, number>, issue: Report): void {
  const { funcs, insns } = program;
  if (funcs.length === 0) {
    issue('funcs', 'empty, expected at least the main function at start 0');
    return;
  }
  if (funcs[0].start !== 0) issue('funcs[0].start', `expected 0, got ${funcs[0].start}`);
  const firstByName = new Map<string, number>();
  funcs.forEach((f, k) => {
    const at = `funcs[${k}]`;
    if (typeof f.name !== 'string' || !IDENTIFIER.test(f.name)) {
      issue(`${at}.name`, `${JSON.stringify(f.name)} is not a C identifier`);
    } else if (firstByName.has(f.name)) {
      issue(`${at}.name`, `duplicate ${JSON.stringify(f.name)}, also funcs[${firstByName.get(f.name)}]`);
    } else {
      firstByName.set(f.name, k);
    }
    if (!Number.isInteger(f.start) || f.start < 0) {
      issue(`${at}.start`, `expected an instruction index, got ${f.start}`);
    } else if (insns.length > 0 && f.start >= insns.length) {
      issue(`${at}.start`, `${f.start} is past the last instruction ${insns.length - 1}`);
    } else if (secondSlots.has(f.start)) {
      issue(`${at}.start`, `${f.start} is the second slot of an LD_IMM64 at ${secondSlots.get(f.start)}`);
    }
    if (!Number.isInteger(f.args) || f.args < 0 || f.args > MAX_FUNC_ARGS) {
      issue(`${at}.args`, `expected 0..${MAX_FUNC_ARGS}, got ${f.args}`);
    }
    if (f.linkage !== 'static' && f.linkage !== 'global') {
      issue(`${at}.linkage`, `unknown ${JSON.stringify(f.linkage)}, expected static or global`);
    }
    if (f.argTypes !== undefined) checkArgTypes(f.argTypes, f.args, at, issue);
  });
  for (let k = 1; k < funcs.length; k++) {
    const prev = funcs[k - 1];
    const cur = funcs[k];
    if (cur.start < prev.start) {
      issue('funcs', `not sorted by start (${cur.name} at ${cur.start} must come before ${prev.name} at ${prev.start})`);
    } else if (cur.start === prev.start) {
      issue('funcs', `${prev.name} and ${cur.name} both start at ${cur.start}`);
    }
  }
}

function checkArgTypes(argTypes: readonly unknown[], args: number, at: string, issue: Report): void {
  if (!Array.isArray(argTypes)) {
    issue(`${at}.argTypes`, 'expected an array of argument types');
    return;
  }
  if (argTypes.length !== args) issue(`${at}.argTypes`, `${argTypes.length} types for args ${args}, expected one type per argument`);
  argTypes.forEach((t, i) => {
    const k = typeof t === 'string' ? parseArgType(t) : { error: `${JSON.stringify(t)} is not a string` };
    if ('error' in k) issue(`${at}.argTypes[${i}]`, k.error);
  });
}

function checkMaps(program: Program, issue: Report): void {
  if (program.maps.length > MAX_MAPS) issue('maps', `${program.maps.length} maps, at most ${MAX_MAPS}`);
  program.maps.forEach((m, k) => {
    const at = `maps[${k}]`;
    if (!(MAP_TYPES as readonly string[]).includes(m.type)) {
      issue(`${at}.type`, `unknown ${JSON.stringify(m.type)}, expected one of ${MAP_TYPES.join(', ')}`);
    }
    const sizes: Array<['keySize' | 'valueSize' | 'maxEntries', number]> = [
      ['keySize', MAX_MAP_KEY_SIZE],
      ['valueSize', MAX_MAP_VALUE_SIZE],
      ['maxEntries', MAX_MAP_ENTRIES],
    ];
    for (const [key, max] of sizes) {
      const v = m[key];
      if (!Number.isInteger(v) || v < 1 || v > max) issue(`${at}.${key}`, `expected 1..${max}, got ${v}`);
    }
    // array_map_alloc_check: an array is indexed by a u32
    if (m.type === 'array' && m.keySize !== 4) issue(`${at}.keySize`, `array maps take a 4-byte key, got ${m.keySize}`);
  });
}

/** Subprogram starts are where the kernel finds them (add_subprog_and_kfunc): the targets
 *  of pseudo calls and of LD_IMM64 function references. `funcs` must list exactly those,
 *  or the func_info derived from it cannot match the kernel's subprogram layout. */
function checkCallTargetsAndMapRefs(program: Program, secondSlots: Map<number, number>, issue: Report): void {
  const { insns, funcs, maps } = program;
  const starts = new Set(funcs.map((f) => f.start));
  const targeted = new Set<number>();
  for (let i = 0; i < insns.length; i++) {
    if (secondSlots.has(i)) continue;
    const { code, src, imm } = insns[i];
    let what: string | undefined;
    if (code === CALL && src === PSEUDO_CALL) what = 'call target';
    if (code === LD_IMM64 && src === PSEUDO_FUNC) what = 'function reference target';
    if (what !== undefined) {
      const target = i + imm + 1;
      if (target < 0 || target >= insns.length) {
        issue(`insns[${i}]`, `${what} ${target} is outside the program (0..${insns.length - 1})`);
      } else if (!starts.has(target)) {
        issue(`insns[${i}]`, `${what} ${target} is not the start of a function`);
      } else {
        targeted.add(target);
      }
    }
    if (code === LD_IMM64 && (src === PSEUDO_MAP_FD || src === PSEUDO_MAP_VALUE) && (imm < 0 || imm >= maps.length)) {
      issue(`insns[${i}]`, `map index ${imm} is not in maps (${maps.length} declared)`);
    }
  }
  funcs.forEach((f, k) => {
    if (k > 0 && starts.has(f.start) && f.start < insns.length && !secondSlots.has(f.start) && !targeted.has(f.start)) {
      issue(`funcs[${k}].start`, `${f.start} is not the target of any call, so the kernel would not see ${f.name} as a function`);
    }
  });
}
