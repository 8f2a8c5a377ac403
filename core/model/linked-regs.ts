// Linked scalars at a conditional jump (kernel/bpf/verifier.c). collect_linked_regs gathers the
// registers and spilled stack slots that share the compared register's scalar id, frame by frame
// from the current one down to main (each frame's r0..r9, then its slots by spi), at most
// LINKED_REGS_MAX of them (they go into the jump history in one u64); __collect_linked_regs clears
// the id of every one past that (clear_scalar_id), so they learn nothing from this jump and are no
// longer linked afterwards. sync_linked_regs then gives only the gathered ones the refined bounds.
//
// 7.2 packs a frame number in 4 bits (16 call frames), so 5 entries fit; 6.12's 3 bits leave room
// for 6. 7.x gathers only the registers live at each frame's instruction (live_regs_before of the
// current instruction, of the call instruction for a caller frame) and does so before
// is_branch_taken, so ids are cleared even where the branch is decided; 6.12 gathers every
// register, and only when the path forks.
import { BPF_REG_FP } from '../isa/index.ts';
import { cover } from './coverage.ts';
import { regBoundsSync, zext32To64 } from './scalar/bounds.ts';
import { C32, C64 } from './scalar/cnum.ts';
import { tnumAdd } from './scalar/tnum.ts';
import { knownScalar, type Reg, type VState } from './state.ts';

/** how a profile gathers linked registers */
export interface LinkedRegsRules {
  /** LINKED_REGS_MAX */
  max: number;
  /** live_regs_before per instruction (7.x); undefined: every register (6.12) */
  live: Uint16Array | undefined;
}

/** one struct linked_reg: a register (`slot` false) or a spilled stack slot of a frame */
export interface LinkedReg {
  frame: number;
  /** register number, or spi for a stack slot */
  index: number;
  slot: boolean;
}

/** clear_scalar_id */
export const unlinkedReg = (r: Reg): Reg => ({ ...r, id: 0, delta: 0, linked32: undefined });

/** collect_linked_regs: appends to `out` what shares `id`; the ones past `rules.max` lose their id */
export function collectLinkedRegs(st: VState, id: number, out: LinkedReg[], rules: LinkedRegsRules): void {
  const frames = st.frames;
  const take = (r: Reg, e: LinkedReg): boolean => {
    if (r.type !== 'scalar' || r.id !== id) return false;
    if (out.length < rules.max) {
      out.push(e);
      return false;
    }
    cover('collect_linked_regs:overflow');
    return true;
  };
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    const ip = i === frames.length - 1 ? st.insnIdx : frames[i + 1]!.callsite;
    const live = rules.live ? (rules.live[ip] ?? 0xffff) : 0xffff;
    for (let j = 0; j < BPF_REG_FP; j++) {
      if (!(live & (1 << j))) continue;
      if (take(f.regs[j]!, { frame: i, index: j, slot: false })) f.regs[j] = unlinkedReg(f.regs[j]!);
    }
    const slots = Math.min(f.stack.length, f.allocated / 8);
    for (let j = 0; j < slots; j++) {
      const s = f.stack[j]!;
      if (s.types[7] !== 'spill') continue;
      if (take(s.spilled, { frame: i, index: j, slot: true })) s.spilled = unlinkedReg(s.spilled);
    }
  }
}

/** sync_linked_regs: the gathered registers sharing `known`'s id learn its bounds (with their delta) */
export function syncLinkedRegs(st: VState, known: Reg, linked: readonly LinkedReg[], legacy612 = false): void {
  for (const e of linked) {
    const f = st.frames[e.frame]!;
    const r = e.slot ? f.stack[e.index]!.spilled : f.regs[e.index]!;
    if (r === known || r.type !== 'scalar' || r.id !== known.id) continue;
    // a 32-bit delta and a 64-bit one do not relate the two (BPF_ADD_CONST32 vs BPF_ADD_CONST64, 7.x)
    if (r.linked32 !== undefined && known.linked32 !== undefined && r.linked32 !== known.linked32) continue;
    const next = synced(r, known, legacy612);
    if (e.slot) f.stack[e.index]!.spilled = next;
    else f.regs[e.index] = next;
  }
}

function synced(r: Reg, known: Reg, legacy612: boolean): Reg {
  if (r.delta === known.delta) return { ...known, delta: r.delta, linked32: r.linked32 };
  const copy: Reg = { ...known, delta: r.delta, id: r.id, linked32: r.linked32 };
  const k = knownScalar(BigInt(r.delta - known.delta));
  copy.r32 = C32.add(copy.r32, k.r32);
  copy.r64 = C64.add(copy.r64, k.r64);
  copy.varOff = tnumAdd(copy.varOff, k.varOff);
  if (r.linked32 || known.linked32) zext32To64(copy);
  regBoundsSync(copy, legacy612);
  return copy;
}
