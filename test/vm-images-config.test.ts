// The kernel config bpfdiff needs: vm-images/check-config.sh must pass a config that has
// every option of vm-images/bpfdiff.config and name each one a config lacks. With
// BPFDIFF_KERNEL_TREE set to a kernel source tree, the config that build-kernel.sh
// generates from it (defconfig + fragment) is checked too.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const vmImages = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'vm-images');
const checkConfig = join(vmImages, 'check-config.sh');
const fragment = readFileSync(join(vmImages, 'bpfdiff.config'), 'utf8');
const required = fragment.split('\n').filter((l) => /^CONFIG_\w+=/.test(l));

function writeConfig(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-config-'));
  const path = join(dir, '.config');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function check(path: string, ...flags: string[]) {
  return execa(checkConfig, [...flags, path], { reject: false });
}

describe('vm-images/check-config.sh', () => {
  it('accepts a config with every required option', async () => {
    expect(required.length).toBeGreaterThan(10);
    const r = await check(writeConfig([...required, 'CONFIG_EXTRA=y', '# CONFIG_DEBUG_INFO_BTF is not set']));
    expect(r.exitCode).toBe(0);
  });

  it('names an option that is missing and one that is only a module', async () => {
    const lines = required
      .filter((l) => !l.startsWith('CONFIG_VIRTIO_CONSOLE='))
      .map((l) => (l.startsWith('CONFIG_VIRTIO_PCI=') ? 'CONFIG_VIRTIO_PCI=m' : l));
    const r = await check(writeConfig(lines));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('missing: CONFIG_VIRTIO_CONSOLE=y');
    expect(r.stdout).toContain('missing: CONFIG_VIRTIO_PCI=y (have: CONFIG_VIRTIO_PCI=m)');
    expect(r.stderr).toContain('lacks 2 required option(s)');
  });

  it('rejects kernel BTF, which the fragment switches off', async () => {
    const r = await check(writeConfig([...required, 'CONFIG_DEBUG_INFO_BTF=y']));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('must be off: CONFIG_DEBUG_INFO_BTF');
  });

  it('with --kasan, requires KASAN', async () => {
    const r = await check(writeConfig(required), '--kasan');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('missing: CONFIG_KASAN=y');
  });
});

const tree = process.env.BPFDIFF_KERNEL_TREE;
describe.runIf(tree)('vm-images/build-kernel.sh --config-only on BPFDIFF_KERNEL_TREE', () => {
  for (const kasan of [false, true]) {
    it(`generates a config with every required option${kasan ? ' and KASAN' : ''}`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'bpfdiff-kbuild-'));
      const args = ['--config-only', '--out', out, ...(kasan ? ['--kasan'] : []), tree as string];
      const r = await execa(join(vmImages, 'build-kernel.sh'), args, { reject: false });
      expect(r.stderr).toContain('has every required option');
      expect(r.exitCode).toBe(0);
      const again = await check(join(out, '.config'), ...(kasan ? ['--kasan'] : []));
      expect(again.exitCode).toBe(0);
    });
  }
});
