// Mutations of the gen/3 arithmetic fillers (sdiv/smod, movsx, bswap, ldsx): the same
// instruction with a reserved field set (a width the instruction does not have), which
// check_alu_fields rejects, or a sign-extending
// load of 8 bytes, an opcode bpf_opcode_in_insntable does not know (kernel/bpf/verifier.c,
// kernel/bpf/core.c). Both checks run over the whole program before the walk.
import { BPF_ADD, BPF_DIV, BPF_MOD, BPF_ALU, BPF_ALU64, BPF_AND, BPF_END, BPF_LDX, BPF_LSH, BPF_MEMSX, BPF_MOV, BPF_MUL, BPF_OR, BPF_SUB, BPF_TO_BE, BPF_TO_LE, BPF_XOR, R_FP, Size, type Op } from '../isa/index.ts';
import { E } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, reached, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { W, imm32 } from './values.ts';

const insn = (code: number, dst: number, src: number, off: number, imm: number): Op => ({ kind: 'insn', insn: { code, dst, src, off, imm } });

function atExit(c: MutationCtx, op: Op): void {
  const f = reached(c);
  f.ops.splice(exitAt(f), 0, op);
}

/** off 1 (signed) on an ALU op that is not div or mod */
function aluReservedOff(c: MutationCtx): string {
  const { rng } = c;
  const op = rng.pick([BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND, BPF_XOR, BPF_LSH]);
  atExit(c, rng.chance(0.5) ? E.aluReg(op, rng.pick(W), rng.pick(W), rng.chance(0.5), 1) : E.aluImm(op, rng.pick(W), op === BPF_LSH ? 3 : imm32(rng), rng.chance(0.5), 1));
  return '^BPF_ALU uses reserved fields$';
}

function movsxBadWidth(c: MutationCtx): string {
  const { rng } = c;
  const w64 = rng.chance(0.5);
  atExit(c, E.aluReg(BPF_MOV, rng.pick(W), rng.pick(W), w64, rng.pick(w64 ? [2, 24, 64] : [1, 24, 32, 64])));
  return '^BPF_MOV uses reserved fields$';
}

/** a byte swap of a width other than 16, 32 or 64 bits, or with a source register or offset */
function bswapBadWidth(c: MutationCtx): string {
  const { rng } = c;
  const dst = rng.pick(W);
  const variants: Op[] = [
    insn(BPF_ALU64 | BPF_END | BPF_TO_LE, dst, 0, 0, rng.pick([0, 8, 24, 48, 128])),
    insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, rng.pick([8, 24, 48])),
    insn(BPF_ALU64 | BPF_END | BPF_TO_LE, dst, rng.pick(W), 0, 32),
    insn(BPF_ALU | BPF_END | BPF_TO_LE, dst, 0, rng.pick([1, -1, 16]), 16),
  ];
  atExit(c, rng.pick(variants));
  return '^BPF_END uses reserved fields$';
}

function ldsxDw(c: MutationCtx): string {
  const { rng } = c;
  atExit(c, insn(BPF_LDX | BPF_MEMSX | Size.DW, rng.pick(W), R_FP, -8, 0));
  return `^unknown opcode ${(BPF_LDX | BPF_MEMSX | Size.DW).toString(16)}$`;
}

/** sdiv/smod (or div/mod) by an immediate 0 */
function divByZero(c: MutationCtx): string {
  const { rng } = c;
  atExit(c, E.aluImm(rng.pick([BPF_DIV, BPF_MOD]), rng.pick(W), 0, rng.chance(0.5), rng.chance(0.7) ? 1 : 0));
  return '^div by zero$';
}

export const ARITH_MUTATORS = {
  'alu-reserved-off': aluReservedOff,
  'movsx-bad-width': movsxBadWidth,
  'bswap-bad-width': bswapBadWidth,
  'ldsx-dw': ldsxDw,
  'sdiv-by-zero': divByZero,
} satisfies Partial<Record<MutationKind, Mutator>>;
