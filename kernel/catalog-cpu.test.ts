import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalog, resolveKernel } from './catalog.ts';

function catalog() {
  const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-catalog-'));
  writeFileSync(join(dir, 'vmlinuz'), 'x');
  writeFileSync(join(dir, 'initramfs.cpio.gz'), 'x');
  const entry = { profile: 'linux-7.2', kernelImage: 'vmlinuz', initramfs: 'initramfs.cpio.gz', version: '7.2.13+deb14-amd64' };
  writeFileSync(
    join(dir, 'catalog.json'),
    JSON.stringify({ format: 'bpfdiff.catalog/v1', kernels: { '7.2': entry, '7.2-bmi2': { ...entry, cpu: 'Haswell' } } }),
  );
  return readCatalog(join(dir, 'catalog.json'));
}

describe('the CPU model as part of a kernel id', () => {
  it('a plain id has no CPU model of its own (the pool then uses qemu64)', () => {
    expect(resolveKernel('7.2', catalog()).cpu).toBeUndefined();
  });

  it('ID@CPU names the guests CPU model, on the same image and profile', () => {
    const c = catalog();
    const k = resolveKernel('7.2@Haswell', c);
    expect(k).toMatchObject({ id: '7.2@Haswell', cpu: 'Haswell', profile: 'linux-7.2', image: resolveKernel('7.2', c).image });
  });

  it('a catalog entry may carry a CPU model', () => {
    expect(resolveKernel('7.2-bmi2', catalog())).toMatchObject({ cpu: 'Haswell', profile: 'linux-7.2' });
  });

  it('an unknown kernel before the @ is still an unknown kernel', () => {
    expect(() => resolveKernel('9.9@Haswell', catalog())).toThrow(/unknown kernel id "9.9"/);
  });
});
