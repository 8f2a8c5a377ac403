// The JSON and JSONL forms round-trip: parse(print(p)) is p, and a file printed by us and
// read back prints the same text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawInsn } from '../isa/raw.ts';
import {
  parseProgram,
  parseProgramJsonText,
  parseProgramsJsonl,
  programToJson,
  programToJsonText,
  programsToJsonl,
  ProgramFormatError,
  type Program,
} from './index.ts';

// Any record except the two the format gives structure to (LD_IMM64 and pseudo calls).
const arbRawInsn: fc.Arbitrary<RawInsn> = fc
  .record({
    code: fc.integer({ min: 0, max: 0xff }).filter((c) => c !== 0x18 && c !== 0x85),
    dst: fc.integer({ min: 0, max: 15 }),
    src: fc.integer({ min: 0, max: 15 }),
    off: fc.integer({ min: -0x8000, max: 0x7fff }),
    imm: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  });

/** main, then k functions each reached by a call from main's first k instructions. */
const arbProgram: fc.Arbitrary<Program> = fc
  .record({
    progType: fc.constantFrom('socket_filter' as const, 'sched_cls' as const, 'xdp' as const),
    bodies: fc.array(fc.array(arbRawInsn, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
    args: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 4, maxLength: 4 }),
    linkage: fc.constantFrom('static' as const, 'global' as const),
    maps: fc.array(
      fc.record({
        type: fc.constant('hash' as const),
        keySize: fc.integer({ min: 1, max: 512 }),
        valueSize: fc.integer({ min: 1, max: 4096 }),
        maxEntries: fc.integer({ min: 1, max: 1024 }),
      }),
      { maxLength: 2 },
    ),
    input: fc.option(fc.uint8Array({ minLength: 14, maxLength: 80 }), { nil: undefined }),
    meta: fc.option(fc.record({ seed: fc.nat(), generator: fc.string() }), { nil: undefined }),
  })
  .map(({ progType, bodies, args, linkage, maps, input, meta }) => {
    const calls = bodies.length - 1;
    const main: RawInsn[] = [];
    const starts: number[] = [];
    let at = calls + bodies[0].length;
    for (let k = 1; k < bodies.length; k++) {
      starts.push(at);
      at += bodies[k].length;
    }
    starts.forEach((s, k) => main.push({ code: 0x85, dst: 0, src: 1, off: 0, imm: s - k - 1 }));
    const insns = [...main, ...bodies.flat()];
    const program: Program = {
      progType,
      insns,
      funcs: [
        { name: 'main', start: 0, args: 1, linkage: 'static' },
        ...starts.map((start, k) => ({ name: `f${k + 1}`, start, args: args[k], linkage })),
      ],
      maps,
      input: input ?? new Uint8Array(64),
    };
    if (meta !== undefined) program.meta = meta;
    return program;
  });

describe('program JSON', () => {
  it('parse(programToJson(p)) gives p back, and printing again gives the same text', () => {
    fc.assert(
      fc.property(arbProgram, (program) => {
        const json = programToJson(program);
        const back = parseProgram(JSON.parse(JSON.stringify(json)));
        expect(back).toEqual(program);
        expect(programToJsonText(back)).toBe(programToJsonText(program));
      }),
      { numRuns: 200 },
    );
  });

  it('writes instructions as hex of the raw records and leaves defaults out', () => {
    const program = parseProgramJsonText(
      JSON.stringify({
        format: 'bpfdiff.program/v1',
        progType: 'xdp',
        insns: 'B7000000010000009500000000000000',
        funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
      }),
    );
    expect(program.insns[0]).toEqual({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 });
    expect(program.input).toEqual(new Uint8Array(64));
    expect(program.maps).toEqual([]);
    expect(programToJson(program)).toEqual({
      format: 'bpfdiff.program/v1',
      progType: 'xdp',
      insns: 'b7000000010000009500000000000000',
      funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
    });
  });

  it('rejects text that is not JSON, naming what was expected', () => {
    expect(() => parseProgramJsonText('{"format": ')).toThrow(/^not valid JSON/);
    expect(() => parseProgramJsonText('  \n')).toThrow('no program, expected a JSON object');
  });
});

describe('program JSONL', () => {
  it('round-trips a file of programs line for line', () => {
    fc.assert(
      fc.property(fc.array(arbProgram, { minLength: 1, maxLength: 5 }), (programs) => {
        const text = programsToJsonl(programs);
        expect(text.split('\n')).toHaveLength(programs.length + 1);
        const back = parseProgramsJsonl(text);
        expect(back).toEqual(programs);
        expect(programsToJsonl(back)).toBe(text);
      }),
      { numRuns: 50 },
    );
  });

  it('skips blank lines and names the line of a bad program', () => {
    const good = JSON.stringify({
      format: 'bpfdiff.program/v1',
      progType: 'sched_cls',
      insns: '9500000000000000',
      funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
    });
    const bad = good.replace('"start":0', '"start":4');
    expect(parseProgramsJsonl(`${good}\n\n${good}\n`)).toHaveLength(2);
    let err: unknown;
    try {
      parseProgramsJsonl(`${good}\n${bad}\nnot json\n`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProgramFormatError);
    const e = err as ProgramFormatError;
    expect(e.message).toBe('line 2: funcs[0].start: expected 0, got 4 (and 2 more)');
    expect(e.line).toBe(2);
    expect(e.issues.map((i) => i.line)).toEqual([2, 2, 3]);
    expect(() => parseProgramsJsonl('\n \n')).toThrow('no program, expected one JSON object per line');
  });
});
