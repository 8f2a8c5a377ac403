// The registers and values every body feature draws from: the working registers, the checksum
// register that carries each function's result to main's r0, edge-case immediates, and the fold
// that mixes a value into the checksum.
import { BPF_ADD, BPF_MUL, BPF_XOR, E, type Op } from '../isa/index.ts';
import type { ProgType } from '../program/index.ts';
import type { Prng } from './prng.ts';

/** working registers, callee-saved */
export const W = [7, 8, 9] as const;
/** the register each function folds its arguments and results into */
export const CHECKSUM = 6;
/** registers a statement may read: the checksum and the working registers */
export const READ_REGS: readonly number[] = [CHECKSUM, ...W];

export const EDGE_IMM32 = [0, 1, -1, 0x7fffffff, -0x80000000, 2, 8, 64, 0x100, 0x10000, 0x40000000, -2, -8, 0xffff, 0x7f, -0x80];
export const EDGE_IMM64: Array<[number, number]> = [
  [0, 0x80000000 | 0], // INT64_MIN
  [-1, 0x7fffffff], // INT64_MAX
  [-1, 0], // 0xffffffff
  [0, 1], // 2^32
  [-1, -1], // -1
  [0, 0x40000000], // 2^62
  [1, 0x80000000 | 0],
];

/** A u32 field of the ctx whose value the test run fixes, per program type. */
export const CTX_SCALAR_FIELD: Record<ProgType, number> = {
  socket_filter: 0, // __sk_buff.len
  sched_cls: 0, // __sk_buff.len
  xdp: 16, // xdp_md.rx_queue_index
};

/** an edge-case immediate 60% of the time, else a random 32-bit one */
export function imm32(rng: Prng): number {
  return rng.chance(0.6) ? rng.pick(EDGE_IMM32) : rng.i32();
}

/** Mixes register `v` into the checksum (one of three orders of xor/add and multiply). */
export function foldOps(rng: Prng, v: number): Op[] {
  const k = rng.u32() | 1;
  switch (rng.int(0, 2)) {
    case 0:
      return [E.aluReg(BPF_XOR, CHECKSUM, v), E.aluImm(BPF_MUL, CHECKSUM, k)];
    case 1:
      return [E.aluImm(BPF_MUL, CHECKSUM, k), E.aluReg(BPF_ADD, CHECKSUM, v)];
    default:
      return [E.aluReg(BPF_ADD, CHECKSUM, v), E.aluImm(BPF_MUL, CHECKSUM, k)];
  }
}
