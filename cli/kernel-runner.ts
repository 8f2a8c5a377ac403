// The real-kernel side of `fuzz` and `reduce`: one VmPool per kernel id, booted together,
// behind core/diff's KernelRunner interface; and the kernel id → model profile table the
// differential runner needs (a custom bzImage names its profile as PATH:PROFILE).
import { availableParallelism } from 'node:os';
import type { KernelRunner, KernelTarget } from '../core/diff/index.ts';
import { resolveProfile } from '../core/model/index.ts';
import type { Outcome, Program } from '../core/program/index.ts';
import { KernelCatalogError, PoolBrokenError, VmBootError, VmPool, readCatalog, resolveKernel, type KernelImage, type PoolOptions } from '../kernel/index.ts';
import { UserError } from './user-error.ts';

export interface KernelPoolsOptions {
  /** guests per kernel (default: cores / kernels, at least 1) */
  pool?: number;
  timeoutMs: number;
  memMiB?: number;
  accel?: 'auto' | 'kvm' | 'tcg';
  cpuModel?: string;
}

export interface KernelPools {
  runner: KernelRunner;
  targets: KernelTarget[];
  /** id → the pool's `uname -r` */
  unames(): Record<string, string>;
  restarts(): number;
  close(): Promise<void>;
}

/** kernel ids as given on the command line, with the profile that predicts each */
export function kernelTargets(ids: string[]): Array<{ id: string; image: KernelImage; target: KernelTarget }> {
  let catalog;
  try {
    catalog = readCatalog();
  } catch (err) {
    if (err instanceof KernelCatalogError) throw new UserError(`--kernel: ${err.message}`);
    throw err;
  }
  return ids.map((id) => {
    let image: KernelImage;
    try {
      image = resolveKernel(id, catalog);
    } catch (err) {
      if (err instanceof KernelCatalogError) throw new UserError(`--kernel: ${err.message}`);
      throw err;
    }
    const profileId = image.profile;
    if (!profileId || !resolveProfile(profileId)) {
      throw new UserError(`--kernel ${id}: no model profile predicts it; give one as PATH:PROFILE (linux-6.12, linux-7.2, linux-7.3, next)`);
    }
    return { id, image, target: { id, profile: profileId } };
  });
}

export async function openKernelPools(ids: string[], opts: KernelPoolsOptions): Promise<KernelPools> {
  const kernels = kernelTargets(ids);
  const size = opts.pool ?? Math.max(1, Math.floor(availableParallelism() / kernels.length));
  const pools = new Map<string, VmPool>();
  // keepLog: a finding's outcomes.json carries the kernel's verifier log
  const settings: Omit<PoolOptions, 'kernel'> = { size, timeoutMs: opts.timeoutMs, keepLog: true };
  if (opts.memMiB !== undefined) settings.memMiB = opts.memMiB;
  if (opts.accel !== undefined) settings.accel = opts.accel;
  if (opts.cpuModel !== undefined) settings.cpuModel = opts.cpuModel;
  try {
    await Promise.all(
      kernels.map(async (k) => {
        pools.set(k.id, await VmPool.create({ ...settings, kernel: k.image }));
      }),
    );
  } catch (err) {
    await Promise.all([...pools.values()].map((p) => p.close()));
    if (err instanceof VmBootError || err instanceof PoolBrokenError) throw new UserError(err.message);
    throw err;
  }
  return {
    targets: kernels.map((k) => k.target),
    runner: {
      run(programs: Program[], kernelId: string): Promise<Outcome[]> {
        const pool = pools.get(kernelId);
        if (!pool) throw new Error(`no pool for kernel ${kernelId}`);
        return pool.run(programs);
      },
    },
    unames: () => Object.fromEntries([...pools].map(([id, p]) => [id, p.uname])),
    restarts: () => [...pools.values()].reduce((n, p) => n + p.metrics().restarts, 0),
    close: async () => {
      await Promise.all([...pools.values()].map((p) => p.close()));
    },
  };
}
