// Argument types of functions in the program format (`argTypes` in JSON, `types=` on `.func`):
// absent means all scalar and stays absent, each entry is checked with a message naming the
// field, and text and JSON carry the same list both ways.
import { describe, expect, it } from 'vitest';
import { assemble, AsmError } from '../isa/index.ts';
import { rawToHex } from '../isa/raw.ts';
import { checkProgramJson, parseProgram, programFromAsm, programToJson, type ProgramJson } from './index.ts';

const SOURCE = `.type xdp
.func main args=1
r1 = 0
r2 = r10
r2 += -16
call f
exit
.func f args=3 global types=scalar,ctx,mem:16
r0 = 0
exit
`;

function json(argTypes?: unknown): unknown {
  const p = programToJson(programFromAsm(SOURCE));
  const doc = structuredClone(p) as Record<string, any>;
  if (argTypes === undefined) delete doc.funcs[1].argTypes;
  else doc.funcs[1].argTypes = argTypes;
  return doc;
}
const problems = (doc: unknown): string[] => checkProgramJson(doc).issues.map((i) => `${i.field}: ${i.problem}`);

describe('function argument types', () => {
  it('come from `.func ... types=` and go to JSON and back unchanged', () => {
    const p = programFromAsm(SOURCE);
    expect(p.funcs[1]).toEqual({ name: 'f', start: 5, args: 3, linkage: 'global', argTypes: ['scalar', 'ctx', 'mem:16'] });
    expect(p.funcs[0].argTypes).toBeUndefined();
    const doc = programToJson(p);
    expect(doc.funcs[1].argTypes).toEqual(['scalar', 'ctx', 'mem:16']);
    expect('argTypes' in doc.funcs[0]).toBe(false);
    const back = parseProgram(JSON.parse(JSON.stringify(doc)));
    expect(back).toEqual(p);
  });

  it('take their count from types= when args= is not given, and nonnull memory', () => {
    const { funcs } = assemble('.func main\ncall g\nexit\n.func g global types=mem:8:nonnull,scalar\nr0 = 0\nexit\n');
    expect(funcs[1]).toMatchObject({ args: 2, argTypes: ['mem:8:nonnull', 'scalar'] });
  });

  it('leave programs without them as they were', () => {
    const doc = json() as ProgramJson;
    expect(problems(doc)).toEqual([]);
    expect(programToJson(parseProgram(doc))).toEqual(doc);
    expect(JSON.stringify(doc)).not.toContain('argTypes');
  });

  it('are refused with the field named when malformed', () => {
    expect(problems(json(['scalar', 'ptr', 'mem:16']))).toEqual(['funcs[1].argTypes[1]: "ptr" is not an argument type: scalar, ctx, mem:N or mem:N:nonnull']);
    expect(problems(json(['scalar', 'ctx']))).toEqual(['funcs[1].argTypes: 2 types for args 3, expected one type per argument']);
    expect(problems(json(['scalar', 'ctx', 'mem:0']))).toEqual(['funcs[1].argTypes[2]: "mem:0" is not an argument type: scalar, ctx, mem:N or mem:N:nonnull']);
    expect(problems(json(['scalar', 'ctx', 'mem:4294967295']))).toEqual([
      'funcs[1].argTypes[2]: "mem:4294967295": size 4294967295 is too large, expected scalar, ctx, mem:N or mem:N:nonnull (N 1..2147483647)',
    ]);
    expect(problems(json('ctx'))).toEqual(['funcs[1].argTypes: expected an array, got "ctx"']);
  });

  it('are refused in assembler text with the line', () => {
    const bad = (src: string) => {
      try {
        assemble(src);
      } catch (e) {
        return e instanceof AsmError ? e.message : String(e);
      }
      return 'assembled';
    };
    expect(bad('.func main\nexit\n.func f args=2 types=scalar\nexit\n')).toBe('line 3: .func f: types= lists 1 types for args=2');
    expect(bad('.func main\nexit\n.func f types=int\nexit\n')).toBe(
      'line 3: types=: "int" is not an argument type, expected scalar, ctx, mem:N or mem:N:nonnull (N 1..2147483647)',
    );
    expect(bad('.func main\nexit\n.func f types=\nexit\n')).toBe('line 3: types= expects a comma-separated list: scalar, ctx, mem:N or mem:N:nonnull');
  });

  it('validate the same for a Program built in code', () => {
    const p = programFromAsm(SOURCE);
    p.funcs[1].argTypes = ['scalar', 'ctx', 'mem:9999999999' as 'mem:1'];
    expect(() => programToJson(p)).not.toThrow();
    expect(rawToHex(p.insns)).toBe(programToJson(p).insns);
    expect(problems(programToJson(p))).toEqual(['funcs[1].argTypes[2]: "mem:9999999999": size 9999999999 is too large, expected scalar, ctx, mem:N or mem:N:nonnull (N 1..2147483647)']);
  });
});
