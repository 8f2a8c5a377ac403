// Conditional and unconditional jumps and BPF_EXIT of do_jit() in arch/x86/net/bpf_jit_comp.c:
// cmp/test, jcc rel8 or rel32, jmp rel8 or rel32 chosen from addrs[] of the previous pass
// (is_imm8_jmp_offset), NOP padding of shrinking jumps in the padding passes (INSN_SZ_DIFF),
// removal of jumps to the next instruction, and exits after the first one jumping to the
// epilogue (ctx->cleanup_addr).
import type { RawInsn } from '../isa/raw.ts';
import { BPF_JMP as JMP, BPF_X as SRC_X } from '../isa/index.ts';
import { maybeEmit1mod, maybeEmitMod } from './alu.ts';
import { emitEpilogue } from './prologue.ts';
import { JitError, type FuncState } from './types.ts';
import { add1reg, add2reg, isImm8, isImm8JmpOffset } from './x86.ts';

/** BPF jump op -> x86 jcc (short form) */
const JCC: Readonly<Record<number, number>> = {
  0x10: 0x74, // jeq: je
  0x40: 0x75, // jset: jne
  0x50: 0x75, // jne: jne
  0x20: 0x77, // jgt: ja
  0xa0: 0x72, // jlt: jb
  0x30: 0x73, // jge: jae
  0xb0: 0x76, // jle: jbe
  0x60: 0x7f, // jsgt: jg
  0xc0: 0x7c, // jslt: jl
  0x70: 0x7d, // jsge: jge
  0xd0: 0x7e, // jsle: jle
};

/** INSN_SZ_DIFF: this instruction's size in the previous pass minus what is emitted so far */
const insnSzDiff = (s: FuncState, i: number): number => s.addrs[i]! - s.addrs[i - 1]! - (s.e.len - s.insnStart);

/** cmp/test for a conditional jump, then the jcc. `i` is the kernel's 1-based loop index. */
export function jitCondJump(s: FuncState, insn: RawInsn, i: number): void {
  const e = s.e;
  const is64 = (insn.code & 0x07) === JMP;
  const op = insn.code & 0xf0;
  const jcc = JCC[op];
  if (jcc === undefined) throw new JitError(i - 1, `unknown jump opcode 0x${insn.code.toString(16)}`);
  const { dst, src, imm } = insn;
  if (insn.code & SRC_X) {
    maybeEmitMod(e, dst, src, is64);
    e.b(op === 0x40 ? 0x85 : 0x39, add2reg(0xc0, dst, src)); // test / cmp dst, src
  } else if (op === 0x40) {
    maybeEmit1mod(e, dst, is64);
    e.b(0xf7, add1reg(0xc0, dst)); // test dst, imm32
    e.u32(imm);
  } else if (imm === 0) {
    maybeEmitMod(e, dst, dst, is64);
    e.b(0x85, add2reg(0xc0, dst, dst)); // test dst, dst
  } else {
    maybeEmit1mod(e, dst, is64);
    if (isImm8(imm)) e.b(0x83, add1reg(0xf8, dst), imm);
    else {
      e.b(0x81, add1reg(0xf8, dst));
      e.u32(imm);
    }
  }
  const offset = s.addrs[i + insn.off]! - s.addrs[i]!;
  if (isImm8JmpOffset(offset)) {
    if (s.padding) {
      const nops = insnSzDiff(s, i) - 2;
      if (nops !== 0 && nops !== 4) throw new JitError(i - 1, `unexpected jmp_cond padding: ${nops} bytes`);
      e.nops(nops);
    }
    e.b(jcc, offset);
  } else {
    e.b(0x0f, jcc + 0x10);
    e.u32(offset);
  }
}

/** jmp rel8 / rel32 (the emit_jmp label) */
function emitJmp(s: FuncState, offset: number, i: number): void {
  const e = s.e;
  if (isImm8JmpOffset(offset)) {
    if (s.padding) {
      const nops = insnSzDiff(s, i) - 2;
      if (nops !== 0 && nops !== 3) throw new JitError(i - 1, `unexpected jump padding: ${nops} bytes`);
      e.nops(nops);
    }
    e.b(0xeb, offset);
  } else {
    e.b(0xe9);
    e.u32(offset);
  }
}

/** BPF_JMP | BPF_JA (off) and BPF_JMP32 | BPF_JA (gotol, imm) */
export function jitJa(s: FuncState, insn: RawInsn, i: number): void {
  const rel = (insn.code & 0x07) === JMP ? insn.off : insn.imm;
  const offset = rel === -1 ? -2 : s.addrs[i + rel]! - s.addrs[i]!;
  if (offset === 0) {
    if (s.padding) {
      const nops = insnSzDiff(s, i);
      if (nops !== 0 && nops !== 2 && nops !== 5) throw new JitError(i - 1, `unexpected nop jump padding: ${nops} bytes`);
      s.e.nops(nops);
    }
    return;
  }
  emitJmp(s, offset, i);
}

/** BPF_EXIT: the first one is the epilogue, later ones jump to it */
export function jitExit(s: FuncState, i: number): void {
  if (s.seenExit) {
    emitJmp(s, s.cleanupAddr - s.addrs[i]!, i);
    return;
  }
  s.seenExit = true;
  s.cleanupAddr = s.insnStart;
  emitEpilogue(s);
}
