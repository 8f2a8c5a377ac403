// The size rules for core/ (docs/ARCHITECTURE.md, the project's guide): no file over 600 lines,
// no function over 120 lines. Exempt: the frozen BigInt reference (core/model/scalar/bigint-reference)
// and the interpreter's dispatch switch (Machine.run in core/model/interp/execute.ts), one case per
// instruction class as ___bpf_prog_run is one jump table.
//
//   node --import tsx scripts/size-limits.ts     (prints each violation, exit 1 if any)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_FILE_LINES = 600;
const MAX_FUNCTION_LINES = 120;
const EXEMPT_FILES = /\/bigint-reference\//;
const EXEMPT_FUNCTIONS = new Set(['core/model/interp/execute.ts: run']);
const NOT_FUNCTIONS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'return', 'typeof', 'await']);

interface FunctionSpan {
  name: string;
  /** 1-based lines of the opening and closing brace */
  start: number;
  end: number;
}

/**
 * Function bodies of a TypeScript source: blocks opened after `) {`, `): Type {` or `=> {`
 * whose parenthesis does not belong to if/for/while/switch/catch. Strings, template literals
 * and comments are skipped; a body's length is counted from its opening to its closing brace.
 */
export function functionSpans(text: string): FunctionSpan[] {
  const code = blankNonCode(text);
  const lineAt: number[] = [];
  let line = 1;
  for (let i = 0; i < code.length; i++) {
    lineAt.push(line);
    if (code[i] === '\n') line++;
  }
  const stack: Array<{ at: number; name: string | undefined }> = [];
  const out: FunctionSpan[] = [];
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '{') stack.push({ at: i, name: functionNameBefore(code, i) });
    else if (c === '}') {
      const open = stack.pop();
      if (open?.name !== undefined) out.push({ name: open.name, start: lineAt[open.at]!, end: lineAt[i]! });
    }
  }
  return out;
}

/** The name of the function whose body opens at `brace`, or undefined when it is not one. */
function functionNameBefore(code: string, brace: number): string | undefined {
  let j = brace - 1;
  while (j >= 0 && /\s/.test(code[j]!)) j--;
  if (code[j] === '>' && code[j - 1] === '=') {
    const head = code.slice(Math.max(0, j - 400), j - 1);
    const m = /([\w$]+)\s*(?::[^=;{}]*)?=\s*(?:async\s*)?(?:\([^;{}]*\)|[\w$]+)\s*(?::[^;{}=]*)?$/.exec(head);
    return m ? m[1]! : '(arrow)';
  }
  // a brace right after ':', '|', '&' or ',' opens an object type, not a body
  if (':|&,'.includes(code[j]!)) return undefined;
  // a return type annotation between ')' and '{' (object types in it included)
  const head = code.slice(Math.max(0, j - 300), j + 1);
  const typed = /\)\s*:\s*(?:[^;{}()\n]|\{[^{}\n]*\})*$/.exec(head);
  if (typed) j = j - (head.length - typed.index - 1);
  if (code[j] !== ')') return undefined;
  let depth = 0;
  for (; j >= 0; j--) {
    if (code[j] === ')') depth++;
    else if (code[j] === '(') {
      depth--;
      if (depth === 0) break;
    }
  }
  let k = j - 1;
  while (k >= 0 && /\s/.test(code[k]!)) k--;
  // generic parameters: name<T>(...)
  if (code[k] === '>') {
    let d = 0;
    for (; k >= 0; k--) {
      if (code[k] === '>') d++;
      else if (code[k] === '<' && --d === 0) break;
    }
    k--;
  }
  const m = /([\w$]+)\s*$/.exec(code.slice(Math.max(0, k - 80), k + 1));
  if (!m) return undefined;
  return NOT_FUNCTIONS.has(m[1]!) ? undefined : m[1]!;
}

/** The source with string, template and comment contents replaced by spaces (newlines kept). */
function blankNonCode(text: string): string {
  const out = text.split('');
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let k = i + 1;
      while (k < text.length && text[k] !== c) k += text[k] === '\\' ? 2 : 1;
      blank(i + 1, k);
      i = k + 1;
    } else i++;
  }
  return out.join('');
}

function coreFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(join(root, 'core'));
  return out.sort();
}

/** Every file over MAX_FILE_LINES and every function over MAX_FUNCTION_LINES under root/core. */
export function sizeViolations(root: string): string[] {
  const out: string[] = [];
  for (const file of coreFiles(root)) {
    const rel = relative(root, file);
    if (EXEMPT_FILES.test(`/${rel}`)) continue;
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_FILE_LINES) out.push(`${rel}: ${lines} lines (at most ${MAX_FILE_LINES})`);
    for (const f of functionSpans(text)) {
      const n = f.end - f.start + 1;
      if (n > MAX_FUNCTION_LINES && !EXEMPT_FUNCTIONS.has(`${rel}: ${f.name}`)) {
        out.push(`${rel}:${f.start}: function ${f.name} is ${n} lines (at most ${MAX_FUNCTION_LINES})`);
      }
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = sizeViolations(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
  for (const line of found) process.stdout.write(`${line}\n`);
  process.exitCode = found.length > 0 ? 1 : 0;
}
