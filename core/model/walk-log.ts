// The model's own walk log of a program, for the finding page beside the kernel's verifier log:
// each instruction the walk checks with the register state before it, printed the way
// print_verifier_state does (`R1=ctx() R10=fp0`, scalars as their constant or `scalar()`),
// then the model's verdict and reason.
import type { Outcome, Program } from '../program/types.ts';
import { disassemble } from '../isa/index.ts';
import type { Profile } from './profile.ts';
import { s32max, s32min, smax, smin, tnumIsConst, u32max, u32min, umax, umin } from './scalar/bounds.ts';
import type { Reg, VState } from './state.ts';
import { check, verify } from './verify.ts';

interface ModelTraceLine {
  insn: number;
  /** frame number of the function being walked */
  frame: number;
  /** `R1=ctx() R10=fp0`: the registers that hold something, before the instruction */
  state: string;
}

interface ModelTrace {
  outcome: Outcome;
  /** instructions in walk order, at most `maxLines` (the last ones kept) */
  lines: ModelTraceLine[];
  /** lines left out at the start */
  cut: number;
  listing: string[];
}

/** verbose_snum / verbose_unum (kernel/bpf/log.c): decimal within 16 bits, hex beyond */
const isSnumDecimal = (v: bigint): boolean => v >= -32768n && v <= 32767n;
const snum = (v: bigint): string => (isSnumDecimal(v) ? String(v) : `0x${BigInt.asUintN(64, v).toString(16)}`);
const unum = (v: bigint): string => (v <= 65535n ? String(v) : `0x${v.toString(16)}`);

/**
 * print_scalar_ranges: the bounds that differ from their defaults, in the kernel's order, a value
 * shared with a later bound of the same sign printed once (`smin=smin32=0`); hex s32 bounds unsigned.
 */
function scalarRanges(r: Reg): string[] {
  const s32 = (v: bigint) => (isSnumDecimal(v) ? v : BigInt.asUintN(32, v));
  const all: Array<{ name: string; val: bigint; omit: boolean }> = [
    { name: 'smin', val: smin(r), omit: smin(r) === -(1n << 63n) },
    { name: 'smax', val: smax(r), omit: smax(r) === (1n << 63n) - 1n },
    { name: 'umin', val: umin(r), omit: umin(r) === 0n },
    { name: 'umax', val: umax(r), omit: umax(r) === (1n << 64n) - 1n },
    { name: 'smin32', val: s32(s32min(r)), omit: s32min(r) === -(1n << 31n) },
    { name: 'smax32', val: s32(s32max(r)), omit: s32max(r) === (1n << 31n) - 1n },
    { name: 'umin32', val: u32min(r), omit: u32min(r) === 0n },
    { name: 'umax32', val: u32max(r), omit: u32max(r) === (1n << 32n) - 1n },
  ];
  const out: string[] = [];
  all.forEach((m1, i) => {
    if (m1.omit) return;
    const neg1 = m1.name[0] === 's' && m1.val < 0n;
    let names = `${m1.name}=`;
    for (let j = i + 2; j < all.length; j += 2) {
      const m2 = all[j]!;
      if (m2.omit || m2.val !== m1.val || (m2.name[0] === 's' && m2.val < 0n) !== neg1) continue;
      m2.omit = true;
      names += `${m2.name}=`;
    }
    out.push(names + (m1.name[0] === 's' ? snum(m1.val) : unum(m1.val)));
  });
  const t = r.varOff;
  if (t.mask !== (1n << 64n) - 1n) out.push(`var_off=(0x${t.value.toString(16)}; 0x${t.mask.toString(16)})`);
  return out;
}

/** A register as print_verifier_state shows it, approximately (scalars exactly). */
function formatReg(r: Reg): string {
  const known = r.varOff !== undefined && tnumIsConst(r.varOff) ? BigInt.asIntN(64, r.varOff.value) : undefined;
  if (r.type === 'scalar') return known !== undefined ? snum(known) : `scalar(${scalarRanges(r).join(',')})`;
  if (r.type === 'ptr_to_stack') return `fp${known ?? ''}`;
  if (r.type === 'ptr_to_ctx') return `ctx(${known ? `off=${known}` : ''})`;
  return `${r.type ?? 'invalid'}(${known ? `off=${known}` : ''})`;
}

function formatState(st: VState): string {
  const f = st.frames[st.frames.length - 1];
  const regs = f.regs.flatMap((r, i) => (r.type === 'not_init' ? [] : [`R${i}=${formatReg(r)}`]));
  const args = f.outArgs.flatMap((r, k) => (r.type === 'not_init' ? [] : [`arg${k + 6}=${formatReg(r)}`]));
  return [...(st.frames.length > 1 ? [`frame${st.frames.length - 1}:`] : []), ...regs, ...args].join(' ');
}

export function traceModel(program: Program, profile: Profile, maxLines = 400): ModelTrace {
  const lines: ModelTraceLine[] = [];
  let seen = 0;
  check(program, profile, {
    onInsn: (insn, st) => {
      seen++;
      lines.push({ insn, frame: st.frames.length - 1, state: formatState(st) });
      if (lines.length > maxLines * 2) lines.splice(0, lines.length - maxLines);
    },
  });
  const kept = lines.slice(-maxLines);
  return { outcome: verify(program, profile), lines: kept, cut: seen - kept.length, listing: disassemble(program.insns).map((l) => l.text) };
}
