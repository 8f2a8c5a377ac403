// Function entry and exit of arch/x86/net/bpf_jit_comp.c: emit_prologue() (ENDBR, the fentry
// NOP5, the tail-call NOP3 or `xor rax,rax`, the frame, the rounded stack), the part of do_jit()
// before the first instruction (detect_reg_usage, push_callee_regs, the outgoing stack-argument
// area), and the epilogue of the first BPF_EXIT (emit_add_rsp, pop_callee_regs, leave,
// emit_return). The private stack and arena (r12) are not used by the program types bpfdiff loads.
import type { RawInsn } from '../isa/raw.ts';
import type { FuncState } from './types.ts';
import { R6, R9, isImm8, type Emitter } from './x86.ts';

const X86_PATCH_SIZE = 5;
const MAX_TAIL_CALL_CNT = 33;
const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa] as const;

/** EMIT_ENDBR() */
function emitEndbr(s: FuncState): void {
  if (s.kernel.ibt) s.e.seq(ENDBR64);
}

/** detect_reg_usage: which of r6..r9 (rbx, r13, r14, r15) the function touches */
export function detectRegUsage(insns: readonly RawInsn[]): boolean[] {
  const used = [false, false, false, false];
  const mark = (reg: number) => {
    if (reg >= R6 && reg <= R9) used[reg - R6] = true;
  };
  for (const insn of insns) {
    mark(insn.dst);
    mark(insn.src);
  }
  return used;
}

/** push_callee_regs */
function pushCalleeRegs(e: Emitter, used: readonly boolean[]): void {
  if (used[0]) e.b(0x53);
  if (used[1]) e.b(0x41, 0x55);
  if (used[2]) e.b(0x41, 0x56);
  if (used[3]) e.b(0x41, 0x57);
}

/** pop_callee_regs */
export function popCalleeRegs(e: Emitter, used: readonly boolean[]): void {
  if (used[3]) e.b(0x41, 0x5f);
  if (used[2]) e.b(0x41, 0x5e);
  if (used[1]) e.b(0x41, 0x5d);
  if (used[0]) e.b(0x5b);
}

/** emit_sub_rsp */
function emitSubRsp(e: Emitter, depth: number): void {
  if (!depth) return;
  if (isImm8(depth)) e.b(0x48, 0x83, 0xec, depth);
  else {
    e.b(0x48, 0x81, 0xec);
    e.u32(depth);
  }
}

/** emit_add_rsp */
function emitAddRsp(e: Emitter, depth: number): void {
  if (!depth) return;
  if (isImm8(depth)) e.b(0x48, 0x83, 0xc4, depth);
  else {
    e.b(0x48, 0x81, 0xc4);
    e.u32(depth);
  }
}

export const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;

/** emit_prologue_tail_call */
function emitPrologueTailCall(e: Emitter, isSubprog: boolean): void {
  if (!isSubprog) {
    e.b(0x48, 0x83, 0xf8, MAX_TAIL_CALL_CNT); // cmp rax, MAX_TAIL_CALL_CNT
    e.b(0x77, 6); // ja 6
    e.b(0x50); // push rax
    e.b(0x48, 0x89, 0xe0); // mov rax, rsp
    e.b(0xeb, 1); // jmp 1
    e.b(0x50); // push rax
    e.b(0x50); // push rax
  } else {
    e.b(0x50, 0x50);
  }
}

/** emit_prologue (CFI off: emit_cfi is a plain ENDBR) */
function emitPrologue(s: FuncState): void {
  const e = s.e;
  emitEndbr(s);
  e.nops(X86_PATCH_SIZE);
  if (s.tailCallReachable && !s.isSubprog) e.b(0x48, 0x31, 0xc0); // xor rax, rax
  else e.nops(3);
  e.b(0x55); // push rbp
  e.b(0x48, 0x89, 0xe5); // mov rbp, rsp
  emitEndbr(s); // X86_TAIL_CALL_OFFSET is here
  if (s.stackDepth) {
    e.b(0x48, 0x81, 0xec);
    e.u32(roundUp8(s.stackDepth));
  }
  if (s.tailCallReachable) emitPrologueTailCall(e, s.isSubprog);
}

/**
 * Everything do_jit() emits before the first BPF instruction. Sets the stack-argument
 * lowering's outgoing_arg_base and outgoing_rsp: outgoing arguments 7+ live at [rsp], below
 * the callee-saved registers.
 */
export function emitFunctionEntry(s: FuncState, outStackArgs: number): void {
  emitPrologue(s);
  pushCalleeRegs(s.e, s.calleeRegsUsed);
  const calleeSavedSize = 8 * s.calleeRegsUsed.filter(Boolean).length;
  s.outgoingArgBase = -(roundUp8(s.stackDepth) + calleeSavedSize);
  s.outgoingRsp = outStackArgs > 1 ? (outStackArgs - 1) * 8 : 0;
  emitSubRsp(s.e, s.outgoingRsp);
}

/** emit_return */
function emitReturn(s: FuncState): void {
  if (s.cpu.rethunk) {
    const at = s.e.len;
    s.e.b(0xe9);
    s.e.u32(0);
    s.e.mark(at + 1, 4, 'return-thunk');
    return;
  }
  s.e.b(0xc3);
  if (s.kernel.sls) s.e.b(0xcc);
}

/** The first BPF_EXIT: the epilogue, which later exits jump to (ctx->cleanup_addr). */
export function emitEpilogue(s: FuncState): void {
  emitAddRsp(s.e, s.outgoingRsp);
  popCalleeRegs(s.e, s.calleeRegsUsed);
  s.e.b(0xc9); // leave
  emitReturn(s);
}
