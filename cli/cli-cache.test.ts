// The compiled-CLI cache of bin/bpfdiff.js: a change to any source gives a new key and a fresh
// compile (never a stale run), an unchanged tree reuses the compiled files, paths next to a
// source still resolve from the source's own folder, and the compiled CLI prints what the
// TypeScript run through tsx prints.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript without type declarations: it runs before anything is compiled
import { cacheKey, compiledCli } from '../bin/cli-cache.js';

const root = mkdtempSync(join(tmpdir(), 'bpfdiff-cli-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (entry: string) => execFileSync(process.execPath, [entry], { encoding: 'utf8' }).trim();

describe('compiled CLI cache', () => {
  it('compiles once, reuses the result, and compiles again after any source changes', async () => {
    mkdirSync(join(root, 'cli'));
    writeFileSync(join(root, 'cli', 'main.ts'), "import { msg } from './msg.ts';\nconst n: number = 1;\nconsole.log(msg, n, new URL('./x', import.meta.url).pathname);\n");
    writeFileSync(join(root, 'cli', 'msg.ts'), "export const msg = 'one';\n");
    const first: string = await compiledCli(root);
    expect(run(first)).toBe(`one 1 ${join(root, 'cli', 'x')}`);
    const builtAt = statSync(first).mtimeMs;
    expect(await compiledCli(root)).toBe(first);
    expect(statSync(first).mtimeMs).toBe(builtAt);

    // same size, same second: only the modification time in nanoseconds tells them apart
    const key = cacheKey(root);
    writeFileSync(join(root, 'cli', 'msg.ts'), "export const msg = 'two';\n");
    const t = new Date();
    utimesSync(join(root, 'cli', 'msg.ts'), t, t);
    expect(cacheKey(root)).not.toBe(key);
    const second: string = await compiledCli(root);
    expect(second).not.toBe(first);
    expect(run(second)).toMatch(/^two 1 /);
    expect(existsSync(first)).toBe(true); // kept for an hour: a running process may still load its chunks
    // a source in a folder no list names (a new top-level folder) is part of the key too
    const before = cacheKey(root);
    mkdirSync(join(root, 'engine'));
    writeFileSync(join(root, 'engine', 'x.ts'), 'export const x = 1;\n');
    expect(cacheKey(root)).not.toBe(before);
  });

  it('bin/bpfdiff.js prints what the TypeScript sources print through tsx', () => {
    const bin = new URL('../bin/bpfdiff.js', import.meta.url).pathname;
    const example = new URL('../examples/seven-args.s', import.meta.url).pathname;
    const compiled = execFileSync(process.execPath, [bin, 'asm', example], { encoding: 'utf8' });
    const viaTsx = execFileSync(process.execPath, [bin, 'asm', example], { encoding: 'utf8', env: { ...process.env, BPFDIFF_NO_CACHE: '1' } });
    expect(compiled).toBe(viaTsx);
    expect(compiled).toContain('"format": "bpfdiff.program/v1"');
    expect(pathToFileURL(bin).href).toMatch(/^file:/);
  });
});
