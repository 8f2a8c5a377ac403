// The model side of POST /programs/check: core/model's verifier (and interpreter) under the
// profile that predicts the requested kernel. Pure, so it runs in the API process.
import { PROFILE_IDS, KERNEL_PROFILE, resolveProfile, verify } from '../../core/model/index.ts';
import type { Outcome, Program } from '../../core/program/index.ts';
import { badRequest } from './errors.ts';

export function modelOutcome(program: Program, kernel: string): Outcome {
  const profile = resolveProfile(kernel);
  if (!profile) {
    const known = [...Object.keys(KERNEL_PROFILE), ...PROFILE_IDS].join(', ');
    throw badRequest('body.kernels', `no model profile for kernel '${kernel}'; expected one of ${known}`);
  }
  return verify(program, profile);
}
