// The JIT model's inputs and outputs, and the per-function state one do_jit pass works on
// (the locals and struct jit_context of arch/x86/net/bpf_jit_comp.c do_jit()).
import type { RawInsn } from '../isa/raw.ts';
import type { CpuModel, JitKernel } from './cpu.ts';
import type { Emitter } from './x86.ts';

/** One BPF function as bpf_int_jit_compile() receives it from jit_subprogs(). */
export interface JitFunc {
  /** index of its first instruction in the rewritten (xlated) program */
  start: number;
  /** bpf_subprog_info.stack_depth after the verifier's fixups, in bytes (the JIT rounds it up to 8) */
  stackDepth: number;
  /** bpf_out_stack_arg_cnt(): stack_arg_cnt - incoming stack args; arguments 6.. this function passes */
  outStackArgs?: number;
  /** aux->tail_call_reachable */
  tailCallReachable?: boolean;
}

export interface JitOptions {
  /**
   * jited_ksyms of the real program, one address per function: when given, a subprogram call's
   * rel32 is predicted from them instead of masked.
   */
  ksyms?: readonly bigint[];
}

/** The predicted image. Byte ranges in `masked` hold run-time addresses and are not predicted. */
export interface JitResult {
  /** hex of all functions' code in function order, as jited_prog_insns returns it */
  image: string;
  /** jited_func_lens */
  funcLens: number[];
  /** [byteOffset, length] of the image: call rel32 of helpers/kfuncs (and of subprograms without ksyms), movabs imm64 */
  masked: Array<[number, number]>;
  /** what each masked range is, same order as `masked` */
  maskKinds: string[];
  /** image offset where the code of each xlated instruction starts (the second slot of an LD_IMM64 repeats the first) */
  insnOffsets: number[];
  /** passes bpf_int_jit_compile() ran for each function until its length settled (the image pass excluded) */
  passes: number[];
}

/** The program cannot be JITed the way the model knows (an opcode it does not cover, a bad function table). */
export class JitError extends Error {
  constructor(
    readonly insn: number | undefined,
    readonly reason: string,
  ) {
    super(insn === undefined ? reason : `insn ${insn}: ${reason}`);
    this.name = 'JitError';
  }
}

/** do_jit()'s state for one function in one pass. */
export interface FuncState {
  insns: readonly RawInsn[];
  /** the function's index in the program and the xlated index of its first instruction */
  funcIdx: number;
  base: number;
  /** addrs[]: addrs[i] is the image offset after instruction i-1; addrs[0] is the prologue's end */
  addrs: Int32Array;
  e: Emitter;
  cpu: CpuModel;
  kernel: JitKernel;
  /** jmp_padding: the later passes pad shrinking jumps with NOPs */
  padding: boolean;
  stackDepth: number;
  tailCallReachable: boolean;
  isSubprog: boolean;
  calleeRegsUsed: boolean[];
  /** outgoing_arg_base, outgoing_rsp of the stack-argument lowering */
  outgoingArgBase: number;
  outgoingRsp: number;
  /** struct jit_context */
  cleanupAddr: number;
  tailCallDirectLabel: number;
  tailCallIndirectLabel: number;
  seenExit: boolean;
  /** start of the current instruction's bytes in e (prog - temp is e.len - insnStart) */
  insnStart: number;
  /** subprogram call targets: callee function index of each pseudo call, by local insn index */
  callees: ReadonlyMap<number, number>;
}
