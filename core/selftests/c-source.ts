// Reading a kernel BPF selftest C file (tools/testing/selftests/bpf/progs/verifier_*.c) as
// far as the importer needs: the preprocessor conditionals the tests use, the top-level items
// (functions with their annotation macros, map definitions, struct/enum/#define text for the
// C compiler that evaluates constants), and the parts of each `asm volatile (...)` statement.
// Pure text processing: the caller reads the file and evaluates C expressions.

/** Macros the selftests' BPF build defines for an x86-64 target with a recent clang (bpf_misc.h, Makefile). */
const DEFINED = new Set([
  '__TARGET_ARCH_x86', '__clang__', '__BPF_FEATURE_ADDR_SPACE_CAST', '__BPF_FEATURE_MAY_GOTO',
  '__BPF_FEATURE_STACK_ARGUMENT', 'SPEC_V1', 'SPEC_V4', 'CAN_USE_GOTOL', 'CAN_USE_BPF_ST',
  'CAN_USE_LOAD_ACQ_STORE_REL', 'ENABLE_ATOMICS_TESTS', 'bpf_target_x86',
]);
const VALUES: Record<string, number> = { __clang_major__: 21, __BYTE_ORDER__: 1234, __ORDER_LITTLE_ENDIAN__: 1234, __ORDER_BIG_ENDIAN__: 4321, __riscv_xlen: 0 };

class CSourceError extends Error {
  override readonly name = 'CSourceError';
}

/** Evaluate one `#if` expression made of defined(), known numbers, !, &&, ||, comparisons. */
function evalCondition(expr: string): boolean {
  let e = expr.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '');
  e = e.replace(/defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)/g, (_m, a: string | undefined, b: string | undefined) => (DEFINED.has((a ?? b)!) ? '1' : '0'));
  e = e.replace(/[A-Za-z_]\w*/g, (id) => String(VALUES[id] ?? (DEFINED.has(id) ? 1 : 0)));
  if (!/^[\d\s()!&|=<>]*$/.test(e)) throw new CSourceError(`#if ${expr}: cannot evaluate`);
  // only digits, parentheses and logical/comparison operators are left: safe to evaluate
  return Boolean(new Function(`return (${e.replace(/(?<![=!<>])=(?!=)/g, '==')});`)());
}

/** Join backslash-newlines (C translation phase 2) and drop the lines of false #if branches. */
export function preprocess(text: string): string {
  const lines = text.replace(/\\\r?\n/g, '').split(/\r?\n/);
  const out: string[] = [];
  // each level: [this branch active, some branch already taken, parent active]
  const stack: Array<{ active: boolean; taken: boolean; parent: boolean }> = [];
  const live = () => (stack.length === 0 ? true : stack[stack.length - 1].active);
  for (const line of lines) {
    const m = /^\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b\s*(.*)$/.exec(line);
    if (!m) {
      out.push(live() ? line : '');
      continue;
    }
    const [, kw, rest] = m;
    const arg = rest.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '').trim();
    if (kw === 'if' || kw === 'ifdef' || kw === 'ifndef') {
      const parent = live();
      const cond = kw === 'if' ? evalCondition(arg) : kw === 'ifdef' ? DEFINED.has(arg) : !DEFINED.has(arg);
      stack.push({ active: parent && cond, taken: cond, parent });
    } else if (kw === 'elif' || kw === 'else') {
      const top = stack[stack.length - 1];
      if (!top) throw new CSourceError(`#${kw} without #if`);
      const cond = kw === 'else' ? true : evalCondition(arg);
      top.active = top.parent && !top.taken && cond;
      top.taken ||= cond;
    } else {
      if (!stack.pop()) throw new CSourceError('#endif without #if');
    }
    out.push('');
  }
  return out.join('\n');
}

/** A top-level item: a preprocessor line, a declaration ending in `;`, or a function ending in `}`. */
interface TopItem {
  kind: 'directive' | 'decl' | 'function';
  text: string;
  /** for a function: the text before its body's `{`, and the body without the braces */
  header?: string;
  body?: string;
}

