// Mutations of direct packet access (body-packet.ts): a packet read in main, just before its
// exit, whose bounds check is missing, one byte short or passed, or whose pointer moved by a value
// with no lower bound. check_packet_access (via check_mem_region_access, which 7.2 uses for
// packets) and check_reg_sane_offset (kernel/bpf/verifier.c) reject them.
import { BPF_ADD, BPF_AND, BPF_LSH, BPF_MOV, BPF_MUL, E, SIZE_BYTES, type Op } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { PACKET_BYTES, PKT_FIELDS, boundsCheck, loadPacketPointers, sizeWithin } from './body-packet.ts';
import { CTX_SCALAR_FIELD } from './values.ts';

/** main keeps the ctx in its first slot (body.ts layoutFrame) */
const MAIN_CTX_SLOT = -8;

const outsideRange = "^R\\d+ min value is outside of the allowed memory range$";

/** the pointers, then `body` (a check and an access), then the label a check jumps to */
function inMain(c: MutationCtx, body: (skip: number) => Op[]): void {
  const skip = c.newLabel();
  const ops = [...loadPacketPointers(c.opts.progType, MAIN_CTX_SLOT), ...body(skip), E.label(skip), E.movImm(0, 0)];
  c.main.ops.splice(exitAt(c.main), 0, ...ops);
}

function noBoundsCheck(c: MutationCtx): string {
  const size = sizeWithin(c.rng, 8);
  inMain(c, () => [E.ldx(size, 0, 2, c.rng.int(0, 8))]);
  return outsideRange;
}

/** a check of n - 1 bytes, then a read that ends at byte n */
function checkOneShort(c: MutationCtx): string {
  const { rng } = c;
  const size = sizeWithin(rng, 8);
  const n = rng.int(SIZE_BYTES[size], PACKET_BYTES);
  inMain(c, (skip) => [...boundsCheck(rng, n - 1, skip, c.newLabel), E.ldx(size, 0, 2, n - SIZE_BYTES[size])]);
  return outsideRange;
}

/** a check of n bytes, then a read starting at byte n */
function accessPastCheck(c: MutationCtx): string {
  const { rng } = c;
  const size = sizeWithin(rng, 8);
  const n = rng.int(1, PACKET_BYTES - SIZE_BYTES[size]);
  inMain(c, (skip) => [...boundsCheck(rng, n, skip, c.newLabel), E.ldx(size, 0, 2, n)]);
  return outsideRange;
}

/** a ctx field shifted into the upper half has no lower bound as a signed value */
function unboundedOffset(c: MutationCtx): string {
  const { rng } = c;
  inMain(c, (skip) => [
    E.ldx('W', 0, 1, CTX_SCALAR_FIELD[c.opts.progType]),
    E.aluImm(BPF_LSH, 0, 32),
    E.aluReg(BPF_ADD, 2, 0),
    ...boundsCheck(rng, 1, skip, c.newLabel),
    E.ldx('B', 0, 2, 0),
  ]);
  return '^math between pkt pointer and register with unbounded min value is not allowed$';
}

/** `r2 += s` with s a ctx field sign-extended from 8 bits (-128..127), then a check and a read at r2 */
function signedOffset(c: MutationCtx): string {
  const { rng } = c;
  inMain(c, (skip) => [
    E.ldx('W', 0, 1, CTX_SCALAR_FIELD[c.opts.progType]),
    E.aluReg(BPF_MOV, 0, 0, true, 8),
    E.aluReg(BPF_ADD, 2, 0),
    ...boundsCheck(rng, 1, skip, c.newLabel),
    E.ldx('B', 0, 2, 0),
  ]);
  return '^R\\d+ min value is negative, either use unsigned index or do a if \\(index >=0\\) check\\.$';
}

/** an operation on the data pointer the kernel allows on no pointer: 32-bit, bitwise or multiplying */
function pointerAlu(op: number, w64: boolean, expect: string): Mutator {
  return (c) => {
    inMain(c, (skip) => [E.aluImm(op, 2, 2, w64), ...boundsCheck(c.rng, 1, skip, c.newLabel), E.ldx('B', 0, 2, 0)]);
    return expect;
  };
}

/** data_end moved: the kernel allows no arithmetic on it */
function endArith(c: MutationCtx): string {
  inMain(c, (skip) => [E.aluImm(BPF_ADD, 3, c.rng.int(1, 8)), ...boundsCheck(c.rng, 1, skip, c.newLabel), E.ldx('B', 0, 2, 0)]);
  return '^R\\d+ pointer arithmetic on pkt_end prohibited$';
}

/** data read through the ctx pointer moved by a constant (check_ptr_off_reg) */
function ctxModified(c: MutationCtx): string {
  const f = PKT_FIELDS_OF(c);
  const k = 4 * c.rng.int(1, 3);
  c.main.ops.splice(exitAt(c.main), 0, E.ldx('DW', 1, 10, MAIN_CTX_SLOT), E.aluImm(BPF_ADD, 1, k), E.ldx('W', 2, 1, f.data - k), E.movImm(0, 0));
  return '^dereference of modified ctx ptr R\\d+ off=-?\\d+ disallowed$';
}

/** a store into the ctx's data field, which no program type may write */
function ctxWrite(c: MutationCtx): string {
  const f = PKT_FIELDS_OF(c);
  c.main.ops.splice(exitAt(c.main), 0, E.ldx('DW', 1, 10, MAIN_CTX_SLOT), E.stx('W', 1, c.rng.chance(0.5) ? f.data : f.end, 6), E.movImm(0, 0));
  return '^invalid bpf_context access off=\\d+ size=4$';
}

const PKT_FIELDS_OF = (c: MutationCtx): { data: number; end: number } => PKT_FIELDS[c.opts.progType]!;

export const PACKET_MUTATORS = {
  'pkt-no-bounds-check': noBoundsCheck,
  'pkt-check-one-short': checkOneShort,
  'pkt-access-past-check': accessPastCheck,
  'pkt-unbounded-offset': unboundedOffset,
  'pkt-signed-offset': signedOffset,
  'pkt-ptr-alu32': pointerAlu(BPF_ADD, false, '^R\\d+ 32-bit pointer arithmetic prohibited$'),
  'pkt-ptr-bitwise': pointerAlu(BPF_AND, true, '^R\\d+ bitwise operator &= on pointer prohibited$'),
  'pkt-ptr-mul': pointerAlu(BPF_MUL, true, '^R\\d+ pointer arithmetic with \\*= operator prohibited$'),
  'pkt-end-arith': endArith,
  'pkt-ctx-modified': ctxModified,
  'pkt-ctx-write': ctxWrite,
} satisfies Partial<Record<MutationKind, Mutator>>;
