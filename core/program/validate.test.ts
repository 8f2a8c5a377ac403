// Each way a program file can be malformed gives a message that names the field and what
// was expected. Cases start from one well-formed program and change one thing.
import { describe, expect, it } from 'vitest';
import { rawToHex, type RawInsn } from '../isa/raw.ts';
import {
  checkProgramJson,
  formatIssue,
  parseProgram,
  ProgramFormatError,
  validateProgram,
  type Program,
  type ProgramJson,
} from './index.ts';

const insn = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn => ({ code, dst, src, off, imm });
const movImm = (dst: number, imm: number) => insn(0xb7, dst, 0, 0, imm);
const exit = () => insn(0x95);
const callPc = (imm: number) => insn(0x85, 0, 1, 0, imm);
const ldImm64 = (dst: number, src: number, imm: number): RawInsn[] => [insn(0x18, dst, src, 0, imm), insn(0, 0, 0, 0, 0)];
const hex = (insns: RawInsn[]) => rawToHex(insns);

/** main: r1 = 1; call f1; exit   f1: r0 = imm64 0; exit
 *  indices: 0 mov, 1 call pc+1 (target 3), 2 exit, 3-4 ld_imm64, 5 exit */
const baseInsns = [movImm(1, 1), callPc(1), exit(), ...ldImm64(0, 0, 0), exit()];
function base(): ProgramJson {
  return {
    format: 'bpfdiff.program/v1',
    progType: 'sched_cls',
    insns: hex(baseInsns),
    funcs: [
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'f1', start: 3, args: 1, linkage: 'static' },
    ],
  };
}
const withChange = (change: (j: Record<string, any>) => void): unknown => {
  const j = structuredClone(base()) as Record<string, any>;
  change(j);
  return j;
};
/** A straight line of n moves with calls placed so functions start at the given indices. */
function callsTo(n: number, targets: number[]): RawInsn[] {
  const insns = Array.from({ length: n }, () => movImm(0, 0));
  targets.forEach((t, k) => (insns[k] = callPc(t - k - 1)));
  insns[n - 1] = exit();
  return insns;
}

