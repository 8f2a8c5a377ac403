// What the x86-64 JIT's output depends on besides the program: the guest CPU's features
// (boot_cpu_has(X86_FEATURE_BMI2), cpu_wants_rethunk(), the indirect-branch mitigation the
// kernel picked for it) and the kernel's build configuration (CONFIG_X86_KERNEL_IBT,
// CONFIG_MITIGATION_SLS, CONFIG_MITIGATION_RETPOLINE, CFI mode). A kernel id plus a CPU model
// is the identity of a JIT comparison.
import { JitError } from './types.ts';

export interface CpuModel {
  /** QEMU -cpu model name */
  name: string;
  /** X86_FEATURE_BMI2: register shifts become shlx/shrx/sarx (emit_shiftx) */
  bmi2: boolean;
  /** cpu_wants_rethunk(): `ret` becomes `jmp __x86_return_thunk` (emit_return) */
  rethunk: boolean;
  /** emit_indirect_jump() flavour for tail calls: plain `jmp reg` (+int3), lfence first, or a thunk jump */
  indirectJump: 'plain' | 'lfence' | 'thunk';
}

/** QEMU's default TCG CPU: family 15 AMD-like, no BMI2; no retbleed/ITS mitigation applies */
export const QEMU64: CpuModel = { name: 'qemu64', bmi2: false, rethunk: false, indirectJump: 'plain' };
/** QEMU's Haswell model: BMI2 present; the kernel wants a return thunk on it (measured: every `ret` is `jmp rel32`) */
export const HASWELL: CpuModel = { name: 'Haswell', bmi2: true, rethunk: true, indirectJump: 'plain' };

export const CPU_MODELS: Readonly<Record<string, CpuModel>> = { qemu64: QEMU64, Haswell: HASWELL, haswell: HASWELL };

/** Resolve a QEMU -cpu name; undefined for a model the JIT model does not know. */
export function cpuModel(name: string | undefined): CpuModel | undefined {
  if (name === undefined || name === '') return QEMU64;
  return CPU_MODELS[name];
}

/** Build-time facts of a kernel that shape its JIT output. */
export interface JitKernel {
  /** CONFIG_X86_KERNEL_IBT: ENDBR64 at the entry and at the tail-call entry (EMIT_ENDBR) */
  ibt: boolean;
  /** CONFIG_MITIGATION_SLS: int3 after ret and after indirect jumps */
  sls: boolean;
  /** CONFIG_MITIGATION_RETPOLINE: int3 after a plain indirect jump */
  retpolineConfig: boolean;
  /** struct offsets the tail-call sequence reads: bpf_array.map.max_entries, bpf_array.ptrs, bpf_prog.bpf_func */
  arrayMaxEntriesOff: number;
  arrayPtrsOff: number;
  progBpfFuncOff: number;
  /**
   * &this_cpu_off, the gs-relative disp32 of a per-CPU address move (BPF_MOV64_PERCPU_REG, from
   * the inlined bpf_get_smp_processor_id): a link-time address, the same on every boot of a
   * build because the guests boot with `nokaslr` (read from real images of each build);
   * undefined for a build not measured: then those 4 bytes are masked
   */
  thisCpuOff?: number;
}

/** Debian's 7.2.13 amd64 build (its config: IBT=y, SLS=y, RETPOLINE=y, CFI off) */
export const DEBIAN_72: JitKernel = { ibt: true, sls: true, retpolineConfig: true, arrayMaxEntriesOff: 0x24, arrayPtrsOff: 0x130, progBpfFuncOff: 0x48, thisCpuOff: 0x83e24028 };
/** Debian's 7.3-rc7 amd64 build: struct bpf_array's value/ptrs moved to 0x128, its own this_cpu_off */
export const DEBIAN_73: JitKernel = { ...DEBIAN_72, arrayPtrsOff: 0x128, thisCpuOff: 0x83e3c030 };

/** A bpf-next build: the 7.3 layout, its own (unknown) link-time addresses */
const NEXT: JitKernel = { ...DEBIAN_73, thisCpuOff: undefined };

/**
 * The JIT facts of a kernel or model profile id ('7.2', 'linux-7.2', '7.3', 'next', ...).
 * Throws JitError for a kernel whose JIT the model does not describe (6.12: no stack
 * arguments, an older tail-call prologue).
 */
export function jitKernel(profile: string): JitKernel {
  const id = profile.replace(/^linux-/, '');
  if (id === '7.2') return DEBIAN_72;
  if (id === '7.3') return DEBIAN_73;
  if (id === 'next') return NEXT;
  throw new JitError(undefined, `kernel ${profile}: the JIT model describes 7.2, 7.3 and next builds only`);
}
