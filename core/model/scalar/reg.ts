// The register record (struct bpf_reg_state, include/linux/bpf_verifier.h) and its
// constructors. It lives beside the scalar tracking that works on it, so scalar/ needs
// nothing from the rest of the model; state.ts re-exports it for everyone else.
import { C32_UNBOUNDED, C64_UNBOUNDED, Cnum } from './cnum.ts';
import { Tnum, tnumUnknown } from './tnum.ts';
import { wFromBig } from './u64.ts';

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
  | 'tcp_sock_or_null'
  /** PTR_TO_MEM [| PTR_MAYBE_NULL]: a global function's memory argument; its size is in `range` */
  | 'mem'
  | 'mem_or_null'
  /** PTR_TO_BTF_ID (a pointer field read through a map pointer); `btf` names it */
  | 'ptr_to_btf_id'
  /** PTR_TO_BTF_ID [| PTR_MAYBE_NULL] of a socket struct a bpf_skc_to_* helper returned; `btf` names the struct */
  | 'btf_sock'
  | 'btf_sock_or_null'
  /** PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED of size 0: a pointer field whose target is not a struct */
  | 'rdonly_untrusted_mem';

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
  /** a 32-bit BPF_CMPXCHG's R0 not yet read as 64 bits: that insn's index (reg->subreg_def, subreg-def.ts) */
  subregDef?: number;
  /** map_ptr, map_value(_or_null): index into Program.maps (reg->map_ptr); -1 otherwise */
  mapIdx: number;
  /** pkt, pkt_meta: bytes known to be inside the packet (reg->range); AT_PKT_END / BEYOND_PKT_END when negative.
   *  mem, mem_or_null: its size (reg->mem_size, which shares reg->range's union in the kernel) */
  range: number;
  /**
   * 6.12's split of a pointer's offset, for the messages that print it (before 7.x folded
   * reg->off into var_off): `fixedOff` is reg->off, the constants added; `varPart` is its var_off,
   * the variable parts added (undefined: 0). `varOff` stays the 7.x total either way.
   */
  fixedOff: number;
  varPart: Tnum | undefined;
  /** ptr_to_btf_id: the type as the kernel prints it (`ptr_bpf_map_ops`, `untrusted_ptr_list_head`) */
  btf: string | undefined;
  /**
   * 6.12's reg->ref_obj_id where it differs from `id`: the reference a cast of a referenced socket
   * (bpf_tcp_sock, bpf_sk_fullsock, bpf_skc_to_*) belongs to. Elsewhere the model keeps a
   * reference in `id`, as 7.x does
   */
  refObjId?: number;
}

export function notInitReg(): Reg {
  return { type: 'not_init', varOff: tnumUnknown, r64: C64_UNBOUNDED, r32: C32_UNBOUNDED, frameno: 0, id: 0, delta: 0, linked32: undefined, mapIdx: -1, range: 0, fixedOff: 0, varPart: undefined, btf: undefined };
}

export function unknownScalar(): Reg {
  return { type: 'scalar', varOff: tnumUnknown, r64: C64_UNBOUNDED, r32: C32_UNBOUNDED, frameno: 0, id: 0, delta: 0, linked32: undefined, mapIdx: -1, range: 0, fixedOff: 0, varPart: undefined, btf: undefined };
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
function knownScalarWords(h: number, l: number): Reg {
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
    btf: undefined,
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

/** every field written out, in one order: registers then share one object shape (V8 hidden class) */
export function cloneReg(r: Reg): Reg {
  return { type: r.type, varOff: r.varOff, r64: r.r64, r32: r.r32, frameno: r.frameno, id: r.id, delta: r.delta, linked32: r.linked32, mapIdx: r.mapIdx, range: r.range, fixedOff: r.fixedOff, varPart: r.varPart, btf: r.btf, refObjId: r.refObjId };
}
