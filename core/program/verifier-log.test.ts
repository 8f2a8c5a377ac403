import { describe, expect, it } from 'vitest';
import { boundVerifierLog, btfLogReason, parseVerifierLog } from './verifier-log.ts';

const STATS = 'processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0';

describe('parseVerifierLog', () => {
  it('takes the line before `processed N insns` as the reason (7.2 and older)', () => {
    const log = [
      'func#0 @0',
      'func#1 @9',
      '0: R1=ctx() R10=fp0',
      '0: (b7) r1 = 1                        ; R1_w=1',
      '6: (7a) *(u64 *)(r11 -64) = 13',
      'stack arg write offset -64 exceeds max 7 stack args',
      STATS,
      '',
    ].join('\n');
    expect(parseVerifierLog(log)).toEqual({
      message: 'stack arg write offset -64 exceeds max 7 stack args',
      processedInsns: 12,
    });
  });

  it('takes the classic line before the 7.3 report and keeps the report title', () => {
    const log = [
      '4: (85) call pc+2',
      'callee expects 7 args, stack arg7 is not initialized',
      '',
      'Verification failed: Register Type Safety: Missing stack argument',
      '',
      'Reason:',
      '  the callee reads stack argument 7, which the caller did not write',
      '  (this line is not the reason line)',
      '',
      'At:',
      '  Instruction context:',
      '      3 | (7a) *(u64 *)(r11 -8) = 600',
      '  >>> 4 | (85) call pc+2',
      '        ^-- here',
      '',
      'Suggestion:',
      '  store every stack argument before the call',
      '',
      STATS,
    ].join('\n');
    const facts = parseVerifierLog(log);
    expect(facts.message).toBe('callee expects 7 args, stack arg7 is not initialized');
    expect(facts.report).toBe('Register Type Safety: Missing stack argument');
  });

  it('reads a real 7.3-rc7 log with a report', () => {
    // verbatim from Debian's 7.3-rc7 kernel: f takes 7 args, main stored only arg 6
    const log = [
      '0: R1=ctx() R10=fp0',
      '5: (7a) *(u64 *)(r11 -8) = 600',
      '6: (85) call pc+1',
      'callee expects 7 args, stack arg2 is not initialized',
      '',
      'Verification failed: Register Type Safety: Missing stack argument',
      '',
      'Reason:',
      '  Function f expects 7 arguments, but outgoing stack argument 2 (seventh argument, a7) is not',
      '  initialized at this call.',
      '',
      'At:',
      '  insn 6',
      '       | ^-- error: outgoing stack argument 2 (seventh argument, a7) is not initialized',
      '  Instruction context:',
      '       5 | (7a) *(u64 *)(r11 -8) = 600',
      '  >>>  6 | (85) call pc+1',
      '       7 | (95) exit',
      '',
      'Suggestion:',
      '  Write the outgoing stack argument after any operation that may invalidate stored pointer values,',
      '  and before making this call.',
      '',
      'processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
      '',
    ].join('\n');
    expect(parseVerifierLog(log)).toEqual({
      message: 'callee expects 7 args, stack arg2 is not initialized',
      report: 'Register Type Safety: Missing stack argument',
      processedInsns: 7,
    });
  });

  it('keeps a report that has a category and no title', () => {
    const log = ['R11 is invalid', '', 'Verification failed: Verifier Error', '', 'Reason:', '  x', STATS].join('\n');
    expect(parseVerifierLog(log)).toMatchObject({ message: 'R11 is invalid', report: 'Verifier Error' });
  });

  it('does not mistake a "Verification failed" text without the blank line for a report', () => {
    const log = ['foo', 'Verification failed: inline', STATS].join('\n');
    expect(parseVerifierLog(log)).toEqual({ message: 'Verification failed: inline', processedInsns: 12 });
  });

  it('falls back to the last non-empty line of a log without stats (truncated log)', () => {
    expect(parseVerifierLog('0: (b7) r0 = 0\n1: (95) exit\nR0 !read_ok\n\n\n').message).toBe('R0 !read_ok');
    expect(parseVerifierLog('')).toEqual({ message: '' });
  });

  it('uses the last stats line when the log has several', () => {
    const log = ['a', 'processed 1 insns (limit 1)', 'the reason', 'processed 3 insns (limit 1)'].join('\n');
    expect(parseVerifierLog(log)).toEqual({ message: 'the reason', processedInsns: 3 });
  });

  it('gives an empty reason for an accepted program whose log is the stats line only', () => {
    expect(parseVerifierLog(`${STATS}\n`).message).toBe('');
  });
});

describe('btfLogReason', () => {
  it('is the last non-empty line of the BTF log', () => {
    const log = 'magic: 0xeb9f\nversion: 1\n[3] FUNC_PROTO (anon) return=1 args=(...)\nInvalid arg#1\n\n';
    expect(btfLogReason(log)).toBe('Invalid arg#1');
    expect(btfLogReason('')).toBe('');
  });
});

describe('boundVerifierLog', () => {
  it('keeps a log within the bound as it is', () => {
    expect(boundVerifierLog('0: (b7) r0 = 0\n1: (95) exit\nprocessed 2 insns', 1024)).toBe('0: (b7) r0 = 0\n1: (95) exit\nprocessed 2 insns');
  });

  it('cuts a long log between its start and its end, and says how much it cut', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${i}: (07) r1 += 1                 ; R1_w=${i}`);
    lines.push('R11 is invalid', 'processed 5000 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0');
    const log = lines.join('\n');
    const kept = boundVerifierLog(log, 8192);
    expect(new TextEncoder().encode(kept).length).toBeLessThanOrEqual(8192 + 200);
    const out = kept.split('\n');
    expect(out[0]).toBe(lines[0]);
    expect(out.slice(-2)).toEqual(lines.slice(-2)); // the reason line and the stats survive
    const note = out.find((l) => l.startsWith('[bpfdiff:'))!;
    expect(note).toMatch(/^\[bpfdiff: [\d,]+ lines \([\d,]+ bytes\) cut here; the log had 5,002 lines/);
    const cut = Number(/^\[bpfdiff: ([\d,]+) lines/.exec(note)![1].replace(/,/g, ''));
    expect(out.length - 1 + cut).toBe(lines.length);
  });
});