/** Split preprocessed C into top-level items, skipping comments and respecting strings. */
export function topLevelItems(text: string): TopItem[] {
  const items: TopItem[] = [];
  let depth = 0;
  let start = 0;
  let bodyStart = -1;
  let i = 0;
  const n = text.length;
  const push = (kind: TopItem['kind'], end: number) => {
    const raw = stripComments(text.slice(start, end)).trim();
    if (raw !== '') {
      const item: TopItem = { kind, text: raw };
      if (kind === 'function') {
        item.header = stripComments(text.slice(start, bodyStart)).trim();
        item.body = text.slice(bodyStart + 1, end - 1);
      }
      items.push(item);
    }
    start = end;
  };
  while (i < n) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      i = text.indexOf('\n', i);
      if (i < 0) i = n;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i = skipQuoted(text, i);
      continue;
    }
    if (depth === 0 && c === '#' && /^\s*$/.test(text.slice(text.lastIndexOf('\n', i - 1) + 1, i))) {
      push('decl', i);
      let e = text.indexOf('\n', i);
      if (e < 0) e = n;
      start = i;
      push('directive', e);
      i = e;
      continue;
    }
    if (c === '{') {
      if (depth === 0) bodyStart = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        // a function body ends the item unless a declarator follows (`struct {...} name;`)
        const after = /^\s*([;A-Za-z_])/.exec(text.slice(i + 1));
        const header = text.slice(start, bodyStart);
        if ((!after || after[1] !== ';') && /\)\s*$/.test(stripComments(header).trim())) {
          push('function', i + 1);
        }
      }
    } else if (c === ';' && depth === 0) {
      push('decl', i + 1);
    }
    i++;
  }
  return items;
}

function skipQuoted(text: string, at: number): number {
  const q = text[at];
  let i = at + 1;
  while (i < text.length && text[i] !== q) i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function stripComments(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s[i] === '"' || s[i] === "'") {
      const e = skipQuoted(s, i);
      out += s.slice(i, e);
      i = e;
    } else if (s.startsWith('//', i)) {
      const e = s.indexOf('\n', i);
      i = e < 0 ? s.length : e;
    } else if (s.startsWith('/*', i)) {
      const e = s.indexOf('*/', i + 2);
      i = e < 0 ? s.length : e + 2;
      out += ' ';
    } else out += s[i++];
  }
  return out;
}

/** The value of a sequence of C string literals (`"a" "b"`), escapes decoded. */
export function cString(text: string): string {
  let out = '';
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    out += m[1].replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_e, x: string) => {
      if (x[0] === 'x') return String.fromCharCode(parseInt(x.slice(1), 16));
      if (/^[0-7]/.test(x)) return String.fromCharCode(parseInt(x, 8));
      return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[x] ?? x;
    });
  }
  return out;
}

