import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProgram, type Outcome, type Program, type ProgramJson } from '../program/index.ts';
import { explainFindings } from './explain.ts';
import type { Finding } from './finding.ts';
import { modelVerify } from './model.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const program = JSON.parse(readFileSync(join(fixtures, 'log2-arraynull.program.json'), 'utf8')) as ProgramJson;
// the real 6.12.118's level-2 log of that program
const log612 = readFileSync(join(fixtures, 'log2-6.12-arraynull.log'), 'utf8');
const model = modelVerify()(parseProgram(program), '7.2');
const actual: Outcome = { verdict: 'reject', errno: 13, message: "R0 invalid mem access 'map_value_or_null'", kernel: '6.12.118+deb12-amd64' };
const finding = (cls: Finding['class'], signature = `${cls}|x|-`, kernel = '6.12'): Finding => ({ signature, class: cls, kernel, profile: '7.2', index: 0, program, model, actual, detail: '' });

describe('explainFindings', () => {
  it('loads verdict and reason findings again at level 2 on their kernel and sets their first disagreement; other classes and cross-kernel findings are left alone', async () => {
    const asked: Array<[string, number]> = [];
    const runner = { runLevel2: async (ps: Program[], k: string) => (asked.push([k, ps.length]), ps.map((): Outcome => ({ ...actual, log: log612 }))) };
    const fs = [finding('verdict-model-accept'), finding('reason'), finding('retval'), finding('kernel-crash'), finding('reason', 'cross|x', '6.12~7.2')];
    expect(await explainFindings(fs, runner)).toBe(2);
    expect(asked).toEqual([['6.12', 2]]);
    expect(fs[0]!.firstDisagreement!.text).toBe('model and kernel first disagree at insn 8: R0 map_value vs map_value_or_null');
    expect(fs.slice(2).map((f) => f.firstDisagreement)).toEqual([undefined, undefined, undefined]);
  });

  it('loads at most three examples of a signature per kernel in a batch (what the store keeps), and nothing without a level-2 runner', async () => {
    const asked: number[] = [];
    const runner = { runLevel2: async (ps: Program[]) => (asked.push(ps.length), ps.map((): Outcome => ({ ...actual, log: log612 }))) };
    const many = Array.from({ length: 7 }, () => finding('verdict-model-accept'));
    expect(await explainFindings([...many, finding('verdict-model-accept', 'verdict-model-accept|x|-', '7.3')], runner)).toBe(4);
    expect(asked).toEqual([3, 1]);
    expect(await explainFindings([finding('reason')], {})).toBe(0);
  });
});
