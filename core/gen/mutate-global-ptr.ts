// Mutations of global functions with pointer arguments (body-global-ptr.ts): each appends a global
// function g<k> whose BTF gives it the ctx or memory, and calls it at the start of main's exit
// (main holds the ctx at fp-8 and its first local, 8 initialised bytes, at fp-16). One side of the
// call breaks one rule: the callee (its own verification, do_check_common) or the caller
// (btf_check_func_arg_match, whose failure the kernel reports as "Caller passes invalid args").
import { BPF_ADD, BPF_JEQ, BPF_JGT, E, R_FP, SIZE_BYTES, type ArgType, type Op, type SizeName } from '../isa/index.ts';
import { CHECKSUM, EDGE_IMM32, foldOps } from './values.ts';
import { PKT_FIELDS } from './body-packet.ts';
import { exitAt, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import type { MutationKind } from './mutations.ts';

const CTX_SLOT = -8;
const FIRST_LOCAL = -16;
const SIZES: SizeName[] = ['DW', 'W', 'H', 'B'];
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const callerPasses = (k: number): string => `^${esc(`Caller passes invalid args into func#${k} ('g${k}')`)}$`;

/** Appends global g<k>(argTypes) with `body` (before its `r0 = checksum; exit`) and calls it from main with `setup`; returns k. */
function appendGlobal(c: MutationCtx, argTypes: ArgType[], body: Op[], setup: Op[]): number {
  const k = c.funcs.length;
  c.funcs.push({ name: `g${k}`, args: argTypes.length, linkage: 'global', argTypes, ops: [E.movImm(CHECKSUM, c.rng.i32()), ...body, E.movReg(0, CHECKSUM), E.exit()] });
  c.main.ops.splice(exitAt(c.main), 0, ...setup, E.call(k), ...foldOps(c.rng, 0));
  return k;
}

/** r1 = 8 bytes of main's stack, or NULL where the argument may be NULL */
const eightBytes = (c: MutationCtx, mayBeNull: boolean): Op[] =>
  mayBeNull && c.rng.chance(0.3) ? [E.movImm(1, 0)] : [E.movReg(1, R_FP), E.aluImm(BPF_ADD, 1, FIRST_LOCAL)];

const read = (size: SizeName, off: number): Op[] => [E.ldx(size, 0, 1, off), E.aluReg(BPF_ADD, CHECKSUM, 0)];

/** check_mem_access on PTR_TO_MEM | PTR_MAYBE_NULL: the callee reads its memory before the NULL test */
function memNoNullCheck(c: MutationCtx): string {
  const size = c.rng.pick(SIZES);
  appendGlobal(c, ['mem:8'], read(size, 8 - SIZE_BYTES[size]), eightBytes(c, true));
  return `^${esc("R1 invalid mem access 'mem_or_null'")}$`;
}

/** check_mem_region_access: after the NULL test, an access that ends past the declared size */
function memPastSize(c: MutationCtx): string {
  const { rng } = c;
  const size = rng.pick(SIZES);
  const off = 8 - SIZE_BYTES[size] + rng.int(1, 8);
  const nonnull = rng.chance(0.3);
  const skip = c.newLabel();
  const access = rng.chance(0.5) ? read(size, off) : [E.st(size, 1, off, rng.pick(EDGE_IMM32))];
  const body = nonnull ? access : [E.jumpImm(BPF_JEQ, 1, 0, skip), ...access, E.label(skip)];
  appendGlobal(c, [nonnull ? 'mem:8:nonnull' : 'mem:8'], body, eightBytes(c, !nonnull));
  return `^${esc('R1 min value is outside of the allowed memory range')}$`;
}

/** check_mem_reg: the caller's stack holds fewer bytes below the pointer than the declared size */
function memTooSmall(c: MutationCtx): string {
  const { rng } = c;
  const slots = rng.int(1, 2);
  const size = 8 * slots + 8 * rng.int(1, 2);
  const k = appendGlobal(c, [`mem:${size}`], [], [E.movReg(1, R_FP), E.aluImm(BPF_ADD, 1, -8 * slots)]);
  return callerPasses(k);
}

/** btf_check_func_arg_match: a ctx argument gets a scalar, a stack pointer or a moved ctx */
function ctxNotCtx(c: MutationCtx): string {
  const { rng } = c;
  const variants: Op[][] = [
    [E.movImm(1, rng.pick(EDGE_IMM32))],
    [E.movReg(1, R_FP), E.aluImm(BPF_ADD, 1, FIRST_LOCAL)],
    [E.ldx('DW', 1, R_FP, CTX_SLOT), E.aluImm(BPF_ADD, 1, 8 * rng.int(1, 4))],
  ];
  const setup = rng.pick(variants);
  const k = appendGlobal(c, ['ctx'], [E.ldx('W', 0, 1, 0), E.aluReg(BPF_ADD, CHECKSUM, 0)], setup);
  return callerPasses(k);
}

/** btf_check_func_arg_match: NULL for an arg:nonnull memory argument (6.12 lets it through and oopses) */
function nonnullGetsNull(c: MutationCtx): string {
  const k = appendGlobal(c, ['mem:8:nonnull'], read('DW', 0), [E.movImm(1, 0)]);
  return callerPasses(k);
}

/** check_mem_reg: a memory argument gets a scalar that is not NULL, or the ctx */
function memNotMem(c: MutationCtx): string {
  const { rng } = c;
  const setup = rng.chance(0.5) ? [E.movImm(1, rng.pick(EDGE_IMM32.filter((v) => v !== 0)))] : [E.ldx('DW', 1, R_FP, CTX_SLOT)];
  const k = appendGlobal(c, [rng.chance(0.5) ? 'mem:8' : 'mem:8:nonnull'], [], setup);
  return callerPasses(k);
}

/** process_bpf_exit_full: a global function returns its memory argument */
function memReturned(c: MutationCtx): string {
  const k = c.funcs.length;
  c.funcs.push({ name: `g${k}`, args: 1, linkage: 'global', argTypes: ['mem:8:nonnull'], ops: [E.movReg(0, 1), E.exit()] });
  c.main.ops.splice(exitAt(c.main), 0, ...eightBytes(c, false), E.call(k), E.movImm(0, 0));
  return `^${esc('At subprogram exit the register R0 is not a scalar value (mem)')}$`;
}

/**
 * btf_check_func_arg_match: 8 bounds-checked packet bytes for a memory argument of a global function
 * that may move packet data (it calls bpf_skb_pull_data, or bpf_xdp_adjust_head on xdp)
 */
function pktForDataChanger(c: MutationCtx): string {
  const f = PKT_FIELDS[c.opts.progType]!;
  const pullHelper = c.opts.progType === 'xdp' ? 44 : 39;
  const skip = c.newLabel();
  const k = c.funcs.length;
  const setup = [
    E.ldx('DW', 2, R_FP, CTX_SLOT), E.ldx('W', 1, 2, f.data), E.ldx('W', 3, 2, f.end), E.movReg(4, 1), E.aluImm(BPF_ADD, 4, 8),
    E.jumpReg(BPF_JGT, 4, 3, skip),
  ];
  // g(mem:8, ctx): reads its memory, then moves the packet data (r2 = 0: pull nothing, adjust by 0)
  const gSkip = c.newLabel();
  const ops = [E.jumpImm(BPF_JEQ, 1, 0, gSkip), ...read('B', 0), E.label(gSkip), E.movReg(1, 2), E.movImm(2, 0), E.callHelper(pullHelper)];
  c.funcs.push({ name: `g${k}`, args: 2, linkage: 'global', argTypes: ['mem:8', 'ctx'], ops: [E.movImm(CHECKSUM, c.rng.i32()), ...ops, E.movReg(0, CHECKSUM), E.exit()] });
  c.main.ops.splice(exitAt(c.main), 0, ...setup, E.call(k), ...foldOps(c.rng, 0), E.label(skip));
  return callerPasses(k);
}

export const GLOBAL_PTR_MUTATORS = {
  'global-mem-no-null-check': memNoNullCheck,
  'global-mem-past-size': memPastSize,
  'global-mem-too-small': memTooSmall,
  'global-ctx-not-ctx': ctxNotCtx,
  'global-mem-nonnull-null': nonnullGetsNull,
  'global-mem-not-mem': memNotMem,
  'global-mem-returned': memReturned,
  'pkt-global-changes-data': pktForDataChanger,
} satisfies Partial<Record<MutationKind, Mutator>>;
