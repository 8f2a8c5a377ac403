// Mutations of direct packet access (body-packet.ts): a packet read in main, just before its
// exit, whose bounds check is missing, one byte short or passed, or whose pointer moved by a value
// with no lower bound. check_packet_access (via check_mem_region_access, which 7.2 uses for
// packets) and check_reg_sane_offset (kernel/bpf/verifier.c) reject them.
import { BPF_ADD, BPF_LSH, E, SIZE_BYTES, type Op } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { PACKET_BYTES, boundsCheck, loadPacketPointers, sizeWithin } from './body-packet.ts';
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

export const PACKET_MUTATORS = {
  'pkt-no-bounds-check': noBoundsCheck,
  'pkt-check-one-short': checkOneShort,
  'pkt-access-past-check': accessPastCheck,
  'pkt-unbounded-offset': unboundedOffset,
} satisfies Partial<Record<MutationKind, Mutator>>;