/** Split `a, b(c, d), "e,f"` at the top-level commas. */
export function splitTopLevel(s: string, sep = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") {
      const e = skipQuoted(s, i);
      cur += s.slice(i, e);
      i = e - 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (c === sep && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** `NAME(args)` macro invocations at the top level of an annotation header, in order. */
export function macroCalls(header: string): Array<{ name: string; args?: string }> {
  const out: Array<{ name: string; args?: string }> = [];
  const re = /\b([A-Za-z_]\w*)\s*(\()?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) {
    if (!m[2]) {
      out.push({ name: m[1] });
      continue;
    }
    let depth = 1;
    let i = re.lastIndex;
    for (; i < header.length && depth > 0; i++) {
      if (header[i] === '"') i = skipQuoted(header, i) - 1;
      else if (header[i] === '(') depth++;
      else if (header[i] === ')') depth--;
    }
    out.push({ name: m[1], args: header.slice(re.lastIndex, i - 1) });
    re.lastIndex = i;
  }
  return out;
}

/** The parts of an `asm volatile (TEMPLATE : outputs : inputs : clobbers)` statement. */
export interface AsmStatement {
  template: string;
  /** set when the template is not only string literals (a C macro builds part of it) */
  macro?: string;
  /** input operands as written: `__imm(x)`, `__imm_const(n, e)`, `[n]"i"(e)`, ... */
  inputs: string[];
}

/** A `#define` whose body builds asm text from string literals. */
export interface StringMacro {
  params?: string[];
  body: string;
}

/** Parse `#define NAME(params) body` when the body has a string literal; else undefined. */
export function stringMacro(directive: string): [string, StringMacro] | undefined {
  const m = /^#\s*define\s+([A-Za-z_]\w*)(\(([^)]*)\))?\s+([\s\S]*)$/.exec(directive.trim());
  if (!m || !m[4].includes('"') || /\basm\b/.test(m[4])) return undefined;
  const macro: StringMacro = { body: m[4].trim() };
  if (m[2]) macro.params = m[3].split(',').map((p) => p.trim()).filter((p) => p !== '');
  return [m[1], macro];
}

/** Expand string macros in asm template text (function-like ones with `#param` stringification). */
function expandMacros(text: string, macros: ReadonlyMap<string, StringMacro>): string {
  if (macros.size === 0) return text;
  let out = text;
  for (let round = 0; round < 8; round++) {
    let changed = false;
    let result = '';
    let i = 0;
    while (i < out.length) {
      if (out[i] === '"') {
        const e = skipQuoted(out, i);
        result += out.slice(i, e);
        i = e;
        continue;
      }
      const m = /^[A-Za-z_]\w*/.exec(out.slice(i));
      if (!m) {
        result += out[i++];
        continue;
      }
      const macro = macros.get(m[0]);
      i += m[0].length;
      if (!macro) {
        result += m[0];
        continue;
      }
      if (!macro.params) {
        result += ` ${macro.body} `;
        changed = true;
        continue;
      }
      const open = /^\s*\(/.exec(out.slice(i));
      if (!open) {
        result += m[0];
        continue;
      }
      let depth = 1;
      let j = i + open[0].length;
      for (; j < out.length && depth > 0; j++) {
        if (out[j] === '"') j = skipQuoted(out, j) - 1;
        else if (out[j] === '(') depth++;
        else if (out[j] === ')') depth--;
      }
      const args = splitTopLevel(out.slice(i + open[0].length, j - 1));
      const params = macro.params;
      const body = macro.body.replace(/(#?)\s*\b([A-Za-z_]\w*)\b/g, (whole, hash: string, id: string) => {
        const k = params.indexOf(id);
        if (k < 0) return whole;
        return hash ? ` "${args[k] ?? ''}"` : ` ${args[k] ?? ''}`;
      });
      result += ` ${body} `;
      i = j;
      changed = true;
    }
    out = result;
    if (!changed) break;
  }
  return out;
}

/** The asm statements of a function body; `undefined` when the body has anything else (C code). */
export function asmStatements(body: string, macros: ReadonlyMap<string, StringMacro> = new Map()): AsmStatement[] | undefined {
  const stmts = splitTopLevel(stripComments(body), ';').filter((s) => s !== '');
  const out: AsmStatement[] = [];
  for (const s of stmts) {
    const m = /^(?:asm|__asm__)\s*(?:volatile|__volatile__)?\s*\(([\s\S]*)\)$/.exec(s);
    if (!m) return undefined;
    const parts = splitTopLevel(expandMacros(m[1], macros), ':');
    if (!/^\s*"/.test(parts[0] ?? '')) return undefined;
    const st: AsmStatement = { template: cString(parts[0]), inputs: parts[2] ? splitTopLevel(parts[2]) : [] };
    const rest = parts[0].replace(/"(?:[^"\\]|\\.)*"/g, '').trim();
    if (rest !== '') st.macro = rest.slice(0, 40);
    out.push(st);
  }
  return out;
}
