// The kernel selftest corpus (corpus/selftests): every source assembles, matches its
// expected.json entry, and every program the 7.2 kernel accepts returns the kernel's retval
// when interpreted.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { corpusProgram, parseCorpusExpectations } from '../../program/corpus.ts';
import { execute } from './index.ts';

const dir = fileURLToPath(new URL('../../../corpus/selftests/', import.meta.url));
const expectations = parseCorpusExpectations(JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')));
const sources = readdirSync(dir).filter((f) => f.endsWith('.s')).map((f) => f.slice(0, -2)).sort();
const read = (name: string): string => readFileSync(`${dir}${name}.s`, 'utf8');

describe('corpus/selftests', () => {
  it('has an expected.json entry for every source and a source for every entry', () => {
    expect(sources.length).toBeGreaterThanOrEqual(25);
    expect([...expectations.keys()].sort()).toEqual(sources);
  });

  for (const name of sources) {
    const expected = expectations.get(name);
    it(`${name}: assembles, names its kernel test, and declares BTF when it needs it`, () => {
      const source = read(name);
      expect(source).toMatch(new RegExp(`^; source: tools/testing/selftests/bpf/progs/${expected?.source.replace('.', '\\.')}, `));
      const program = corpusProgram(name, source);
      const manyArgs = program.funcs.some((f) => f.args > 5);
      expect(expected?.btfRequired).toBe(manyArgs);
      expect(expected?.outcomes['6.12']).toEqual({ verdict: 'reject', errno: 22, message: 'R11 is invalid' });
    });

    it(`${name}: expected.json agrees with the kernel annotations quoted in the header`, () => {
      const header = read(name).split('\n').find((l) => l.startsWith('; kernel annotations:')) ?? '';
      const outcome = expected?.outcomes['7.2'];
      const retval = /__retval\((\d+)\)|expects retval (\d+)/.exec(header);
      const msg = /__msg\("((?:[^"\\]|\\.)*)"\)\s*(?:__btf_func_path|$)/.exec(header) ?? /__msg\("([^"]*)"\)/.exec(header);
      expect(outcome?.verdict).toBe(/__failure/.test(header) ? 'reject' : 'accept');
      if (retval) expect(outcome?.retval).toBe(Number(retval[1] ?? retval[2]));
      if (msg && expected?.basis === 'annotation' && !msg[1].includes('{{')) expect(outcome?.message).toBe(msg[1]);
    });

    if (expected?.outcomes['7.2'].verdict === 'accept') {
      it(`${name}: the interpreter returns the kernel's retval ${expected.outcomes['7.2'].retval}`, () => {
        const result = execute(corpusProgram(name, read(name)));
        expect(result.retval).toBe(expected.outcomes['7.2'].retval);
      });
    }
  }
});
