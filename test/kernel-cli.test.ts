// `bpfdiff run` end to end: a JSONL file on two real kernels gives one Outcome line per program
// per kernel, program-major, in input order.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { programsToJsonl } from '../core/program/index.ts';
import type { Outcome } from '../core/program/types.ts';
import { numberedPrograms, processesMentioning, sevenArgs, thirteenArgs } from './kernel-programs.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'bpfdiff.js');

describe('bpfdiff run', () => {
  it('prints the outcome of each program on each kernel, in input order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-cli-'));
    const file = join(dir, 'programs.jsonl');
    writeFileSync(file, programsToJsonl([sevenArgs(), thirteenArgs(12)]));
    const r = await execa('node', [bin, 'run', file, '--kernel', '7.2', '--kernel', '6.12', '--log'], { reject: false });
    // --log prints each verifier log on stderr, one block per program per kernel, and nothing else
    expect(r.stderr.replace(/--- verifier log[^\n]*\n[\s\S]*?--- end of log(\n|$)|--- no verifier log[^\n]*(\n|$)/g, '')).toBe('');
    expect(r.stderr.match(/^--- (verifier log|no verifier log)/gm)).toHaveLength(4);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Outcome);
    expect(lines.map((o) => [o.kernel.split('.').slice(0, 2).join('.'), o.verdict, o.retval ?? o.message])).toEqual([
      ['7.2', 'accept', 1315],
      ['6.12', 'reject', 'R11 is invalid'],
      ['7.2', 'reject', 'stack arg write offset -64 exceeds max 7 stack args'],
      ['6.12', 'reject', 'R11 is invalid'],
    ]);
    // --log keeps the verifier log, whose reason line is the message
    expect(lines[2].log).toContain('stack arg write offset -64 exceeds max 7 stack args\nprocessed ');
  });

  it('answers a 13-argument BTF like any program, and answers every good line of a .jsonl with a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-cli-'));
    const file = join(dir, 'mixed.jsonl');
    const [a, c] = programsToJsonl([thirteenArgs(13), sevenArgs()]).trim().split('\n');
    writeFileSync(file, `${a}\n{"format":"bpfdiff.program/v1","progType":"xdp","insns":"b70","funcs":[]}\n${c}\n`);
    const r = await execa('node', [bin, 'run', file, '--kernel', '7.2'], { reject: false });
    expect(r.stderr).toContain('mixed.jsonl: line 2: insns: hex string has odd length 3');
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Outcome);
    expect(lines.map((o) => [o.verdict, o.retval ?? o.message])).toEqual([
      ['reject', 'stack arg write offset -64 exceeds max 7 stack args'],
      ['accept', 1315],
    ]);
  });

  it('names the known kernel ids for an unknown one, without a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-cli-'));
    const file = join(dir, 'p.json');
    writeFileSync(file, programsToJsonl([sevenArgs()]));
    const r = await execa('node', [bin, 'run', file, '--kernel', '9.9'], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(/^bpfdiff: --kernel: unknown kernel id "9\.9": known ids are .*7\.2.*, or the path of a bzImage$/);
  });

  it('stops its guests on SIGINT and leaves no QEMU behind', async () => {
    // the pool's socket directory goes under TMPDIR, so this test can find its own QEMUs
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-cli-int-'));
    const file = join(dir, 'many.jsonl');
    writeFileSync(file, programsToJsonl(numberedPrograms(5000).programs));
    const child = execa('node', [bin, 'run', file, '--kernel', '7.2', '--pool', '1'], { reject: false, env: { TMPDIR: dir } });
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => (lines += chunk.toString().split('\n').length - 1));
    const deadline = Date.now() + 120_000;
    while (lines < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(lines).toBeGreaterThanOrEqual(10);
    expect((await processesMentioning(dir)).length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain('interrupted');
    expect(await processesMentioning(dir)).toEqual([]);
  });
});
