// One pass of do_jit() (arch/x86/net/bpf_jit_comp.c): the function entry, then every
// instruction in order through the concern that emits it, recording addrs[] (the image
// offset after each instruction) for the next pass's jump sizes.
import type { RawInsn } from '../isa/raw.ts';
import { jitAlu, emitMovImm64 } from './alu.ts';
import { jitAtomic } from './atomics.ts';
import { jitCall, jitTailCall } from './calls.ts';
import { jitCondJump, jitExit, jitJa } from './jumps.ts';
import { jitMemory } from './memory.ts';
import { emitFunctionEntry } from './prologue.ts';
import { JitError, type FuncState } from './types.ts';
import { add1mod, add1reg } from './x86.ts';

const BPF_FUNC_TAIL_CALL = 12;
const PSEUDO_BTF_ID = 3;
const PSEUDO_FUNC = 4;

interface PassHooks {
  /** rel32 of a subprogram call when the functions' addresses are known */
  subprogRel?: (callee: number, callEnd: number) => number | undefined;
  /** filled with the start offset of each instruction (local index) when given */
  insnOffsets?: number[];
}

/**
 * BPF_LD | BPF_IMM | BPF_DW. The kernel's own xlated dump shows map and BTF-object loads with
 * their ids, not addresses: the JIT saw a kernel address there, which is what the model emits.
 */
function jitLdImm64(s: FuncState, lo: RawInsn, hi: RawInsn): void {
  const e = s.e;
  const src = lo.src;
  if (src === 0) {
    emitMovImm64(e, lo.dst, hi.imm, lo.imm);
    return;
  }
  if (src === PSEUDO_FUNC || src === PSEUDO_BTF_ID) {
    // a BPF function's or kernel symbol's address: in the module / kernel-text range, a sign-extended imm32
    e.b(add1mod(0x48, lo.dst), 0xc7, add1reg(0xc0, lo.dst));
    e.mark(e.len, 4, 'func-addr');
    e.u32(0);
    return;
  }
  // a map or map value: a direct-map kernel address, always a full movabs
  e.b(add1mod(0x48, lo.dst), add1reg(0xb8, lo.dst));
  e.mark(e.len, 8, 'imm64');
  e.u32(0);
  e.u32(0);
}

function jitJmpClass(s: FuncState, insn: RawInsn, i: number, hooks: PassHooks): void {
  const op = insn.code & 0xf0;
  const jmp64 = (insn.code & 0x07) === 0x05;
  if (op === 0x00) {
    if (insn.code & 0x08) throw new JitError(i - 1, 'indirect jumps (gotox) are not modelled');
    jitJa(s, insn, i);
  } else if (op === 0x80 && jmp64) {
    if (insn.src === 0 && insn.imm === BPF_FUNC_TAIL_CALL) jitTailCall(s, { ...insn, imm: 0 });
    else jitCall(s, insn, i - 1, hooks.subprogRel);
  } else if (op === 0x90 && jmp64) jitExit(s, i);
  else if (op === 0xf0 && jmp64) jitTailCall(s, insn);
  else if (op === 0xe0) throw new JitError(i - 1, 'may_goto left in the rewritten program');
  else jitCondJump(s, insn, i);
}

/** One pass over the function; returns proglen. */
export function doJit(s: FuncState, outStackArgs: number, hooks: PassHooks = {}): number {
  const e = s.e;
  const insns = s.insns;
  e.reset();
  s.seenExit = false;
  emitFunctionEntry(s, outStackArgs);
  s.addrs[0] = e.len;
  const n = insns.length;
  for (let i = 1; i <= n; i++) {
    const insn = insns[i - 1]!;
    s.insnStart = e.len;
    if (hooks.insnOffsets) hooks.insnOffsets[i - 1] = e.len;
    const cls = insn.code & 0x07;
    if (cls === 0x04 || cls === 0x07) jitAlu(s, insn, i - 1);
    else if (cls === 0x05 || cls === 0x06) jitJmpClass(s, insn, i, hooks);
    else if (cls === 0x03 && (insn.code & 0xe0) === 0xc0) jitAtomic(s, insn, i - 1);
    else if (cls === 0x00) {
      if (insn.code !== 0x18) throw new JitError(i - 1, `opcode 0x${insn.code.toString(16)} is not modelled`);
      const hi = insns[i];
      if (!hi) throw new JitError(i - 1, 'LD_IMM64 without its second slot');
      jitLdImm64(s, insn, hi);
      i++;
      if (hooks.insnOffsets) hooks.insnOffsets[i - 1] = s.insnStart;
    } else jitMemory(s, insn, i - 1);
    s.addrs[i] = e.len;
  }
  return e.len;
}
