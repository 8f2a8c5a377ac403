// core/jit: the model of the kernel's x86-64 BPF JIT (arch/x86/net/bpf_jit_comp.c). From the
// rewritten program the JIT sees, the function table and the CPU model it predicts the image
// byte for byte, except the bytes that hold run-time addresses (listed in `masked`).
export { jitProgram } from './compile.ts';
export { JitError, type JitResult } from './types.ts';
export { CPU_MODELS, cpuModel, jitKernel } from './cpu.ts';
export { imageDiff } from './compare.ts';
export { funcStartsOf, jitFuncs } from './funcs.ts';
export { kernelEmitterOf } from './emitters.ts';
