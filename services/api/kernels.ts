// The kernel ids a job or check may name when the caller gave none (ApiConfig.kernels): without
// a catalog at hand (`bpfdiff serve` on a machine without kernel images), the kernels the model
// has a profile for, by the profiles' names (linux-7.2 predicts 7.2). With a catalog, the CLI
// passes the catalog's ids (engine/targets.ts: predictedKernels).
import { PROFILE_IDS } from '../../core/model/index.ts';

export const DEFAULT_API_KERNELS: string[] = PROFILE_IDS.filter((id) => id.startsWith('linux-')).map((id) => id.slice('linux-'.length));
