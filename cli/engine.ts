// The CLI's engine: kernel ids from --kernel resolved through the catalog and their pools booted
// at once (a bad id or an image that does not boot is a one-line user error before any work).
import { availableParallelism } from 'node:os';
import { Engine, UnknownKernelError, type PoolSettings } from '../engine/index.ts';
import { PoolBrokenError, VmBootError } from '../kernel/index.ts';
import { UserError } from './user-error.ts';

interface CliEngineOptions extends PoolSettings {
  /** guests per kernel (default: cores / kernels, at least 1) */
  pool?: number;
  /** the soundness oracle's sample (default the engine's) */
  soundnessRate?: number;
  /** first disagreements of verdict and reason divergences (default on) */
  explain?: boolean;
}

export async function openEngine(ids: string[], opts: CliEngineOptions): Promise<Engine> {
  const { pool, soundnessRate, explain, ...settings } = opts;
  const engine = new Engine({ poolSize: pool ?? Math.max(1, Math.floor(availableParallelism() / ids.length)), pool: settings, soundnessRate, explain });
  try {
    engine.targets(ids);
    await engine.boot(ids);
  } catch (err) {
    await engine.close();
    if (err instanceof UnknownKernelError) throw new UserError(`--kernel: ${err.message}`);
    if (err instanceof VmBootError || err instanceof PoolBrokenError) throw new UserError(err.message);
    throw err;
  }
  return engine;
}
