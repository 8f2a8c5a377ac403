// A verifier log pasted as is (no `.func` lines, `call pc+N` to a subprogram with stack
// arguments) assembles with the subprogram found from the call target, says how in
// `disasm --source`, and runs on the real 7.2 kernel with the seven-argument result.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../core/program/types.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'bpfdiff.js');

/** examples/seven-args.s as the 7.2 kernel's verifier log prints it */
const LOG = readFileSync(join(import.meta.dirname, '..', 'examples', 'seven-args.log'), 'utf8');

describe('bpfdiff asm of a pasted verifier log', () => {
  it('finds the subprogram from call pc+1, counts its 7 arguments, and the real 7.2 kernel runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-log-'));
    writeFileSync(join(dir, 'log.s'), LOG);
    const asm = await execa('node', [bin, 'asm', join(dir, 'log.s'), '-o', join(dir, 'log.json')], { reject: false });
    expect(asm.stderr).toBe('');
    expect(asm.exitCode).toBe(0);
    const source = await execa('node', [bin, 'disasm', '--source', join(dir, 'log.json')]);
    expect(source.stdout).toContain('; subprog_9 args=7: called, not declared: loads stack argument 7 from r11 +16\n.func subprog_9 args=7\n9: (79) r6 = *(u64 *)(r11 +8)');
    const run = await execa('node', [bin, 'run', join(dir, 'log.json'), '--kernel', '7.2', '--pool', '1'], { reject: false });
    expect(run.exitCode).toBe(0);
    const outcome = JSON.parse(run.stdout.trim()) as Outcome;
    expect(outcome).toMatchObject({ verdict: 'accept', retval: 1315 });
  });
});
