// The kernel catalog (vm-images/cache/catalog.json, written by vm-images/): which kernel
// image, initramfs and exact version a kernel id stands for. A path to a user's bzImage is a
// kernel id too, paired with a model profile (`next` unless given).
import { splitCpu } from '../core/diff/finding.ts';
import { readMachineSettings } from '../config/index.ts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CATALOG_FORMAT = 'bpfdiff.catalog/v1';

/** Where vm-images/ keeps its catalog, unless BPFDIFF_CATALOG says otherwise. */
export function defaultCatalogPath(): string {
  return readMachineSettings().catalogPath ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', 'vm-images', 'cache', 'catalog.json');
}

/** A kernel the pool can boot. */
export interface KernelImage {
  /** the id it was asked for: `7.2`, or the bzImage path */
  id: string;
  /** model profile that predicts this kernel */
  profile: string;
  /** absolute path of the kernel image (vmlinuz / bzImage) */
  image: string;
  /** absolute path of the initramfs holding the guest agent */
  initramfs: string;
  /** expected `uname -r`, when the catalog knows it */
  version?: string;
  /** QEMU CPU model the guests run on (`ID@CPU`, or the catalog entry's `cpu`); default qemu64 */
  cpu?: string;
}


/** A kernel id the catalog cannot resolve, or a catalog entry that is not usable. */
export class KernelCatalogError extends Error {
  override name = 'KernelCatalogError';
}

interface CatalogEntry {
  id?: string;
  kind?: string;
  profile?: string;
  kernelImage?: string;
  initramfs?: string;
  version?: string;
  /** QEMU CPU model for this entry's guests (an entry may be a kernel plus a CPU model) */
  cpu?: string;
}

interface CatalogFile {
  format: string;
  kernels: Record<string, CatalogEntry>;
  /** an initramfs usable with any kernel that has virtio built in (for a user's bzImage) */
  initramfs?: string;
}

export interface Catalog {
  path: string;
  ids: string[];
  entries: Record<string, CatalogEntry>;
  genericInitramfs?: string;
}

export function readCatalog(path = defaultCatalogPath()): Catalog {
  let file: CatalogFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as CatalogFile;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new KernelCatalogError(`no kernel catalog at ${path}: run \`npm run provision\` (vm-images/setup.sh) first`);
    }
    throw new KernelCatalogError(`kernel catalog ${path}: ${(err as Error).message}`);
  }
  if (file?.format !== CATALOG_FORMAT || typeof file.kernels !== 'object' || file.kernels === null) {
    throw new KernelCatalogError(`kernel catalog ${path}: expected format "${CATALOG_FORMAT}"`);
  }
  return {
    path,
    ids: Object.keys(file.kernels),
    entries: file.kernels,
    genericInitramfs: file.initramfs,
  };
}

function looksLikePath(id: string): boolean {
  return id.includes('/') || id.endsWith('bzImage') || existsSync(id);
}

/**
 * Resolves a kernel id: a catalog id (`6.12`, `7.2`, `7.3`, or one a kernel build registered),
 * or `PATH[:PROFILE]` naming a bzImage (profile defaults to `next`); either may end in `@CPU`
 * (`7.2@Haswell`), the QEMU CPU model of its guests.
 */
export function resolveKernel(id: string, catalog: Catalog = readCatalog()): KernelImage {
  const [kernelId, cpu] = splitCpu(id);
  if (cpu !== undefined && !catalog.entries[id]) return { ...resolveKernel(kernelId, catalog), id, cpu };
  const base = dirname(catalog.path);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const entry = catalog.entries[id];
  if (entry) {
    if (!entry.kernelImage) throw new KernelCatalogError(`kernel ${id}: the catalog has no kernel image for it`);
    const initramfs = entry.initramfs ?? catalog.genericInitramfs;
    if (!initramfs) {
      throw new KernelCatalogError(`kernel ${id}: the catalog has no initramfs for it (run vm-images/setup.sh)`);
    }
    const image = abs(entry.kernelImage);
    mustExist(id, 'kernel image', image);
    mustExist(id, 'initramfs', abs(initramfs));
    const resolved: KernelImage = { id, profile: entry.profile ?? id, image, initramfs: abs(initramfs), version: entry.version };
    if (entry.cpu) resolved.cpu = entry.cpu;
    return resolved;
  }
  if (looksLikePath(id)) {
    const colon = id.lastIndexOf(':');
    const [path, profile] = colon > 0 && !existsSync(id) ? [id.slice(0, colon), id.slice(colon + 1)] : [id, 'next'];
    const image = resolve(path);
    mustExist(id, 'bzImage', image);
    const initramfs = catalog.genericInitramfs ?? firstInitramfs(catalog);
    if (!initramfs) throw new KernelCatalogError(`kernel ${id}: the catalog has no agent initramfs to boot it with`);
    return { id, profile: profile || 'next', image, initramfs: abs(initramfs) };
  }
  const known = catalog.ids.length > 0 ? catalog.ids.join(', ') : '(none: run vm-images/setup.sh)';
  throw new KernelCatalogError(`unknown kernel id "${id}": known ids are ${known}, or the path of a bzImage`);
}

function firstInitramfs(catalog: Catalog): string | undefined {
  // prefer one built for a kernel of kind "build" (modules built in), like a user's bzImage
  const entries = Object.values(catalog.entries);
  return (entries.find((e) => e.kind === 'build' && e.initramfs) ?? entries.find((e) => e.initramfs))?.initramfs;
}

function mustExist(id: string, what: string, path: string): void {
  try {
    if (statSync(path).isFile()) return;
  } catch {
    // fall through
  }
  throw new KernelCatalogError(`kernel ${id}: ${what} ${path} does not exist`);
}
