// core/ keeps to its size rules (files <= 600 lines, functions <= 120), and the check finds a
// planted long file and a planted long function (a method, an arrow and a function statement).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { functionSpans, sizeViolations } from './size-limits.ts';

const body = (n: number): string => Array.from({ length: n }, (_, i) => `  x += ${i}; // '{' in a comment is not a brace`).join('\n');

describe('size limits', () => {
  it('no file in core/ over 600 lines and no function over 120 (frozen BigInt reference and the interpreter dispatch aside)', () => {
    expect(sizeViolations(join(import.meta.dirname, '..'))).toEqual([]);
  }, 60_000);

  it('finds function bodies and not control-flow blocks', () => {
    const src = `function f(a: number): number {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}\nclass C {\n  m(x: string): { y: number } | undefined {\n    for (const c of x) {\n    }\n    return undefined;\n  }\n}\nconst g = (v: number): void => {\n  const s = '}';\n};\n`;
    expect(functionSpans(src).map((f) => [f.name, f.start, f.end])).toEqual([['f', 1, 6], ['m', 8, 12], ['g', 14, 16]]);
  });

  describe('on a planted tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'bpfdiff-size-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'core/a'), { recursive: true });
    writeFileSync(join(root, 'core/a/ok.ts'), `export function short(): number {\n  let x = 0;\n${body(100)}\n  return x;\n}\n`);
    writeFileSync(join(root, 'core/a/long-fn.ts'), `export function long(): number {\n  let x = 0;\n${body(130)}\n  return x;\n}\n`);
    writeFileSync(join(root, 'core/a/long-arrow.ts'), `export const arrow = (): number => {\n  let x = 0;\n${body(125)}\n  return x;\n};\n`);
    writeFileSync(join(root, 'core/a/long-method.ts'), `export class K {\n  method(): number {\n    let x = 0;\n${body(121)}\n    return x;\n  }\n}\n`);
    writeFileSync(join(root, 'core/a/long-file.ts'), Array.from({ length: 610 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n');

    it('reports each planted violation and nothing else', () => {
      expect(sizeViolations(root)).toEqual([
        'core/a/long-arrow.ts:1: function arrow is 129 lines (at most 120)',
        'core/a/long-file.ts: 610 lines (at most 600)',
        'core/a/long-fn.ts:1: function long is 134 lines (at most 120)',
        'core/a/long-method.ts:2: function method is 125 lines (at most 120)',
      ]);
    });
  });
});
