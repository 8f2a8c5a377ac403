// The layer rules hold for the repository, and the checker catches what it is for: a planted
// import against the rules, a production file importing test code, and two folders importing
// each other (checked on a small tree written for the purpose).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLayers } from './layers.ts';

describe('layer rules', () => {
  it('the repository imports only as docs/ARCHITECTURE.md allows, with no loop between folders', async () => {
    const report = await checkLayers(join(import.meta.dirname, '..'));
    expect(report.violations).toEqual([]);
    expect(report.cycles).toEqual([]);
  }, 120_000);

  describe('on a planted tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'bpfdiff-layers-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    write('core/program/types.ts', "export const FORMAT = 'v1';\n");
    write('core/isa/asm.ts', "import { FORMAT } from '../program/types.ts';\nexport const asm = () => FORMAT;\n");
    write('kernel/vm.ts', "import { FORMAT } from '../core/program/types.ts';\nexport const boot = () => FORMAT;\n");
    write('store/store.ts', "import { FORMAT } from '../core/program/types.ts';\nexport const save = () => FORMAT;\n");
    write('test/helpers.ts', "export const fake = 1;\n");

    it('passes the tree before anything is planted', async () => {
      expect(await checkLayers(root)).toEqual({ violations: [], cycles: [] });
    });

    it('fails on an import against the rules, on test code in production, and on a folder loop', async () => {
      // core must not reach the host; the store must not import the kernel side or test helpers
      write('core/program/boot.ts', "import { boot } from '../../kernel/vm.ts';\nexport const b = boot;\n");
      write('store/fixture.ts', "export { fake } from '../test/helpers.ts';\nexport const vm = await import('../kernel/vm.ts');\n");
      // core/program imports core/isa, which imports core/program
      write('core/program/json.ts', "import { asm } from '../isa/asm.ts';\nexport const json = asm;\n");
      const report = await checkLayers(root);
      expect(report.violations).toEqual([
        'core/program/boot.ts imports kernel/vm.ts: core/ may import core/',
        'store/fixture.ts imports kernel/vm.ts: store/ may import store/, core/, config/',
        'store/fixture.ts imports test/helpers.ts: test code is not for production files',
      ]);
      // the planted core -> kernel import closes a loop with kernel -> core as well
      expect(report.cycles).toEqual(['core/isa <-> core/program <-> kernel']);
    });
  });
});
