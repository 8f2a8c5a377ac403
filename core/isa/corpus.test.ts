// Kernel-printed instruction text (corpus/disasm/*.txt) must assemble and print back identically.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble } from './index.ts';

const dir = fileURLToPath(new URL('../../corpus/disasm/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));

describe.each(files)('corpus/disasm/%s', (file) => {
  const lines = readFileSync(dir + file, 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trimEnd(), line: i + 1 }))
    .filter((l) => l.text !== '' && !l.text.startsWith(';'));

  it('has instruction lines', () => {
    expect(lines.length).toBeGreaterThan(0);
  });

  it.each(lines)('line $line: $text', ({ text: line }) => {
    // a log line's `N: ` index is kept out of the comparison; quotes without the `(hh) `
    // prefix (xlated dumps) are compared without it
    const text = line.replace(/^\d+: /, '');
    const hasPrefix = /^\([0-9a-f]{2}\) /.test(text);
    const printed = disassemble(assemble(text).insns);
    expect(printed).toHaveLength(1);
    expect(hasPrefix ? printed[0].text : printed[0].text.slice(5)).toBe(text);
  });
});

it('the 7.2 corpus covers every instruction class', () => {
  const text = readFileSync(dir + 'kernel-7.2.txt', 'utf8');
  const classes = new Set<number>();
  for (const m of text.matchAll(/^\(([0-9a-f]{2})\) /gm)) classes.add(parseInt(m[1], 16) & 7);
  expect([...classes].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(text.match(/^\([0-9a-f]{2}\) /gm)!.length).toBeGreaterThanOrEqual(60);
});

it('all-classes.s disassembles to what linux 7.2.13 printed for it, index by index', () => {
  const program = assemble(readFileSync(dir + 'all-classes.s', 'utf8'));
  const mine = new Map(disassemble(program.insns).map((l) => [l.index, l.text]));
  const logged = readFileSync(dir + 'booted-7.2.13-all-classes.txt', 'utf8')
    .split('\n')
    .map((l) => /^(\d+): (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  expect(logged.length).toBe(mine.size - 1); // all but the map load (see the file's header)
  for (const [, index, text] of logged) expect(`${index}: ${mine.get(Number(index))}`).toBe(`${index}: ${text}`);
  expect(mine.get(58)).toBe('(18) r1 = map[id:0]');
});
