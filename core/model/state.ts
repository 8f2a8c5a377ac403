// Verifier state: registers, stack slots, frames and the outgoing stack-argument area,
// mirroring struct bpf_reg_state / bpf_stack_state / bpf_func_state (include/linux/bpf_verifier.h).
import { C32_UNBOUNDED, C64_UNBOUNDED, Cnum } from './scalar/cnum.ts';
import { Tnum, tnumUnknown } from './scalar/tnum.ts';
import { wFromBig } from './scalar/u64.ts';

export type RegType =
  | 'not_init'
  | 'scalar'
  | 'ptr_to_ctx'
  | 'ptr_to_stack'
  /** CONST_PTR_TO_MAP: a map reference from LD_IMM64 src 1 */
  | 'map_ptr'
  | 'map_value'
  | 'map_value_or_null'
  /** PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_PACKET_END */
  | 'pkt'
  | 'pkt_meta'
  | 'pkt_end'
  | 'sock'
  | 'sock_or_null'
  | 'sock_common'
  | 'sock_common_or_null'
  | 'tcp_sock'
  | 'tcp_sock_or_null';

/** PTR_MAYBE_NULL types and what a null check turns them into (mark_ptr_not_null_reg) */
export const NOT_NULL_TYPE: Partial<Record<RegType, RegType>> = {
  map_value_or_null: 'map_value',
  sock_or_null: 'sock',
  sock_common_or_null: 'sock_common',
  tcp_sock_or_null: 'tcp_sock',
};
export const mayBeNull = (t: RegType): boolean => NOT_NULL_TYPE[t] !== undefined;
/** reg_is_pkt_pointer (pkt, pkt_meta) and reg_is_pkt_pointer_any (pkt_end too) */
export const isPktPointer = (t: RegType): boolean => t === 'pkt' || t === 'pkt_meta';
export const isPktPointerAny = (t: RegType): boolean => t === 'pkt' || t === 'pkt_meta' || t === 'pkt_end';
/** type_is_sk_pointer */
export const isSockPointer = (t: RegType): boolean => t === 'sock' || t === 'sock_common' || t === 'tcp_sock';

export interface Reg {
  type: RegType;
  /** known bits; for pointers the offset from the object start */
  varOff: Tnum;
  r64: Cnum;
  r32: Cnum;
  /** PTR_TO_STACK: index of the frame whose stack it points into */
  frameno: number;
  /** scalar link id (0 = none); linked registers share bounds on branches */
  id: number;
  /** linked-register constant delta (BPF_ADD_CONST) */
  delta: number;
  /** the delta came from a 32-bit add (BPF_ADD_CONST32) */
  linked32?: boolean;
  /** map_ptr, map_value(_or_null): index into Program.maps (reg->map_ptr); -1 otherwise */
  mapIdx: number;
  /** pkt, pkt_meta: bytes known to be inside the packet (reg->range); AT_PKT_END / BEYOND_PKT_END when negative */
  range: number;
  /**
   * 6.12's split of a pointer's offset, for the messages that print it (before 7.x folded
   * reg->off into var_off): `fixedOff` is reg->off, the constants added; `varPart` is its var_off,
   * the variable parts added (undefined: 0). `varOff` stays the 7.x total either way.
   */
  fixedOff: number;
  varPart: Tnum | undefined;
}

export const AT_PKT_END = -1;
export const BEYOND_PKT_END = -2;

export const MAX_BPF_REG = 11;
export const BPF_REG_FP = 10;
export const BPF_REG_SIZE = 8;
export const MAX_BPF_STACK = 512;
export const STACK_SLOTS = MAX_BPF_STACK / BPF_REG_SIZE;

export function notInitReg(): Reg {
  return { type: 'not_init', varOff: tnumUnknown, r64: C64_UNBOUNDED, r32: C32_UNBOUNDED, frameno: 0, id: 0, delta: 0, linked32: undefined, mapIdx: -1, range: 0, fixedOff: 0, varPart: undefined };
}

export function unknownScalar(): Reg {
  return { type: 'scalar', varOff: tnumUnknown, r64: C64_UNBOUNDED, r32: C32_UNBOUNDED, frameno: 0, id: 0, delta: 0, linked32: undefined, mapIdx: -1, range: 0, fixedOff: 0, varPart: undefined };
}

export function knownScalar(v: bigint): Reg {
  const w = wFromBig(v);
  return knownScalarWords(w.h, w.l);
}

/** a known scalar from an instruction's immediate, sign-extended to 64 bits as the kernel does */
export function knownScalarImm(imm: number): Reg {
  return imm === (imm | 0) ? knownScalarWords(imm >> 31, imm) : knownScalar(BigInt(imm));
}

/** a known scalar from its u64 words */
export function knownScalarWords(h: number, l: number): Reg {
  return {
    type: 'scalar',
    varOff: new Tnum(h | 0, l | 0, 0, 0),
    r64: new Cnum(h | 0, l | 0, 0, 0),
    r32: new Cnum(0, l | 0, 0, 0),
    frameno: 0,
    id: 0,
    delta: 0,
    linked32: undefined,
    mapIdx: -1,
    range: 0,
    fixedOff: 0,
    varPart: undefined,
  };
}

/** a pointer with a constant offset (kernel keeps pointer offsets in var_off since 7.2) */
export function pointerReg(type: RegType, off: number, frameno = 0): Reg {
  const r = off >= -0x80000000 && off <= 0xffffffff ? knownScalarWords(off < 0 ? -1 : 0, off) : knownScalar(BigInt(off));
  r.type = type;
  r.frameno = frameno;
  r.fixedOff = off;
  return r;
}

export type SlotType = 'invalid' | 'spill' | 'misc' | 'zero';

export interface StackSlot {
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
export interface RefState {
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

/** every field written out, in one order: registers then share one object shape (V8 hidden class) */
export function cloneReg(r: Reg): Reg {
  return { type: r.type, varOff: r.varOff, r64: r.r64, r32: r.r32, frameno: r.frameno, id: r.id, delta: r.delta, linked32: r.linked32, mapIdx: r.mapIdx, range: r.range, fixedOff: r.fixedOff, varPart: r.varPart };
}

export function cloneFrame(f: Frame): Frame {
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
