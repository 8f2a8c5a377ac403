// What the walk records for the rewrite passes after it (the parts of struct bpf_insn_aux_data
// that bpf_check's fixups read): which instructions a path reached (`seen`, set in do_check), the
// pointer type each load/store went through (`ptr_type`, for convert_ctx_accesses) and the map
// each map helper call was made with (`map_ptr_state`, for do_misc_fixups' inlining).
import type { RawInsn } from '../isa/raw.ts';
import { BPF_ATOMIC, BPF_CALL, BPF_JMP, BPF_LDX, BPF_ST, BPF_STX } from '../isa/index.ts';
import type { VState } from './state.ts';


export interface WalkTrace {
  seen: Uint8Array;
  /** insn → pointer type of its memory operand; 'mixed' when two paths disagree */
  ptrType: Map<number, string>;
  /** helper call insn → map index in R1 at the call; -1 when paths passed different maps (poisoned) */
  callMap: Map<number, number>;
  /** 32-bit cmpxchg insns whose R0 a path read as 64 bits (insn_aux_data.zext_dst, subreg-def.ts) */
  zextDst: Set<number>;
}

export function newWalkTrace(insnCount: number): WalkTrace {
  return { seen: new Uint8Array(insnCount), ptrType: new Map(), callMap: new Map(), zextDst: new Set() };
}

/** Called for every instruction a path processes, before it runs. */
export function recordStep(trace: WalkTrace, st: VState, insn: RawInsn, idx: number): void {
  trace.seen[idx] = 1;
  const c = insn.code & 0x07;
  const regs = st.frames[st.frames.length - 1]!.regs;
  let base: number | undefined;
  if (c === BPF_LDX) base = insn.src;
  else if (c === BPF_ST || (c === BPF_STX && (insn.code & 0xe0) !== BPF_ATOMIC)) base = insn.dst;
  else if (c === BPF_STX) base = insn.dst;
  if (base !== undefined) {
    const t = regs[base]?.type;
    if (t === undefined) return;
    const prev = trace.ptrType.get(idx);
    trace.ptrType.set(idx, prev === undefined || prev === t ? t : 'mixed');
    return;
  }
  if (insn.code === (BPF_JMP | BPF_CALL) && insn.src === 0) {
    const r1 = regs[1];
    const map = r1 && r1.type === 'map_ptr' ? r1.mapIdx : -1;
    const prev = trace.callMap.get(idx);
    trace.callMap.set(idx, prev === undefined || prev === map ? map : -1);
  }
}
