// The model's beliefs in the shape core/diff/verifier-states.ts parses the kernel's level-2 log
// into: per walked instruction, in walk order, every register of the current frame that is not
// NOT_INIT, before the instruction (the state do_check hands print_verifier_state). Types carry
// the kernel's names (reg_type_str: `scalar`, `ctx`, `fp`, `map_value`, ...); a constant scalar is
// its value, any other scalar its eight bounds and tnum; a pointer its type and offset.
import type { InsnBelief, RegBelief } from '../diff/verifier-states.ts';
import type { Program } from '../program/types.ts';
import type { Profile } from './profile.ts';
import { s32max, s32min, smax, smin, tnumIsConst, u32max, u32min, umax, umin } from './scalar/bounds.ts';
import type { Reg, RegType, VState } from './state.ts';
import { check } from './verify.ts';

/** reg_type_str (kernel/bpf/log.c) of each model register type */
const KERNEL_TYPE_NAME: Record<Exclude<RegType, 'not_init'>, string> = {
  scalar: 'scalar',
  ptr_to_ctx: 'ctx',
  ptr_to_stack: 'fp',
  map_ptr: 'map_ptr',
  map_value: 'map_value',
  map_value_or_null: 'map_value_or_null',
  pkt: 'pkt',
  pkt_meta: 'pkt_meta',
  pkt_end: 'pkt_end',
  sock: 'sock',
  sock_or_null: 'sock_or_null',
  sock_common: 'sock_common',
  sock_common_or_null: 'sock_common_or_null',
  tcp_sock: 'tcp_sock',
  tcp_sock_or_null: 'tcp_sock_or_null',
  mem: 'mem',
  mem_or_null: 'mem_or_null',
  ptr_to_btf_id: 'ptr_',
  btf_sock: 'ptr_',
  btf_sock_or_null: 'ptr_or_null_',
  rdonly_untrusted_mem: 'rdonly_untrusted_mem',
};

function regBelief(reg: number, r: Reg): RegBelief | undefined {
  if (r.type === 'not_init') return undefined;
  const type = r.type === 'ptr_to_btf_id' ? r.btf ?? 'ptr_' : KERNEL_TYPE_NAME[r.type];
  const known = tnumIsConst(r.varOff) ? BigInt.asIntN(64, r.varOff.value) : undefined;
  if (r.type !== 'scalar' && known !== undefined) return { reg, type, off: Number(known) };
  if (r.type === 'scalar' && known !== undefined) return { reg, type, value: known };
  return {
    reg,
    type,
    smin: smin(r),
    smax: smax(r),
    umin: umin(r),
    umax: umax(r),
    s32min: s32min(r),
    s32max: s32max(r),
    u32min: u32min(r),
    u32max: u32max(r),
    varOff: { value: r.varOff.value, mask: r.varOff.mask },
  };
}

function insnBelief(insn: number, st: VState, path: number): InsnBelief {
  const f = st.frames[st.frames.length - 1]!;
  const regs = f.regs.flatMap((r, i) => regBelief(i, r) ?? []);
  return { insn, frame: st.frames.length - 1, regs, path };
}

/**
 * The model's walk of `program` under `profile` as InsnBeliefs, in walk order (paths one after
 * another, as the kernel's log shows them, each visit with its path's number), at most `max` of them
 * (the first ones).
 */
export function modelBeliefs(program: Program, profile: Profile, max = 20_000): InsnBelief[] {
  const out: InsnBelief[] = [];
  // each path the walk pops (and each global function's walk) has a state object of its own
  let current: VState | undefined;
  let path = -1;
  check(program, profile, {
    onInsn: (insn, st) => {
      if (st !== current) {
        current = st;
        path++;
      }
      if (out.length < max) out.push(insnBelief(insn, st, path));
    },
  });
  return out;
}
