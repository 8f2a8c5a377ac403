// The unused-export check: it finds an export nobody imports on a planted tree (through a
// barrel too), and no folder, core/ or outside it, barrels included, exports a name that no module
// imports (the frozen BigInt reference aside).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unusedExports } from './unused-exports.ts';

/** All of core/, barrels included (the frozen BigInt reference aside). */
const CHECKED = /^core\//;
const EXEMPT = /\/bigint-reference\//;
/** Every folder outside core/, barrels included. */
const OUTSIDE_CORE = /^(config|engine|kernel|store|workers|services|cli|bench|scripts|test|bin)\//;

describe('unused exports', () => {
  it('core/ exports only what some module imports, barrels included', () => {
    const found = unusedExports(join(import.meta.dirname, '..')).filter((l) => CHECKED.test(l) && !EXEMPT.test(l));
    expect(found).toEqual([]);
  }, 60_000);

  it('no folder outside core/ exports what no module imports, barrels included', () => {
    const found = unusedExports(join(import.meta.dirname, '..')).filter((l) => OUTSIDE_CORE.test(l));
    expect(found).toEqual([]);
  }, 60_000);

  describe('on a planted tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'bpfdiff-unused-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    write('core/a/values.ts', 'export const used = 1;\nexport const planted = 2;\nexport function viaBarrel(): number { return 3; }\nexport type Shape = { x: number };\n');
    write('core/a/index.ts', "export { viaBarrel } from './values.ts';\nexport * from './values.ts';\n");
    write('core/b/user.ts', "import { used } from '../a/values.ts';\nimport { viaBarrel, type Shape } from '../a/index.ts';\nexport const sum = (s: Shape): number => used + viaBarrel() + s.x;\n");
    write('cli/main.ts', "import { sum } from '../core/b/user.ts';\nconsole.log(sum({ x: 1 }));\n");

    it('reports an export no module imports, and only that one', () => {
      expect(unusedExports(root).filter((l) => l.startsWith('core/a/values.ts'))).toEqual(['core/a/values.ts: planted']);
    });
    it('counts an import through a namespace or a dynamic import as using every export', () => {
      write('core/b/ns.ts', "import * as v from '../a/values.ts';\nexport const all = v;\n");
      write('cli/other.ts', "const m = await import('../core/b/ns.ts');\nconsole.log(m);\n");
      expect(unusedExports(root).filter((l) => l.startsWith('core/a/values.ts'))).toEqual([]);
    });
  });
});
