// Verifier state: registers, stack slots, frames and the outgoing stack-argument area,
// mirroring struct bpf_reg_state / bpf_stack_state / bpf_func_state (include/linux/bpf_verifier.h).
import { BPF_REG_FP, MAX_BPF_REG } from '../isa/index.ts';
import { cloneReg, notInitReg, pointerReg, type Reg, type RegType } from './scalar/reg.ts';

export {
  knownScalar, knownScalarImm, notInitReg, pointerReg, unknownScalar, type Reg, type RegType,
} from './scalar/reg.ts';

/** PTR_MAYBE_NULL types and what a null check turns them into (mark_ptr_not_null_reg) */
export const NOT_NULL_TYPE: Partial<Record<RegType, RegType>> = {
  map_value_or_null: 'map_value',
  sock_or_null: 'sock',
  sock_common_or_null: 'sock_common',
  tcp_sock_or_null: 'tcp_sock',
  mem_or_null: 'mem',
  btf_sock_or_null: 'btf_sock',
};
export const mayBeNull = (t: RegType): boolean => NOT_NULL_TYPE[t] !== undefined;
/** reg_is_pkt_pointer (pkt, pkt_meta) and reg_is_pkt_pointer_any (pkt_end too) */
export const isPktPointer = (t: RegType): boolean => t === 'pkt' || t === 'pkt_meta';
export const isPktPointerAny = (t: RegType): boolean => t === 'pkt' || t === 'pkt_meta' || t === 'pkt_end';

export const AT_PKT_END = -1;
export const BEYOND_PKT_END = -2;

export const BPF_REG_SIZE = 8;
export const MAX_BPF_STACK = 512;

export type SlotType = 'invalid' | 'spill' | 'misc' | 'zero';

interface StackSlot {
  /** byte types, index i covers byte (slot start + i); kernel slot_type[] order */
  types: SlotType[];
  spilled: Reg;
}

export interface Frame {
  regs: Reg[];
  /** stack slots indexed by spi: slot spi covers [fp - 8*(spi+1), fp - 8*spi) */
  stack: StackSlot[];
  /** allocated_stack in bytes (multiple of 8) */
  allocated: number;
  frameno: number;
  subprog: number;
  /** instruction index of the call that created this frame; -1 for main */
  callsite: number;
  /** outgoing stack-argument slots (stack_arg_regs), index = arg - 6 */
  outArgs: Reg[];
  /** set once an r11 store or call happened in this function (no_stack_arg_load) */
  noStackArgLoad: boolean;
}

/** an acquired reference (struct bpf_reference_state, REF_TYPE_PTR) */
interface RefState {
  id: number;
  /** instruction of the acquiring call (alloc_insn) */
  insnIdx: number;
}

export interface VState {
  frames: Frame[];
  /** references held on this path (acquired_refs), shared by all frames */
  refs: RefState[];
  /** instruction to process next */
  insnIdx: number;
  /** previous instruction index (for history/diagnostics) */
  prevIdx: number;
  /** bounded-loop bookkeeping: how many times each back-edge target was entered on this path */
  branches?: number;
}

function cloneFrame(f: Frame): Frame {
  return {
    regs: f.regs.map(cloneReg),
    stack: f.stack.map((s) => ({ types: s.types.slice(), spilled: cloneReg(s.spilled) })),
    allocated: f.allocated,
    frameno: f.frameno,
    subprog: f.subprog,
    callsite: f.callsite,
    outArgs: f.outArgs.map(cloneReg),
    noStackArgLoad: f.noStackArgLoad,
  };
}

export function cloneState(s: VState): VState {
  return { frames: s.frames.map(cloneFrame), refs: s.refs.length ? s.refs.map((r) => ({ ...r })) : [], insnIdx: s.insnIdx, prevIdx: s.prevIdx };
}

/**
 * env->id_gen: one counter for the whole verification, shared by every path (scalar links,
 * may-be-null pointers, packet pointers, references). The kernel prints these ids (7.3's
 * `Unreleased reference id=%d`), so the model numbers them in the same order. check() is
 * synchronous, so a module counter reset at the start of each verification is enough.
 */
let idGen = 0;
export const nextId = (): number => ++idGen;
export const resetIds = (): void => void (idGen = 0);

/**
 * bpf_for_each_reg_in_vstate: every register of every frame, every spilled register and every
 * initialised outgoing stack-argument slot. `visit` may change the register in place.
 */
export function forEachReg(st: VState, visit: (r: Reg) => void): void {
  for (const f of st.frames) {
    for (let i = 0; i < MAX_BPF_REG; i++) visit(f.regs[i]!);
    for (const s of f.stack) if (s.types[BPF_REG_SIZE - 1] === 'spill') visit(s.spilled);
    for (const a of f.outArgs) if (a.type !== 'not_init') visit(a);
  }
}

export function newFrame(frameno: number, subprog: number, callsite: number): Frame {
  const regs: Reg[] = [];
  for (let i = 0; i < MAX_BPF_REG; i++) regs.push(notInitReg());
  regs[BPF_REG_FP] = pointerReg('ptr_to_stack', 0, frameno);
  return { regs, stack: [], allocated: 0, frameno, subprog, callsite, outArgs: [], noStackArgLoad: false };
}

export function curFrame(s: VState): Frame {
  return s.frames[s.frames.length - 1]!;
}

/** grow_stack_state: make sure slots down to `size` bytes exist */
export function growStack(f: Frame, size: number): void {
  const slots = Math.ceil(size / BPF_REG_SIZE);
  while (f.stack.length < slots) {
    f.stack.push({ types: ['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'invalid'], spilled: notInitReg() });
  }
  if (f.allocated < slots * BPF_REG_SIZE) f.allocated = slots * BPF_REG_SIZE;
}
