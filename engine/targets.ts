// Kernel ids → what runs them and what predicts them. The catalog (vm-images/cache/catalog.json,
// written by provisioning and `vm-images/build-kernel.sh`) is the one kernel → profile table:
// each entry names its image and the model profile that predicts it, and a user's bzImage names
// its profile as PATH:PROFILE.
import type { KernelTarget } from '../core/diff/index.ts';
import { resolveProfile } from '../core/model/index.ts';
import { readCatalog, resolveKernel, KernelCatalogError, type Catalog, type KernelImage } from '../kernel/index.ts';

/** A kernel id nobody can run or predict; the message names the id and what was expected. */
export class UnknownKernelError extends RangeError {
  override name = 'UnknownKernelError';
}

export interface ResolvedKernel {
  target: KernelTarget;
  image: KernelImage;
}

interface TargetOptions {
  /** the catalog to read (default: the provisioned one) */
  catalog?: Catalog;
  /** kernel id → profile instead of the catalog's: a prediction deliberately altered in tests */
  profiles?: Record<string, string>;
  /** QEMU CPU model of the guests (default qemu64), part of each target's identity */
  cpu?: string;
}

/** Resolves kernel ids through the catalog; throws UnknownKernelError. */
export function resolveKernels(ids: readonly string[], opts: TargetOptions = {}): ResolvedKernel[] {
  let catalog = opts.catalog;
  return ids.map((id) => {
    let image: KernelImage;
    try {
      catalog ??= readCatalog();
      image = resolveKernel(id, catalog);
    } catch (err) {
      if (err instanceof KernelCatalogError) throw new UnknownKernelError(err.message);
      throw err;
    }
    const named = opts.profiles?.[id] ?? image.profile;
    const profile = resolveProfile(named);
    if (!profile) throw new UnknownKernelError(`kernel ${id}: no model profile "${named}" predicts it; give one as PATH:PROFILE (linux-6.12, linux-7.2, linux-7.3, next)`);
    return { image, target: { id, profile: profile.id, cpu: image.cpu ?? opts.cpu ?? 'qemu64' } };
  });
}

/** The catalog's kernel ids that a model profile predicts (what the API accepts); undefined without a catalog. */
export function predictedKernels(catalog?: Catalog): string[] | undefined {
  try {
    const c = catalog ?? readCatalog();
    const ids = c.ids.filter((id) => resolveProfile(c.entries[id].profile ?? id) !== undefined);
    return ids.length > 0 ? ids : undefined;
  } catch (err) {
    if (err instanceof KernelCatalogError) return undefined;
    throw err;
  }
}
