// The layer rules of docs/ARCHITECTURE.md, checked: which folder may import which, that test-only
// code stays out of production files, and that no two folders import each other (directly or
// round a loop). esbuild resolves every import (static, re-export, dynamic) exactly as the CLI's
// bundle does, so the graph is the one that runs.
//
//   node --import tsx scripts/layers.ts        # prints every violation; exit 1 if any
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { build } from 'esbuild';

interface LayerRule {
  /** a folder (`core/`, `services/api/`) or file; the longest match wins */
  from: string;
  /** folders or files its production files may import ('*': anything but test code) */
  may: string[];
  /** packages (or `node:` builtins) it may import; default any */
  packages?: string[];
}

const RULES: LayerRule[] = [
  { from: 'core/', may: ['core/'], packages: ['@sinclair/typebox'] },
  { from: 'config/', may: ['config/'], packages: ['node:os', 'node:path', 'pino', 'pino-pretty'] },
  { from: 'kernel/', may: ['kernel/', 'core/', 'config/'] },
  { from: 'store/', may: ['store/', 'core/', 'config/'] },
  { from: 'engine/', may: ['engine/', 'core/', 'kernel/', 'config/'] },
  { from: 'workers/', may: ['workers/', 'core/', 'kernel/', 'store/', 'engine/', 'config/'] },
  // the API takes queue producers from workers/, nothing else of it
  { from: 'services/api/', may: ['services/api/', 'core/', 'store/', 'config/', 'workers/queues.ts'] },
  { from: 'services/dashboard/', may: ['services/dashboard/'] },
  { from: 'cli/', may: ['*'] },
  { from: 'bench/', may: ['*'] },
  { from: 'scripts/', may: ['*'] },
  { from: 'vm-images/', may: ['*'] },
];

/** Helpers of unit tests that sit beside the code they test (everything else test-only is under test/). */
const TEST_HELPERS = ['core/model/test-programs.ts', 'core/model/scalar/test-arbitraries.ts'];

/** Test code: tests, their helpers and data. Production files may not import it; it may import anything. */
function isTestCode(file: string): boolean {
  return /\.test\.ts$/.test(file) || file.startsWith('test/') || /(^|\/)(testdata|fixtures)\//.test(file) || TEST_HELPERS.includes(file);
}

/**
 * Folders that are one unit for the loop check: an application whose subfolders are its own
 * parts (the API's routes and plugins beside app.ts, the CLI's commands beside main.ts). Every
 * other folder is a unit of its own, so core/model/scalar and core/model may not import each other.
 */
const UNITS = ['services/api/', 'services/dashboard/', 'cli/', 'bench/', 'scripts/', 'vm-images/'];

interface LayerReport {
  /** `FILE imports TARGET: RULE` */
  violations: string[];
  /** folder loops, each as `a -> b -> a` */
  cycles: string[];
}

const SKIP = new Set(['node_modules', '.cache', 'dist', 'artifacts', '.git', 'cache']);

function sources(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.isSymbolicLink()) continue;
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...sources(root, path));
    else if (/\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts') && dir !== '') out.push(path);
  }
  return out;
}

/** file → the repository files and packages it imports */
async function importGraph(root: string, files: string[]): Promise<Map<string, { files: string[]; packages: string[] }>> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: files,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: 'out',
    logLevel: 'silent',
    // the dashboard imports what the API serves (`/vendor/...`): a URL, not a file here
    plugins: [{ name: 'urls', setup: (b) => b.onResolve({ filter: /^(\/|https?:)/ }, (a) => ({ path: a.path, external: true })) }],
  });
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  for (const [input, info] of Object.entries(result.metafile.inputs)) {
    const file = relative(root, join(root, input)).split(sep).join('/');
    const files: string[] = [];
    const packages: string[] = [];
    for (const imp of info.imports) {
      if (imp.external) packages.push(imp.path.startsWith('node:') ? imp.path : imp.path.split('/').slice(0, imp.path.startsWith('@') ? 2 : 1).join('/'));
      else files.push(relative(root, join(root, imp.path)).split(sep).join('/'));
    }
    graph.set(file, { files, packages });
  }
  return graph;
}

function ruleOf(file: string, rules: LayerRule[]): LayerRule | undefined {
  return rules.filter((r) => file.startsWith(r.from)).sort((a, b) => b.from.length - a.from.length)[0];
}

const allowed = (target: string, may: string[]) => may.some((m) => m === '*' || target === m || (m.endsWith('/') && target.startsWith(m)));
function folderOf(file: string, units: string[]): string {
  const unit = units.find((u) => file.startsWith(u));
  return unit ? unit.slice(0, -1) : file.slice(0, Math.max(0, file.lastIndexOf('/')));
}

/** Folder loops: strongly connected groups of folders (Tarjan), each printed as a loop through them. */
function folderCycles(edges: Map<string, Set<string>>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.map((g) => `${g.join(' <-> ')}`);
}

export async function checkLayers(root: string, rules: LayerRule[] = RULES, units: string[] = UNITS): Promise<LayerReport> {
  const files = sources(root).filter((f) => ruleOf(f, rules) || isTestCode(f));
  const graph = await importGraph(root, files);
  const violations: string[] = [];
  const folders = new Map<string, Set<string>>();
  for (const [file, { files: targets, packages }] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
    if (isTestCode(file)) continue;
    const rule = ruleOf(file, rules);
    if (!rule) continue;
    for (const target of targets) {
      if (isTestCode(target)) violations.push(`${file} imports ${target}: test code is not for production files`);
      else if (!allowed(target, rule.may)) violations.push(`${file} imports ${target}: ${rule.from} may import ${rule.may.join(', ')}`);
      const [from, to] = [folderOf(file, units), folderOf(target, units)];
      if (!isTestCode(target) && from !== to) {
        const set = folders.get(from) ?? new Set<string>();
        set.add(to);
        folders.set(from, set);
      }
    }
    if (rule.packages) {
      for (const p of packages) if (!rule.packages.includes(p)) violations.push(`${file} imports ${p}: ${rule.from} may import the packages ${rule.packages.join(', ')}`);
    }
  }
  return { violations: violations.sort(), cycles: folderCycles(folders) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..');
  const report = await checkLayers(root);
  for (const v of report.violations) process.stdout.write(`layer: ${v}\n`);
  for (const c of report.cycles) process.stdout.write(`folder loop: ${c}\n`);
  process.exitCode = report.violations.length + report.cycles.length > 0 ? 1 : 0;
}
