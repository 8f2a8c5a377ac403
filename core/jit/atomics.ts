// BPF_STX | BPF_ATOMIC of do_jit() in arch/x86/net/bpf_jit_comp.c: emit_atomic_rmw (lock
// add/and/or/xor, lock xadd, xchg, lock cmpxchg), the cmpxchg loop for fetch_and/or/xor, and
// emit_atomic_ld_st (load-acquire and store-release are plain moves on x86).
import type { RawInsn } from '../isa/raw.ts';
import { BPF_CMPXCHG as CMPXCHG, BPF_FETCH as FETCH, BPF_LOAD_ACQ as LOAD_ACQ, BPF_DW as SIZE_DW, BPF_STORE_REL as STORE_REL, BPF_XCHG as XCHG } from '../isa/index.ts';
import { emitMovReg, maybeEmitMod } from './alu.ts';
import { emitInsnSuffix, emitLdx, emitStx } from './memory.ts';
import { JitError, type FuncState } from './types.ts';
import { AUX, AX, R0, SIMPLE_ALU, add2reg, type Emitter } from './x86.ts';

/** emit_atomic_rmw */
function emitAtomicRmw(e: Emitter, op: number, dst: number, src: number, off: number, size: number, idx: number): void {
  if (op !== XCHG) e.b(0xf0); // lock
  maybeEmitMod(e, dst, src, size === SIZE_DW);
  switch (op) {
    case 0x00: case 0x50: case 0x40: case 0xa0:
      e.b(SIMPLE_ALU[op]!);
      break;
    case 0x00 | FETCH:
      e.b(0x0f, 0xc1); // xadd
      break;
    case XCHG:
      e.b(0x87);
      break;
    case CMPXCHG:
      e.b(0x0f, 0xb1);
      break;
    default:
      throw new JitError(idx, `unknown atomic op 0x${op.toString(16)}`);
  }
  emitInsnSuffix(e, dst, src, off);
}

/** fetch_and / fetch_or / fetch_xor: a cmpxchg loop with r0 saved in r10 */
function emitFetchLoop(s: FuncState, insn: RawInsn, idx: number): void {
  const e = s.e;
  const size = insn.code & 0x18;
  const is64 = size === SIZE_DW;
  const src = insn.src === R0 ? AX : insn.src;
  const dst = insn.dst === R0 ? AX : insn.dst;
  emitMovReg(e, true, AX, R0);
  const branchTarget = e.len;
  emitLdx(e, size, R0, dst, insn.off);
  emitMovReg(e, is64, AUX, R0);
  maybeEmitMod(e, AUX, src, is64);
  e.b(SIMPLE_ALU[insn.imm & 0xf0]!, add2reg(0xc0, AUX, src));
  emitAtomicRmw(e, CMPXCHG, dst, AUX, insn.off, size, idx);
  e.b(0x75, -(e.len - branchTarget) - 2); // jne back
  emitMovReg(e, is64, src, R0);
  emitMovReg(e, true, R0, AX);
}

/** One BPF_STX | BPF_ATOMIC instruction. */
export function jitAtomic(s: FuncState, insn: RawInsn, idx: number): void {
  const size = insn.code & 0x18;
  const op = insn.imm;
  const loadStore = op === LOAD_ACQ || op === STORE_REL;
  if ((size === 0x10 || size === 0x08) && !loadStore) throw new JitError(idx, '1- and 2-byte RMW atomics are not supported');
  if (op === (0x50 | FETCH) || op === (0x40 | FETCH) || op === (0xa0 | FETCH)) {
    emitFetchLoop(s, insn, idx);
    return;
  }
  if (op === LOAD_ACQ) emitLdx(s.e, size, insn.dst, insn.src, insn.off);
  else if (op === STORE_REL) emitStx(s.e, size, insn.dst, insn.src, insn.off);
  else emitAtomicRmw(s.e, op, insn.dst, insn.src, insn.off, size, idx);
}
