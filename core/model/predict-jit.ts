// The model's JIT facts for an accepted program: the rewritten program it predicted
// (core/model/fixups) through the x86-64 JIT model (core/jit) for one CPU model, with the stack
// facts of each surviving function from the walk (bpf_subprog_info).
import { JitError, cpuModel, jitFuncs, jitKernel, jitProgram } from '../jit/index.ts';
import type { JitFacts } from '../program/types.ts';
import type { SubprogInfo } from './calls.ts';
import type { XlatedPrediction } from './fixups/index.ts';

/** undefined when the JIT model does not cover the program or the CPU model is unknown */
export function predictJit(x: XlatedPrediction, info: readonly SubprogInfo[], profileId: string, cpu: string): JitFacts | undefined {
  const model = cpuModel(cpu);
  if (!model) return undefined;
  const facts = x.funcIds.map((k) => info[k]!);
  try {
    const res = jitProgram(x.insns, jitFuncs(x.funcStarts, facts), model, jitKernel(profileId));
    return { len: res.image.length / 2, funcLens: res.funcLens, image: res.image, masked: res.masked, insnOffsets: res.insnOffsets };
  } catch (e) {
    if (e instanceof JitError) return undefined;
    throw e;
  }
}
