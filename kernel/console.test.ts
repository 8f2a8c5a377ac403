import { describe, expect, it } from 'vitest';
import { ConsoleLog, hasFatalLine, scanConsole } from './console.ts';

const WARN = [
  '[   12.000001] ------------[ cut here ]------------',
  '[   12.000002] WARNING: CPU: 0 PID: 77 at kernel/bpf/verifier.c:123 do_check+0x1/0x2',
  '[   12.000003] Call Trace:',
  '[   12.000004]  <TASK>',
  '[   12.000005] ---[ end trace 0000000000000000 ]---',
].join('\r\n');

const PANIC = [
  '[   20.1] sysrq: Trigger a crash',
  '[   20.2] Kernel panic - not syncing: sysrq triggered crash',
  '[   20.3] CPU: 0 UID: 0 PID: 60 Comm: bpfdiff-agent',
  '[   20.4] Call Trace:',
].join('\n');

describe('scanConsole', () => {
  it('finds nothing in ordinary boot chatter', () => {
    expect(scanConsole('[    0.0] Linux version 7.2.13\n[    1.0] Run /init as init process\n')).toBeUndefined();
    expect(hasFatalLine('[    1.0] Run /init as init process\n')).toBe(false);
  });

  it('reports a WARN as a warning starting at its cut-here line, without carriage returns', () => {
    const t = scanConsole(`boot\r\n${WARN}\r\n`);
    expect(t?.kind).toBe('warning');
    expect(t?.excerpt.split('\n')[0]).toContain('[ cut here ]');
    expect(t?.excerpt).not.toContain('\r');
    expect(hasFatalLine(WARN)).toBe(false);
  });

  it('reports a panic as fatal even after an earlier WARN', () => {
    const t = scanConsole(`${WARN}\nsome line\nother\nmore\n${PANIC}`);
    expect(t?.kind).toBe('fatal');
    expect(t?.excerpt.startsWith('[   20.2] Kernel panic')).toBe(true);
    expect(hasFatalLine(PANIC)).toBe(true);
  });

  it('recognises a BUG and an oops', () => {
    expect(scanConsole('[ 3.1] BUG: kernel NULL pointer dereference, address: 0000000000000000\n')?.kind).toBe('fatal');
    expect(scanConsole('[ 3.1] Oops: 0002 [#1] PREEMPT SMP NOPTI\n')?.kind).toBe('fatal');
    expect(scanConsole('[ 3.1] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!\n')?.kind).toBe('fatal');
  });
});

describe('ConsoleLog', () => {
  it('cuts text by absolute offset and keeps only the tail when it grows', () => {
    const log = new ConsoleLog(10);
    log.append('0123456789');
    const mark = log.end;
    log.append('abcde');
    expect(log.since(mark)).toBe('abcde');
    log.append('fghijk'); // 21 characters: more than twice `keep`, so the head is dropped
    expect(log.end).toBe(21);
    expect(log.since(0)).toBe('bcdefghijk');
    expect(log.since(mark)).toBe('bcdefghijk');
    expect(log.tail(3)).toBe('ijk');
  });
});
