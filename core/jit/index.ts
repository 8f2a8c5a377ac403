// core/jit: the model of the kernel's x86-64 BPF JIT (arch/x86/net/bpf_jit_comp.c). From the
// rewritten program the JIT sees, the function table and the CPU model it predicts the image
// byte for byte, except the bytes that hold run-time addresses (listed in `masked`).
export { jitProgram } from './compile.ts';
export { JitError, type JitFunc, type JitOptions, type JitResult } from './types.ts';
export { QEMU64, HASWELL, CPU_MODELS, cpuModel, DEBIAN_72, DEBIAN_73, jitKernel, type CpuModel, type JitKernel } from './cpu.ts';
export { imageDiff, locate, type ImageDiff } from './compare.ts';
export { funcStartsOf, jitFuncs, type SubprogFacts } from './funcs.ts';
export { kernelEmitterOf } from './emitters.ts';
