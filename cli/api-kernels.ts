// The kernel ids the API accepts in a job or a check: the catalog's ids that a model profile
// predicts (a kernel build registers its own), or the model's kernels where no catalog is at
// hand (`bpfdiff serve` on a machine without kernel images). BPFDIFF_KERNELS overrides both.
import { resolveProfile } from '../core/model/index.ts';
import { DEFAULT_API_KERNELS } from '../services/api/index.ts';
import { readCatalog } from '../kernel/index.ts';

export function apiKernels(configured: string[] | undefined): string[] {
  if (configured) return configured;
  try {
    const catalog = readCatalog();
    const ids = catalog.ids.filter((id) => resolveProfile(catalog.entries[id].profile ?? id) !== undefined);
    return ids.length > 0 ? ids : DEFAULT_API_KERNELS;
  } catch {
    return DEFAULT_API_KERNELS;
  }
}
