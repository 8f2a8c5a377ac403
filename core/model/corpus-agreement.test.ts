// The model against the outcomes recorded in the corpus (corpus/selftests: the kernel's own
// stack-argument tests; corpus/part2: hand-written map, helper, packet and reference programs in
// stack-argument call graphs, with what Debian's kernels did with them). Every program, every
// kernel of the expectations: the verdict, errno and exact reason line, and the retval.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORPUS_KERNELS, corpusProgram, parseCorpusExpectations } from '../program/corpus.ts';
import { resolveProfile, verify } from './index.ts';

const corpusDir = fileURLToPath(new URL('../../corpus/', import.meta.url));

for (const set of ['selftests', 'part2']) {
  const dir = `${corpusDir}${set}/`;
  const expectations = parseCorpusExpectations(JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')));
  const names = readdirSync(dir).filter((f) => f.endsWith('.s')).map((f) => f.slice(0, -2)).sort();

  describe(`corpus/${set}: the model gives the recorded outcomes`, () => {
    it('has an expectation for every program and a program for every expectation', () => {
      expect([...expectations.keys()].sort()).toEqual(names);
    });
    for (const name of names) {
      const program = corpusProgram(name, readFileSync(`${dir}${name}.s`, 'utf8'));
      const expected = expectations.get(name)!;
      for (const kernel of CORPUS_KERNELS) {
        const want = expected.outcomes[kernel];
        it(`${name} on ${kernel}: ${want.verdict}${want.message ? ` "${want.message}"` : ''}${want.retval !== undefined ? ` retval ${want.retval}` : ''}`, () => {
          const o = verify(program, resolveProfile(kernel)!);
          expect({ verdict: o.verdict, unknown: o.unknown }).toEqual({ verdict: want.verdict, unknown: undefined });
          if (want.verdict === 'reject') expect({ errno: o.errno, message: o.message }).toEqual({ errno: want.errno, message: want.message });
          // a run that branched on a random number may still be right (stack_arg_shared_store returns 0 either way)
          else if (want.retval !== undefined) expect(o.retval).toBe(want.retval);
          else expect(o.unpredictable).toBeTruthy();
        });
      }
    }
  });
}
