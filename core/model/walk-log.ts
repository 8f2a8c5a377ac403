// The model's own walk log of a program, for the finding page beside the kernel's verifier log:
// each instruction the walk checks with the register state before it, printed the way
// print_verifier_state does (`R1=ctx() R10=fp0`, scalars as their constant or `scalar()`),
// then the model's verdict and reason.
import type { Outcome, Program } from '../program/types.ts';
import { disassemble } from '../isa/index.ts';
import type { Profile } from './profile.ts';
import { tnumIsConst } from './scalar/bounds.ts';
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

/** A register as print_verifier_state shows it, approximately. */
function formatReg(r: Reg): string {
  const known = r.varOff !== undefined && tnumIsConst(r.varOff) ? BigInt.asIntN(64, r.varOff.value) : undefined;
  if (r.type === 'scalar') return known !== undefined ? String(known) : 'scalar()';
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
