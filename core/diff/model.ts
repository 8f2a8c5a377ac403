// The model side of a comparison, and a KernelRunner made of the model itself for
// `--model-only` runs (profiles against profiles) and for tests with a planted divergence.
import type { Outcome, Program } from '../program/index.ts';
import { resolveProfile, verify, type Profile } from '../model/index.ts';
import type { KernelRunner, ModelVerify } from './run-batch.ts';

/** verify() of core/model with the profile looked up by id (or kernel id). */
export function modelVerify(profiles: Record<string, Profile> = {}): ModelVerify {
  return (program: Program, profile: string, cpu?: string, coverage?: Set<string>): Outcome => {
    const p = profiles[profile] ?? resolveProfile(profile);
    if (!p) throw new RangeError(`profile: unknown profile ${profile}`);
    return verify(program, p, { jit: cpu ?? 'qemu64', ...(coverage ? { coverage } : {}) });
  };
}

/**
 * A "kernel" that is the model under another profile: kernel id → profile. Outcomes carry
 * `model:<profile>` as their kernel identity, so nobody mistakes them for a real kernel's.
 */
export function modelRunner(profileOfKernel: (kernelId: string) => string, verifyFn: ModelVerify = modelVerify()): KernelRunner {
  return {
    async run(programs: Program[], kernelId: string): Promise<Outcome[]> {
      const profile = profileOfKernel(kernelId);
      return programs.map((p) => verifyFn(p, profile));
    },
  };
}
