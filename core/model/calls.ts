// Frames and calls: entering a subprogram (setup_func_entry, set_callee_state), returning
// (prepare_func_exit), and the r11 stack-argument area (check_stack_arg_write, check_stack_arg_read,
// check_outgoing_stack_args, invalidate_outgoing_stack_args).
import type { SubprogArg } from './global-args.ts';
import { EACCES, EFAULT, EINVAL, msg } from './messages.ts';
import { reject, type CheckResult } from './precheck.ts';
import { cover, pointerKind } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import { knownScalar, notInitReg, type Frame, type Reg, type VState } from './state.ts';

const MAX_STACK_ARG_SLOTS = 7;

export interface SubprogInfo {
  /** arguments from BTF (sub->arg_cnt) */
  argCnt: number;
  /** bpf_in_stack_arg_cnt */
  inStackArgs: number;
  /** max_out_stack_arg_cnt: highest outgoing slot written + 1 */
  maxOutWritten: number;
  /** stack_arg_cnt: incoming + the most any call from here needs */
  stackArgCnt: number;
  /** stack_depth in bytes */
  stackDepth: number;
  /** sub->args[]: each argument's kind from BTF, once btf_prepare_func_args succeeded (global-args.ts) */
  args?: SubprogArg[];
}

const STACK_ARG_POINTER_RULES: Record<NonNullable<ReturnType<typeof pointerKind>>, CheckRuleId> = {
  stack: 'check_stack_arg_write:stack-pointer',
  ctx: 'check_stack_arg_write:ctx-pointer',
  'map-value': 'check_stack_arg_write:map-value-pointer',
  pkt: 'check_stack_arg_write:pkt-pointer',
  'maybe-null': 'check_stack_arg_write:maybe-null-pointer',
  other: 'check_stack_arg_write:other-pointer',
};

/** check_stack_arg_write: `*(u64 *)(r11 - off) = value` */
export function stackArgWrite(f: Frame, info: SubprogInfo, off: number, value: Reg | bigint): CheckResult | undefined {
  const spi = Math.trunc(-off / 8) - 1;
  if (spi >= MAX_STACK_ARG_SLOTS) return reject(EINVAL, msg.stackArgWriteMax(off, MAX_STACK_ARG_SLOTS));
  while (f.outArgs.length < spi + 1) f.outArgs.push(notInitReg());
  if (spi + 1 > info.maxOutWritten) info.maxOutWritten = spi + 1;
  if (f.outArgs[spi]!.type !== 'not_init') cover('check_stack_arg_write:overwrite');
  cover(typeof value === 'bigint' ? 'check_stack_arg_write:imm' : value.type === 'scalar' ? 'check_stack_arg_write:scalar' : 'check_stack_arg_write:pointer');
  const kind = typeof value === 'bigint' ? undefined : pointerKind(value.type);
  if (kind) cover(STACK_ARG_POINTER_RULES[kind]);
  f.outArgs[spi] = typeof value === 'bigint' ? knownScalar(value) : { ...value };
  f.noStackArgLoad = true;
  return undefined;
}

/** check_stack_arg_read: `rX = *(u64 *)(r11 + off)` reads the caller's outgoing slot */
export function stackArgRead(st: VState, info: SubprogInfo, off: number, dst: number): CheckResult | undefined {
  const f = st.frames[st.frames.length - 1]!;
  if (f.noStackArgLoad) return reject(EINVAL, msg.stackArgLoadOrder());
  const spi = off / 8 - 1;
  if (spi + 1 > info.inStackArgs) return reject(EACCES, msg.stackArgReadOob(off, info.inStackArgs * 8));
  const caller = st.frames[st.frames.length - 2]!;
  // a slot the caller never wrote (a call whose BTF was unreliable skips the check) reads as NOT_INIT
  f.regs[dst] = { ...(caller.outArgs[spi] ?? notInitReg()) };
  cover(f.regs[dst]!.type === 'scalar' ? 'check_stack_arg_read:scalar' : 'check_stack_arg_read:pointer');
  return undefined;
}

/** check_outgoing_stack_args: every slot the callee reads must hold a value */
export function checkOutgoingStackArgs(caller: Frame, nargs: number): CheckResult | undefined {
  for (let i = 5; i < nargs; i++) {
    const spi = i - 5;
    if (spi >= caller.outArgs.length || caller.outArgs[spi]!.type === 'not_init') return reject(EFAULT, msg.stackArgNotInit(nargs, spi + 1));
  }
  if (nargs > 5) cover('check_outgoing_stack_args:initialized');
  return undefined;
}

export function invalidateOutgoingStackArgs(f: Frame): void {
  for (let i = 0; i < f.outArgs.length; i++) f.outArgs[i] = notInitReg();
}

/** clear_caller_saved_regs */
export function clearCallerSaved(f: Frame): void {
  for (let r = 0; r <= 5; r++) f.regs[r] = notInitReg();
}
