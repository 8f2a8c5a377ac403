// `bpfdiff fuzz --save-programs FILE` on the real 7.2: the file holds every program the run
// went through, byte for byte what `bpfdiff gen` writes for the same seed and options.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'bpfdiff.js');
const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bpfdiff fuzz --save-programs', () => {
  it('writes the programs of the run, the same as bpfdiff gen with the same seed and options', async () => {
    const saved = join(dir, 'run.jsonl');
    const options = ['--count', '12', '--seed', '4', '--mutation-rate', '0', '--funcs', '2-3'];
    const r = await execa('node', [bin, 'fuzz', '--kernel', '7.2', ...options, '--pool', '1', '--batch', '6', '--no-reduce', '--save-programs', saved], { reject: false });
    expect([0, 3], r.stderr).toContain(r.exitCode);
    expect(r.stdout).toMatch(/^programs: 12 /m);
    expect(r.stderr).toContain(`fuzz: 12 programs written to ${saved}`);
    const gen = await execa('node', [bin, 'gen', ...options]);
    expect(readFileSync(saved, 'utf8')).toBe(`${gen.stdout}\n`);
    expect(readFileSync(saved, 'utf8').trim().split('\n')).toHaveLength(12);
  });
});
