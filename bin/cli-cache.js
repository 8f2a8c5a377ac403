// The CLI compiled once into .cache/cli/<key>/, key = every TypeScript source's path, size and
// modification time (plus the Node and esbuild versions), so an edited file gives a new key
// and is never run stale, while an unchanged tree starts from plain JavaScript without a
// loader. The bundle keeps each command in its own chunk (they load lazily) and leaves
// packages external; `import.meta.url` in each source is replaced by that source's own URL, so
// paths next to the sources (the dashboard, the catalog, record-batch.lua) resolve as before.
// Plain JavaScript: it runs before anything is compiled.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** top-level folders that hold no source the CLI imports (everything else is scanned, so a
 *  new source folder is part of the key without anyone remembering to add it) */
const NOT_SOURCES = new Set(['node_modules', '.git', '.cache', 'vm-images', 'corpus', 'artifacts', 'out', 'dist', 'test', 'bench', 'scripts', 'examples']);

function sourceDirs(root) {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !NOT_SOURCES.has(e.name) && !e.name.startsWith('.'))
    .map((e) => e.name);
}
const cacheDir = (root) => join(root, '.cache', 'cli');
/** a compiled tree this old, not of the current key, is removed */
const STALE_AFTER_MS = 60 * 60 * 1000;

/** Every source file the bundle could contain, with what identifies its content. */
function sourceStamps(root) {
  const lines = [];
  for (const dir of sourceDirs(root)) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const rel of readdirSync(abs, { recursive: true })) {
      const name = String(rel);
      if (!/\.(ts|lua|json)$/.test(name) || name.endsWith('.test.ts')) continue;
      const st = statSync(join(abs, name), { bigint: true });
      lines.push(`${dir}/${name}\t${st.size}\t${st.mtimeNs}\t${st.ino}`);
    }
  }
  return lines.sort().join('\n');
}

function esbuildVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
  } catch {
    return 'none';
  }
}

/** The cache key of the sources under `root` as they are now. */
export function cacheKey(root = ROOT) {
  return createHash('sha256').update(`${process.version}\n${esbuildVersion()}\n${sourceStamps(root)}`).digest('hex').slice(0, 20);
}

/** Path of the compiled entry for this key (it may not exist yet). */
export function compiledEntry(root = ROOT, key = cacheKey(root)) {
  return join(cacheDir(root), key, 'main.js');
}

/** Replaces `import.meta.url` in a source by its own file URL (the bundle lives elsewhere). */
const sourceUrlPlugin = {
  name: 'source-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents: text, loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

/** Compiles ROOT/cli/main.ts into the cache under `key`; written to a temporary folder, then renamed into place. */
export async function compile(root = ROOT, key = cacheKey(root)) {
  const esbuild = await import('esbuild');
  const CACHE_DIR = cacheDir(root);
  const target = join(CACHE_DIR, key);
  const tmp = `${target}.tmp-${process.pid}`;
  await esbuild.build({
    entryPoints: { main: join(root, 'cli', 'main.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir: tmp,
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [sourceUrlPlugin],
  });
  mkdirSync(CACHE_DIR, { recursive: true });
  try {
    renameSync(tmp, target);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process put the same key in place first
  }
  // other keys are stale; one compiled in the last hour may still be loading chunks in a running process
  for (const old of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, old);
    if (old !== key && Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { recursive: true, force: true });
  }
  return join(target, 'main.js');
}

/** `bpfdiff` start-up: the compiled CLI for these sources, compiling it first when they changed. */
export async function compiledCli(root = ROOT) {
  const key = cacheKey(root);
  const entry = compiledEntry(root, key);
  return existsSync(entry) ? entry : compile(root, key);
}

