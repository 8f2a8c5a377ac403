#!/usr/bin/env node
// `bpfdiff`: runs the CLI compiled once per state of the sources (bin/cli-cache.js), so start-up
// is plain JavaScript; an edited source changes the cache key and is compiled on the next run,
// with no build step to remember. BPFDIFF_NO_CACHE=1 (or no esbuild) runs the TypeScript
// through tsx's loader instead.
import { pathToFileURL } from 'node:url';

let entry;
if (process.env.BPFDIFF_NO_CACHE !== '1') {
  try {
    const { compiledCli } = await import('./cli-cache.js');
    entry = await compiledCli();
  } catch (err) {
    process.stderr.write(`bpfdiff: running from the TypeScript sources (compiling them failed: ${err.message.split('\n')[0]})\n`);
  }
}
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
