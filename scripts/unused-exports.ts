// Exported names no other file imports: dead surface that a reader has to understand for
// nothing. Reads the import and export statements of every TypeScript and JavaScript module
// under the source folders (a light parser of the module syntax this repository uses: named,
// namespace, type and dynamic imports, `export { } from` and `export * from` re-exports through
// barrels), then follows each import to the file that declares the name. Tests count as users.
// Entry points (files no module imports: the CLI, scripts, benchmarks) are not checked.
//
//   node --import tsx scripts/unused-exports.ts     (prints one `file: name` per line, exit 1 if any)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_DIRS = ['core', 'config', 'engine', 'kernel', 'store', 'workers', 'services', 'cli', 'bench', 'scripts', 'test', 'bin'];

interface ModuleInfo {
  /** names this file declares and exports */
  declared: Set<string>;
  /** exported name -> [source file, name there] for `export { a as b } from` */
  reexports: Map<string, [string, string]>;
  /** `export * from` sources */
  stars: string[];
  /** [target file, imported name, or '*' for every export] */
  imports: Array<[string, string]>;
}

function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.') || name === 'cache' || name === 'testdata') continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(join(root, d));
  return out;
}

/** Comments and string contents out of the way, so `export` in a comment or a string is not read. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const p of [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts')]) if (existsSync(p) && statSync(p).isFile()) return p;
  return undefined;
}

/** `a, type b, c as d` -> [[a, a], [b, b], [c, d]] (name there, name here) */
function specifiers(list: string): Array<[string, string]> {
  return list
    .split(',')
    .map((s) => s.trim().replace(/^type\s+/, ''))
    .filter((s) => s.length > 0)
    .map((s) => {
      const m = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(s);
      return m ? ([m[1]!, m[2] ?? m[1]!] as [string, string]) : (['', ''] as [string, string]);
    })
    .filter(([a]) => a !== '');
}

function parseModule(file: string, text: string): ModuleInfo {
  const src = stripComments(text);
  const info: ModuleInfo = { declared: new Set(), reexports: new Map(), stars: [], imports: [] };
  const decl = /\bexport\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:const|let|var|function\*?|class|interface|type|enum|abstract\s+class)\s+([\w$]+)/g;
  for (const m of src.matchAll(decl)) info.declared.add(m[1]!);
  // export const [a, b] = ... / export const a = 1, b = 2
  for (const m of src.matchAll(/\bexport\s+const\s+\[([^\]]+)\]/g)) for (const n of m[1]!.split(',')) info.declared.add(n.trim());
  // export const a = 1, b = 2; (simple values on one line)
  for (const m of src.matchAll(/^export\s+const\s+([^;{}()[\]\n]+);\s*$/gm)) {
    for (const n of m[1]!.matchAll(/(?:^|,)\s*([\w$]+)\s*=/g)) info.declared.add(n[1]!);
  }
  for (const m of src.matchAll(/\bexport\s+(?:type\s+)?\{([^}]*)\}\s*(?:from\s*['"]([^'"]+)['"])?/g)) {
    const from = m[2] ? resolveImport(file, m[2]) : undefined;
    for (const [there, here] of specifiers(m[1]!)) {
      if (m[2]) {
        if (from) info.reexports.set(here, [from, there]);
      } else info.declared.add(here);
    }
  }
  for (const m of src.matchAll(/\bexport\s+\*\s+as\s+([\w$]+)\s+from\s*['"]([^'"]+)['"]/g)) {
    info.declared.add(m[1]!);
    const from = resolveImport(file, m[2]!);
    if (from) info.imports.push([from, '*']);
  }
  for (const m of src.matchAll(/\bexport\s+\*\s+from\s*['"]([^'"]+)['"]/g)) {
    const from = resolveImport(file, m[1]!);
    if (from) info.stars.push(from);
  }
  for (const m of src.matchAll(/\bimport\s+(?:type\s+)?([^'";]*?)\s+from\s*['"]([^'"]+)['"]/g)) {
    const target = resolveImport(file, m[2]!);
    if (!target) continue;
    const clause = m[1]!;
    const named = /\{([^}]*)\}/.exec(clause);
    if (named) for (const [there] of specifiers(named[1]!)) info.imports.push([target, there]);
    if (/\*\s+as\s+/.test(clause)) info.imports.push([target, '*']);
    const def = /^([\w$]+)\s*(?:,|$)/.exec(clause.trim());
    if (def) info.imports.push([target, 'default']);
  }
  for (const m of src.matchAll(/\bimport\s*\(\s*['"`]([^'"`]+)['"`]/g)) {
    const target = resolveImport(file, m[1]!);
    if (target) info.imports.push([target, '*']);
  }
  return info;
}

/** Every `file: name` exported by a file other modules import, that no module imports. */
export function unusedExports(root: string, files = sourceFiles(root)): string[] {
  const mods = new Map<string, ModuleInfo>();
  for (const f of files) mods.set(f, parseModule(f, readFileSync(f, 'utf8')));
  const used = new Set<string>();
  const imported = new Set<string>();
  const key = (f: string, n: string): string => `${f}\0${n}`;
  const markAll = (f: string, seen = new Set<string>()): void => {
    if (seen.has(f)) return;
    seen.add(f);
    const m = mods.get(f);
    if (!m) return;
    for (const n of m.declared) used.add(key(f, n));
    for (const [here, [from, there]] of m.reexports) {
      used.add(key(f, here));
      mark(from, there);
    }
    for (const s of m.stars) markAll(s, seen);
  };
  const mark = (f: string, name: string, seen = new Set<string>()): void => {
    if (seen.has(f)) return;
    seen.add(f);
    const m = mods.get(f);
    if (!m) return;
    if (name === '*') return markAll(f);
    used.add(key(f, name));
    const re = m.reexports.get(name);
    if (re) mark(re[0], re[1]);
    for (const s of m.stars) mark(s, name, seen);
  };
  for (const [, m] of mods) {
    for (const [target, name] of m.imports) {
      imported.add(target);
      mark(target, name);
    }
    for (const [, [from]] of m.reexports) imported.add(from);
    for (const s of m.stars) imported.add(s);
  }
  const out: string[] = [];
  for (const [f, m] of mods) {
    if (!imported.has(f) || /\.test\.ts$/.test(f)) continue;
    for (const n of [...m.declared, ...m.reexports.keys()]) if (!used.has(key(f, n))) out.push(`${relative(root, f)}: ${n}`);
  }
  return out.sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = unusedExports(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
  for (const line of found) process.stdout.write(`${line}\n`);
  process.exitCode = found.length > 0 ? 1 : 0;
}
