// Calls of do_jit() in arch/x86/net/bpf_jit_comp.c: BPF_JMP | BPF_CALL to helpers, kfuncs and
// subprograms (emit_call: e8 rel32; the tail-call counter pointer reloaded before a subprogram
// call when tail calls are reachable), and BPF_TAIL_CALL (emit_bpf_tail_call_indirect,
// emit_bpf_tail_call_direct, emit_indirect_jump). Stack arguments need no code at the call:
// argument 6 is already in R9 and 7+ at [rsp] (see memory.ts).
import type { RawInsn } from '../isa/raw.ts';
import { BPF_PSEUDO_CALL as PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL as KFUNC_CALL } from '../isa/index.ts';
import { roundUp8, popCalleeRegs } from './prologue.ts';
import type { FuncState } from './types.ts';

const MAX_TAIL_CALL_CNT = 33;
const X86_TAIL_CALL_OFFSET = 12 + 4; // 12 + ENDBR_INSN_SIZE with IBT
const X86_PATCH_SIZE = 5;

/** BPF_TAIL_CALL_CNT_PTR_STACK_OFF */
const tccPtrOff = (stackDepth: number): number => -16 - roundUp8(stackDepth);

/** mov rax, qword ptr [rbp + tcc_ptr_off] */
function loadTailCallCntPtr(s: FuncState): void {
  s.e.b(0x48, 0x8b, 0x85);
  s.e.u32(tccPtrOff(s.stackDepth));
}

/**
 * One call. The rel32 is a run-time distance (masked), except for a subprogram call when the
 * caller passes the functions' addresses (`subprogRel`).
 */
export function jitCall(s: FuncState, insn: RawInsn, idx: number, subprogRel?: (callee: number, callEnd: number) => number | undefined): void {
  const e = s.e;
  if (insn.src === PSEUDO_CALL && s.tailCallReachable) loadTailCallCntPtr(s);
  e.b(0xe8);
  const at = e.len;
  if (insn.src === PSEUDO_CALL) {
    const callee = s.callees.get(idx);
    const rel = callee === undefined || !subprogRel ? undefined : subprogRel(callee, at + 4);
    e.u32(rel ?? 0);
    if (rel === undefined) e.mark(at, 4, 'subprog-call');
    return;
  }
  e.u32(0);
  e.mark(at, 4, insn.src === KFUNC_CALL ? 'kfunc-call' : 'helper-call');
}

/** emit_indirect_jump to rcx */
function emitIndirectJumpRcx(s: FuncState): void {
  const e = s.e;
  if (s.cpu.indirectJump === 'thunk') {
    e.b(0xe9);
    e.mark(e.len, 4, 'indirect-thunk');
    e.u32(0);
    return;
  }
  if (s.cpu.indirectJump === 'lfence') e.b(0x0f, 0xae, 0xe8);
  e.b(0xff, 0xe1);
  if (s.cpu.indirectJump === 'plain' && (s.kernel.retpolineConfig || s.kernel.sls)) e.b(0xcc);
}

/** the common tail of both tail-call forms: count it, unwind the frame down to the entry */
function emitTailCallUnwind(s: FuncState): void {
  const e = s.e;
  e.b(0x48, 0x83, 0x00, 0x01); // add qword ptr [rax], 1
  popCalleeRegs(e, s.calleeRegsUsed);
  e.b(0x58, 0x58); // pop rax (tail_call_cnt_ptr); pop rax
  if (s.stackDepth) {
    e.b(0x48, 0x81, 0xc4);
    e.u32(roundUp8(s.stackDepth));
  }
}

/** emit_bpf_tail_call_indirect: bpf_tail_call(ctx, array, index) through the array's ptrs[] */
function emitTailCallIndirect(s: FuncState): void {
  const e = s.e;
  const start = s.insnStart;
  const rel8 = (): number => s.tailCallIndirectLabel - (e.len + 2 - start);
  e.b(0x89, 0xd2); // mov edx, edx
  e.b(0x39, 0x56, s.kernel.arrayMaxEntriesOff); // cmp [rsi + max_entries], edx
  e.b(0x76, rel8()); // jbe out
  loadTailCallCntPtr(s);
  e.b(0x48, 0x83, 0x38, MAX_TAIL_CALL_CNT); // cmp qword ptr [rax], MAX_TAIL_CALL_CNT
  e.b(0x73, rel8()); // jae out
  e.b(0x48, 0x8b, 0x8c, 0xd6);
  e.u32(s.kernel.arrayPtrsOff); // mov rcx, [rsi + rdx * 8 + ptrs]
  e.b(0x48, 0x85, 0xc9); // test rcx, rcx
  e.b(0x74, rel8()); // je out
  emitTailCallUnwind(s);
  e.b(0x48, 0x8b, 0x49, s.kernel.progBpfFuncOff); // mov rcx, [rcx + bpf_func]
  e.b(0x48, 0x83, 0xc1, X86_TAIL_CALL_OFFSET); // add rcx, X86_TAIL_CALL_OFFSET
  emitIndirectJumpRcx(s);
  s.tailCallIndirectLabel = e.len - start;
}

/** emit_bpf_tail_call_direct: a poke site, left as the bypass jump and a NOP5 until a program is installed */
function emitTailCallDirect(s: FuncState): void {
  const e = s.e;
  const start = s.insnStart;
  loadTailCallCntPtr(s);
  e.b(0x48, 0x83, 0x38, MAX_TAIL_CALL_CNT);
  e.b(0x73, s.tailCallDirectLabel - (e.len + 2 - start)); // jae out
  const bypass = e.len - start;
  e.b(0xe9);
  e.u32(s.tailCallDirectLabel - bypass - X86_PATCH_SIZE); // jmp out (the bypass)
  emitTailCallUnwind(s);
  e.nops(X86_PATCH_SIZE);
  s.tailCallDirectLabel = e.len - start;
}

/** BPF_JMP | BPF_TAIL_CALL: imm 0 is the indirect form, imm > 0 a poke descriptor (direct) */
export function jitTailCall(s: FuncState, insn: RawInsn): void {
  if (insn.imm) emitTailCallDirect(s);
  else emitTailCallIndirect(s);
}