const cases: Array<[string, unknown, string]> = [
  ['odd-length instruction hex', withChange((j) => (j.insns = 'b701000001000'.padEnd(13, '0'))), 'insns: hex string has odd length 13'],
  ['non-hex instruction text', withChange((j) => (j.insns = 'b70100000100000g')), 'insns: non-hex character "g" at offset 15'],
  ['partial instruction record', withChange((j) => (j.insns = 'b701000001000000b701')), 'insns: 10 bytes is not a whole number of 8-byte instructions'],
  ['no instructions', withChange((j) => (j.insns = '')), 'insns: empty, expected at least one instruction'],
  [
    'more than a million instructions',
    withChange((j) => {
      j.insns = '9500000000000000'.repeat(1_000_001);
      j.funcs = [j.funcs[0]];
    }),
    'insns: 1000001 instructions, at most 1000000',
  ],
  [
    'functions out of order',
    withChange((j) => {
      j.insns = hex(callsTo(12, [9, 3]));
      j.funcs = [
        { name: 'main', start: 0, args: 0, linkage: 'static' },
        { name: 'f1', start: 9, args: 0, linkage: 'static' },
        { name: 'f2', start: 3, args: 0, linkage: 'static' },
      ];
    }),
    'funcs: not sorted by start (f2 at 3 must come before f1 at 9)',
  ],
  ['main not at 0', withChange((j) => (j.funcs[0].start = 4)), 'funcs[0].start: expected 0, got 4'],
  ['function inside an LD_IMM64', withChange((j) => (j.funcs[1].start = 4)), 'funcs[1].start: 4 is the second slot of an LD_IMM64 at 3'],
  ['function past the end', withChange((j) => (j.funcs[1].start = 6)), 'funcs[1].start: 6 is past the last instruction 5'],
  [
    'call into the middle of a function',
    withChange((j) => (j.insns = hex([movImm(1, 1), callPc(3), exit(), ...ldImm64(0, 0, 0), exit()]))),
    'insns[1]: call target 5 is not the start of a function',
  ],
  [
    'call outside the program',
    withChange((j) => (j.insns = hex([movImm(1, 1), callPc(10), exit(), ...ldImm64(0, 0, 0), exit()]))),
    'insns[1]: call target 12 is outside the program (0..5)',
  ],
  [
    'function reference to a non-function',
    withChange((j) => (j.insns = hex([...ldImm64(1, 4, 3), callPc(0), exit(), exit()]))),
    'insns[0]: function reference target 4 is not the start of a function',
  ],
  [
    'function nothing calls',
    withChange((j) => (j.insns = hex([movImm(1, 1), movImm(2, 2), exit(), ...ldImm64(0, 0, 0), exit()]))),
    'funcs[1].start: 3 is not the target of any call, so the kernel would not see f1 as a function',
  ],
  ['unknown program type', withChange((j) => (j.progType = 'kprobe')), 'progType: unknown "kprobe", expected one of socket_filter, sched_cls, xdp'],
  ['more arguments than a BTF FUNC_PROTO carries', withChange((j) => (j.funcs[1].args = 0x1000000)), 'funcs[1].args: expected an integer 0..16777215, got 16777216'],
  ['negative arguments', withChange((j) => (j.funcs[1].args = -1)), 'funcs[1].args: expected an integer 0..16777215, got -1'],
  ['fractional start', withChange((j) => (j.funcs[1].start = 2.5)), 'funcs[1].start: expected a non-negative integer, got number 2.5'],
  ['bad linkage', withChange((j) => (j.funcs[1].linkage = 'weak')), 'funcs[1].linkage: unknown "weak", expected one of static, global'],
  ['duplicate function name', withChange((j) => (j.funcs[1].name = 'main')), 'funcs[1].name: duplicate "main", also funcs[0]'],
  ['name that is not an identifier', withChange((j) => (j.funcs[1].name = 'f-1')), 'funcs[1].name: "f-1" is not a C identifier'],
  ['no functions', withChange((j) => (j.funcs = [])), 'funcs: empty, expected at least the main function at start 0'],
  ['missing funcs', withChange((j) => delete j.funcs), 'funcs: missing, expected an array of at least 1'],
  ['missing progType', withChange((j) => delete j.progType), 'progType: missing, expected one of socket_filter, sched_cls, xdp'],
  ['missing format', withChange((j) => delete j.format), 'format: missing, expected "bpfdiff.program/v1"'],
  ['other format', withChange((j) => (j.format = 'bpfdiff.program/v2')), 'format: expected "bpfdiff.program/v1", got "bpfdiff.program/v2"'],
  ['unknown field', withChange((j) => (j.inputs = '00')), 'inputs: unknown field, expected only format, progType, insns, funcs, maps, input, meta'],
  ['insns not a string', withChange((j) => (j.insns = [1, 2])), 'insns: expected a hex string, got an array'],
  ['not an object', [base()], 'expected an object, got an array'],
  ['unknown map type', withChange((j) => (j.maps = [{ type: 'lru_hash', keySize: 4, valueSize: 8, maxEntries: 1 }])), 'maps[0].type: unknown "lru_hash", expected one of hash, array'],
  ['zero key size', withChange((j) => (j.maps = [{ type: 'hash', keySize: 0, valueSize: 8, maxEntries: 1 }])), 'maps[0].keySize: expected an integer 1..512, got 0'],
  ['huge value size', withChange((j) => (j.maps = [{ type: 'hash', keySize: 4, valueSize: 1 << 20, maxEntries: 1 }])), 'maps[0].valueSize: expected an integer 1..65536, got 1048576'],
  ['array map with an 8-byte key', withChange((j) => (j.maps = [{ type: 'array', keySize: 8, valueSize: 8, maxEntries: 1 }])), 'maps[0].keySize: array maps take a 4-byte key, got 8'],
  [
    'map reference past the map list',
    withChange((j) => {
      j.insns = hex([...ldImm64(1, 1, 1), exit()]);
      j.funcs = [j.funcs[0]];
      j.maps = [{ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 1 }];
    }),
    'insns[0]: map index 1 is not in maps (1 declared)',
  ],
  ['non-hex input', withChange((j) => (j.input = '00zz')), 'input: non-hex character "z" at offset 2'],
  ['odd-length input', withChange((j) => (j.input = '000')), 'input: hex string has odd length 3'],
  ['input shorter than an Ethernet header', withChange((j) => (j.input = '00'.repeat(13))), 'input: 13 bytes, expected 14..2048 (at least an Ethernet header)'],
];

describe('program validation', () => {
  it('accepts the well-formed base program', () => {
    expect(checkProgramJson(base()).issues).toEqual([]);
  });

  it.each(cases)('%s', (_name, json, message) => {
    const { program, issues } = checkProgramJson(json);
    expect(program).toBeUndefined();
    expect(issues.map(formatIssue)).toContain(message);
    // parsing rejects with the first of them, and names its field
    const err = (() => {
      try {
        parseProgram(json);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProgramFormatError);
    expect((err as ProgramFormatError).message.startsWith(formatIssue(issues[0]))).toBe(true);
    expect((err as ProgramFormatError).field).toBe(issues[0].field);
  });

  it('reports every problem in a file, not just the first', () => {
    const { issues } = checkProgramJson(withChange((j) => {
      j.progType = 'kprobe';
      j.funcs[1].args = -3;
      j.funcs[1].linkage = 'extern';
    }));
    expect(issues.map((i) => i.field)).toEqual(['progType', 'funcs[1].args', 'funcs[1].linkage']);
  });

  it('checks Programs built in code, not only parsed ones', () => {
    const program: Program = {
      progType: 'xdp',
      insns: [movImm(0, 2 ** 32), exit()],
      funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
      maps: [],
      input: new Uint8Array(64),
    };
    expect(validateProgram(program).map(formatIssue)).toEqual(['insns[0].imm: 4294967296 is not an integer -2147483648..2147483647']);
  });
});
