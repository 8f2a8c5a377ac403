// Log lines: pino-pretty's readable form on a terminal, JSON lines on anything else or with
// LOG_FORMAT=json; secrets redacted in both.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, logFormat } from './log.ts';

function sink(isTTY: boolean): Writable & { text: string; isTTY: boolean } {
  const s = new Writable({
    write(chunk: Buffer, _e, done) {
      s.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string; isTTY: boolean };
  s.text = '';
  s.isTTY = isTTY;
  return s;
}
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const saved = process.env.LOG_FORMAT;
afterEach(() => {
  if (saved === undefined) delete process.env.LOG_FORMAT;
  else process.env.LOG_FORMAT = saved;
});

describe('log format', () => {
  it('on a terminal: one readable line per entry, time, level, name, message and fields, token redacted', () => {
    delete process.env.LOG_FORMAT;
    const tty = sink(true);
    createLogger('bpfdiff', tty).info({ jobId: 'j1', token: 'secret' }, 'batch recorded');
    const line = plain(tty.text);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] INFO \(bpfdiff\): batch recorded \{"jobId":"j1","token":"\[redacted\]"\}\n$/);
    expect(() => JSON.parse(line)).toThrow();
  });

  it('JSON lines on a pipe, and on a terminal with LOG_FORMAT=json', () => {
    delete process.env.LOG_FORMAT;
    const pipe = sink(false);
    createLogger('bpfdiff', pipe).info({ jobId: 'j1' }, 'batch recorded');
    expect(JSON.parse(pipe.text)).toMatchObject({ level: 30, name: 'bpfdiff', jobId: 'j1', msg: 'batch recorded' });
    process.env.LOG_FORMAT = 'json';
    const tty = sink(true);
    expect(logFormat(tty)).toBe('json');
    createLogger('bpfdiff', tty).warn('x');
    expect(JSON.parse(tty.text)).toMatchObject({ level: 40, msg: 'x' });
  });
});
