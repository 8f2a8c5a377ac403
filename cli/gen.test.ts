// `bpfdiff gen`: the programs of a seed as JSONL, byte for byte those the generator gives fuzz,
// valid program files, and generator options checked with the option named.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePrograms } from '../core/gen/index.ts';
import { programsToJsonl } from '../core/program/index.ts';
import { runCli } from './test-run.ts';

const run = runCli;

describe('bpfdiff gen', () => {
  it('writes the seed\'s programs with the options given, one per line, as the generator makes them for fuzz', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-gen-'));
    const file = join(dir, 'corpus.jsonl');
    const r = await run(['gen', '--count', '6', '--seed', '11', '--funcs', '3-5', '--mutation-rate', '0.5', '--gen', '{"loopRate":0.3}', '-o', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`gen: 6 programs (seed 11) → ${file}\n`);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(programsToJsonl(generatePrograms(11, 6, { funcs: [3, 5], mutationRate: 0.5, loopRate: 0.3 })));
    expect(text.trim().split('\n')).toHaveLength(6);
    // program i of a seed does not depend on the count: --first picks a slice
    const slice = await run(['gen', '--count', '2', '--first', '3', '--seed', '11', '--funcs', '3-5', '--mutation-rate', '0.5', '--gen', '{"loopRate":0.3}']);
    expect(slice.stdout).toBe(text.split('\n').slice(3, 5).join('\n') + '\n');
    const valid = await run(['validate', file]);
    expect(valid.stdout).toBe(`${file}: ok (6 programs)\n`);
  });

  it('reproduces bpfdiff-gen/2 with --gen gen2 and draws sched_cls and xdp by default', async () => {
    const gen2 = await run(['gen', '--count', '4', '--seed', '3', '--gen', 'gen2']);
    expect(gen2.stdout).toBe(programsToJsonl(generatePrograms(3, 4, { preset: 'gen2' })));
    expect(gen2.stdout).not.toContain('"progType":"xdp"');
    const gen3 = await run(['gen', '--count', '20', '--seed', '3']);
    expect(gen3.stdout).toContain('"progType":"xdp"');
    expect(gen3.stdout).toContain('"progType":"sched_cls"');
    expect((await run(['gen', '--gen', 'gen9'])).stderr).toMatch(/--gen: expected a JSON object of generator options or a preset name \(gen2\)/);
    expect((await run(['gen', '--gen', '{"packetRate":3}'])).stderr).toBe('bpfdiff: generator option packetRate: expected a number from 0 to 1, got 3\n');
  });

  it('names the generator option that is wrong', async () => {
    expect((await run(['gen', '--funcs', '0-99'])).stderr).toBe('bpfdiff: generator option funcs: expected integers MIN-MAX with 1 <= MIN <= MAX <= 16, got 0-99\n');
    expect((await run(['gen', '--gen', '{"funcs":"0-99"}'])).stderr).toBe('bpfdiff: generator option funcs: expected [MIN, MAX] (two integers), got "0-99"\n');
    expect((await run(['gen', '--gen', '{"colour":1}'])).stderr).toMatch(/^bpfdiff: generator option colour: unknown generator option; expected some of progType, funcs/);
    expect((await run(['gen', '--count', '0'])).code).toBe(1);
  });
});
