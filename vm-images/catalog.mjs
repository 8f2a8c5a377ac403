#!/usr/bin/env node
// Reads and updates vm-images/cache/catalog.json for the shell scripts of vm-images/.
// Node is used rather than jq/python because it is the one runtime every bpfdiff machine has.
//
//   node vm-images/catalog.mjs set ID key=value [key=value ...]   (value "-" deletes the key)
//   node vm-images/catalog.mjs get ID key                          (prints the value, exit 1 if absent)
//   node vm-images/catalog.mjs ids                                 (one id per line)
//   node vm-images/catalog.mjs set-top key=value ... | get-top key  (catalog-wide keys)
//
// Path values are stored relative to the catalog's directory; see vm-images/README.md.
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const catalogPath = process.env.BPFDIFF_CATALOG ?? resolve(here, 'cache', 'catalog.json');
const FORMAT = 'bpfdiff.catalog/v1';

function load() {
  try {
    const parsed = JSON.parse(readFileSync(catalogPath, 'utf8'));
    if (parsed && parsed.format === FORMAT && parsed.kernels && typeof parsed.kernels === 'object') return parsed;
  } catch {
    // absent or unreadable: start a fresh catalog
  }
  return { format: FORMAT, kernels: {} };
}

function save(catalog) {
  mkdirSync(dirname(catalogPath), { recursive: true });
  const tmp = `${catalogPath}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(catalog, null, 2)}\n`);
  renameSync(tmp, catalogPath); // atomic: a reader never sees half a file
}

const [cmd, id, ...rest] = process.argv.slice(2);
const catalog = load();
if (cmd === 'set' && id) {
  const entry = catalog.kernels[id] ?? { id };
  for (const kv of rest) {
    const eq = kv.indexOf('=');
    if (eq < 1) { console.error(`catalog: expected key=value, got "${kv}"`); process.exit(2); }
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    if (value === '-') delete entry[key];
    else if (key === 'modules') entry[key] = value === '' ? [] : value.split(',');
    else entry[key] = value;
  }
  catalog.kernels[id] = entry;
  save(catalog);
} else if (cmd === 'set-top' && id) {
  // catalog-wide keys (e.g. the generic initramfs); here "id" is the first key=value
  for (const kv of [id, ...rest]) {
    const eq = kv.indexOf('=');
    if (eq < 1 || ['format', 'kernels'].includes(kv.slice(0, eq))) { console.error(`catalog: bad top-level key=value "${kv}"`); process.exit(2); }
    if (kv.slice(eq + 1) === '-') delete catalog[kv.slice(0, eq)];
    else catalog[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  save(catalog);
} else if (cmd === 'get-top' && id) {
  const v = catalog[id];
  if (v === undefined || typeof v === 'object') process.exit(1);
  console.log(String(v));
} else if (cmd === 'get' && id && rest.length === 1) {
  const v = catalog.kernels[id]?.[rest[0]];
  if (v === undefined) process.exit(1);
  console.log(Array.isArray(v) ? v.join(',') : String(v));
} else if (cmd === 'ids') {
  for (const k of Object.keys(catalog.kernels)) console.log(k);
} else {
  console.error('usage: catalog.mjs set ID key=value... | get ID key | ids | set-top key=value... | get-top key');
  process.exit(2);
}
