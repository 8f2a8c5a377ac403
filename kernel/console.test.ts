import { describe, expect, it } from 'vitest';
import { ConsoleLog, hasFatalLine, isReportHead, scanConsole } from './console.ts';

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

  it('finds a WARN in the 7.2 form (no cut-here line before it) and tells two reports apart', () => {
    const v72 = (comm: string) => `[   9.1] WARNING: kernel/bpf/verifier.c:21043 at check_stack_arg_write+0x1a3/0x260, CPU#0: ${comm}/91\n[   9.2] Comm: ${comm}\n[   9.3] Call Trace:`;
    const t = scanConsole(`boot\n${v72('bd-3')}\n${v72('bd-4')}\n`, 4);
    expect(t?.kind).toBe('warning');
    expect(t?.excerpt).toMatch(/^\[   9\.1\] WARNING: kernel\/bpf\/verifier\.c:21043 at check_stack_arg_write.*bd-4\/91/);
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

describe('scanConsole with the request that owns the text', () => {
  const warn = (id: number | string, where: string) =>
    [
      '[   5.100] ------------[ cut here ]------------',
      `[   5.101] WARNING: CPU: 0 PID: 77 at ${where}`,
      '[   5.102] Modules linked in:',
      `[   5.103] CPU: 0 UID: 0 PID: 77 Comm: ${typeof id === 'number' ? `bd-${id}` : id} Not tainted 7.2.13+deb14-amd64 #1 Debian 7.2.13-1`,
      '[   5.104] Call Trace:',
      '[   5.105] ---[ end trace 0000000000000000 ]---',
    ].join('\n');

  it("passes over a WARN printed while another request ran and finds the owner's", () => {
    const text = `${warn(41, 'kernel/bpf/verifier.c:100 a+0x1/0x2')}\n${warn(42, 'kernel/bpf/core.c:200 b+0x3/0x4')}\n`;
    const mine = scanConsole(text, 42);
    expect(mine?.kind).toBe('warning');
    expect(mine?.excerpt).toMatch(/^\[   5\.100\] -+\[ cut here \]/);
    expect(mine?.excerpt).toContain('kernel/bpf/core.c:200');
    expect(mine?.excerpt).not.toContain('verifier.c:100');
    expect(scanConsole(text, 41)?.excerpt).toContain('verifier.c:100');
    expect(scanConsole(text, 43)).toBeUndefined();
  });

  it('keeps a WARN from a task that is not the agent (a kworker), and any fatal report', () => {
    expect(scanConsole(warn('kworker/0:1', 'mm/slub.c:1'), 42)?.excerpt).toContain('mm/slub.c:1');
    expect(scanConsole(`${warn(41, 'x.c:1')}\n[ 6.0] Kernel panic - not syncing: Fatal exception\n`, 42)?.kind).toBe('fatal');
  });
});

describe('scanConsole: an oops under another request', () => {
  const oops = (id: number) =>
    [
      '[  41.50] BUG: kernel NULL pointer dereference, address: 00000000000000b0',
      '[  41.55] Oops: Oops: 0000 [#1] SMP NOPTI',
      `[  41.60] CPU: 0 UID: 0 PID: 97 Comm: bd-${id} Not tainted 7.2.13+deb14-amd64 #1 PREEMPT(lazy)  Debian 7.2.13-1`,
      '[  41.61] RIP: 0010:check_load_mem+0x222/0x480',
      '[  41.70] Kernel panic - not syncing: Fatal exception',
    ].join('\n');

  it("is not charged to a request that finished while it printed (read in with that request's answer)", () => {
    expect(scanConsole(oops(41), 42)).toBeUndefined();
    expect(scanConsole(oops(41), 41)?.kind).toBe('fatal');
    expect(scanConsole(oops(41))?.kind).toBe('fatal');
  });
  it('is not charged through its Call Trace either (seen in the 60-program campaign of seed 15 under gen/5)', () => {
    const lines = oops(41).split('\n');
    const withTrace = [...lines.slice(0, 4), '[  41.62] Call Trace:', '[  41.63]  <TASK>', '[  41.64]  do_check_common+0x1f/0x80', ...lines.slice(4)].join('\n');
    expect(scanConsole(withTrace, 42)).toBeUndefined();
    expect(scanConsole(withTrace, 41)?.kind).toBe('fatal');
    // a warning of this request's own after the other's oops is still found
    expect(scanConsole(`${withTrace}\n[  42.0] WARNING: CPU: 0 PID: 98 at kernel/bpf/core.c:1 f+0x1/0x2\n[  42.1] CPU: 0 UID: 0 PID: 98 Comm: bd-42\n[  42.2] Call Trace:`, 42)?.kind).toBe('warning');
  });
});

describe('isReportHead', () => {
  it('is a fatal report cut off before the line that names its task, not a whole one nor a warning', () => {
    const head = '[  60.04] BUG: kernel NULL pointer dereference, address: 0000000000000000\n[  60.05] #PF: supervisor read access in kernel mode';
    expect(isReportHead(scanConsole(head, 42)!)).toBe(true);
    const whole = `${head}\n[  60.06] CPU: 0 UID: 0 PID: 97 Comm: bd-42 Not tainted 7.2.13+deb14-amd64 #1\n[  60.07] RIP: 0010:check_load_mem+0x222/0x480`;
    expect(isReportHead(scanConsole(whole, 42)!)).toBe(false);
    expect(isReportHead(scanConsole('[  42.0] WARNING: CPU: 0 PID: 98 at kernel/bpf/core.c:1 f+0x1/0x2', 42)!)).toBe(false);
  });
});

describe('scanConsole: the tail of an earlier report', () => {
  // campaign g4 (7.2.13): the text read with request 42's answer began in the Call Trace of
  // another request's check_load_mem oops and ended with its panic line
  const tail = [
    '[  18.254216] Call Trace:',
    '[  18.254396]  <TASK>',
    '[  18.254532]  do_check_common+0x1248/0x3a20',
    '[  18.261690]  </TASK>',
    '[  18.261795] Modules linked in:',
    '[  18.262567] ---[ end trace 0000000000000000 ]---',
    '[  18.262881] RIP: 0010:check_load_mem+0x222/0x480',
    '[  18.264239] Kernel panic - not syncing: Fatal exception',
    '[  18.264903] Kernel Offset: disabled',
  ];

  it('is no trouble of the request whose answer brought it in, fatal or warning', () => {
    expect(scanConsole(tail.join('\n'), 42)).toBeUndefined();
    expect(scanConsole(tail.join('\n'))).toBeUndefined();
  });

  it("still finds the request's own report after it", () => {
    const own = ['[  19.1] BUG: kernel NULL pointer dereference, address: 0000000000000000', '[  19.2] CPU: 0 UID: 0 PID: 99 Comm: bd-42 Not tainted', '[  19.3] Kernel panic - not syncing: Fatal exception'];
    expect(scanConsole([...tail, ...own].join('\n'), 42)).toMatchObject({ kind: 'fatal', excerpt: expect.stringMatching(/^\[  19\.1\] BUG: kernel NULL pointer dereference/) });
    const warn = ['[  19.1] ------------[ cut here ]------------', '[  19.2] WARNING: CPU: 0 PID: 99 at kernel/bpf/verifier.c:123 f+0x1/0x2', '[  19.3] CPU: 0 UID: 0 PID: 99 Comm: bd-42 Not tainted', '[  19.4] Call Trace:'];
    expect(scanConsole([...tail, ...warn].join('\n'), 42)?.kind).toBe('warning');
  });

  it('a panic that a report opened within the text stays fatal', () => {
    const whole = ['[  41.50] BUG: kernel NULL pointer dereference, address: 00000000000000b0', '[  41.60] CPU: 0 UID: 0 PID: 97 Comm: bd-41 Not tainted', ...tail];
    expect(scanConsole(whole.join('\n'), 41)?.kind).toBe('fatal');
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
