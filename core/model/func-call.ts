// bpf-to-bpf calls and returns (kernel/bpf/verifier.c): btf_prepare_func_args, check_func_call
// with btf_check_subprog_call and setup_func_entry, prepare_func_exit and process_bpf_exit_full,
// and which subprograms may move packet data (mark_subprog_changes_pkt_data).
import type { RawInsn } from '../isa/raw.ts';
import { BPF_CALL, BPF_JMP, BPF_PSEUDO_CALL } from '../isa/index.ts';
import type { Program } from '../program/types.ts';
import { checkOutgoingStackArgs, clearCallerSaved, invalidateOutgoingStackArgs, type SubprogInfo } from './calls.ts';
import { helperChangesPktData } from './helpers.ts';
import { regTypeStr } from './memory.ts';
import { E2BIG, EACCES, EFAULT, EINVAL, msg } from './messages.ts';
import { clearAllPktPointers, referenceLeak } from './pointers.ts';
import { reject, type CheckResult, type Subprog } from './precheck.ts';
import type { Profile } from './profile.ts';
import { cover, coverageOn, coverReason, pointerKind } from './coverage.ts';
import { checkArgMatch, prepareArgTypes } from './global-args.ts';
import type { MemEnv } from './memory.ts';
import type { CheckRuleId } from './cover/rules.ts';
import { curFrame, newFrame, unknownScalar, type Reg, type VState } from './state.ts';

/** What calls need of the walk (the kernel's env and subprog_info). */
export interface CallEnv {
  readonly profile: Profile;
  readonly subprogs: Subprog[];
  readonly subprogOf: Int32Array;
  readonly info: SubprogInfo[];
  /** subprograms whose BTF no longer describes how they are called (func_info_aux[].unreliable) */
  readonly unreliable: Set<number>;
  /** global subprogs a call reached; verified after main (do_check_subprogs) */
  readonly calledGlobals: Set<number>;
  /** subprog_info[].changes_pkt_data: the subprogram or one it calls may move packet data */
  readonly changesPktData: boolean[];
  /** when set, every R0 state at the main program's exit is recorded (bounds soundness tests) */
  exitR0: Reg[] | undefined;
  /** what memory checks need (a pointer argument of a global function is checked like a helper's) */
  readonly memEnv: MemEnv;
}

const POINTER_ARG_RULES: Record<NonNullable<ReturnType<typeof pointerKind>>, CheckRuleId> = {
  stack: 'setup_func_entry:stack-pointer-arg',
  ctx: 'setup_func_entry:ctx-pointer-arg',
  'map-value': 'setup_func_entry:map-value-pointer-arg',
  pkt: 'setup_func_entry:pkt-pointer-arg',
  'maybe-null': 'setup_func_entry:maybe-null-pointer-arg',
  other: 'setup_func_entry:other-pointer-arg',
};

/**
 * The argument checks' lines that carry 7.3's structured report, printed right after them and so
 * before "Caller passes invalid args": __check_ptr_off_reg's and check_mem_region_access's
 * (measured: a moved ctx, a map value or a memory argument smaller than the declared size; the
 * negative and unbounded forms of the latter are taken to behave alike). check_stack_range_initialized's
 * and check_helper_mem_access's lines carry none (measured).
 */
const REPORTED_ARG_LINE = /^(dereference of modified \S+ ptr |negative offset \S+ ptr |\S+ (min|max) value is outside of the allowed memory range$|\S+ min value is negative, |\S+ unbounded memory access, )/;

/** btf_prepare_func_args for a subprogram (not main): argument count rules */
export function prepareFuncArgs(env: CallEnv, sub: number): CheckResult | 'unreliable' | undefined {
  const s = env.subprogs[sub]!;
  const info = env.info[sub]!;
  const n = s.args;
  const f = env.profile.features;
  // subprog_info's arg_cnt is 4 bits wide since the stack arguments (7.2)
  info.argCnt = f.stackArgs ? n & 15 : n;
  if (!f.stackArgs) {
    if (n > env.profile.limits.maxRegArgs) {
      if (s.linkage !== 'global') {
        cover('btf_prepare_func_args:unreliable');
        return 'unreliable';
      }
      return reject(EINVAL, msg.globalTooManyArgs612(s.name, n, 5));
    }
    return prepareTypes(info, s);
  }
  if (n > env.profile.limits.maxFuncArgs) return reject(EFAULT, msg.tooManyParams(env.profile.limits.maxFuncArgs, s.name, n));
  if (n > 5) {
    cover('btf_prepare_func_args:stack-args');
    info.inStackArgs = n - 5;
    if (info.stackArgCnt < n - 5) info.stackArgCnt = n - 5;
  }
  if (s.linkage === 'global' && n > 5) return reject(EINVAL, msg.globalStackArgs(s.name, n, 5));
  return prepareTypes(info, s);
}

/** the argument loop of btf_prepare_func_args (global-args.ts), its result kept as sub->args */
function prepareTypes(info: SubprogInfo, s: Subprog): 'unreliable' | undefined {
  const args = prepareArgTypes(s);
  if (args === 'unreliable') return args;
  info.args = args;
  return undefined;
}

/** check_func_call for a bpf-to-bpf call: argument checks against BTF, then a new frame (setup_func_entry) or, for a global callee, its result */
export function checkFuncCall(env: CallEnv, st: VState, insn: RawInsn, idx: number): CheckResult | undefined {
  const target = idx + insn.imm + 1;
  const callee = env.subprogOf[target]!;
  const sub = env.subprogs[callee]!;
  const caller = curFrame(st);
  const info = env.info[callee]!;
  // btf_check_subprog_call → btf_check_func_arg_match; a mismatch marks the function's BTF
  // unreliable for the rest of the verification (func_info_aux[].unreliable), skipping later checks
  let err: CheckResult | undefined;
  if (env.unreliable.has(callee)) err = reject(EINVAL, '');
  else {
    const prep = prepareFuncArgs(env, callee);
    if (prep === 'unreliable') {
      if (info.inStackArgs > 0) {
        const e = checkOutgoingStackArgs(caller, info.argCnt);
        if (e) return e;
      }
      err = reject(EINVAL, '');
    } else if (prep) {
      if (prep.kind === 'reject' && prep.errno === EFAULT) {
        // more than MAX_BPF_FUNC_ARGS: btf_check_func_arg_match still checks the outgoing slots
        // when bpf_in_stack_arg_cnt(sub) > 0, from sub->arg_cnt, a 4-bit field (u8 arg_cnt:4,
        // include/linux/bpf_verifier.h) already set to nargs: 13-15 declared check slots 1..8-10,
        // 16 and more wrap (20 -> 4) and print the parameter-count line only (measured on 7.2.13
        // and 7.3: 14 declared, none written -> "callee expects 14 args, stack arg1 ...")
        if (info.argCnt > 5) {
          const e = checkOutgoingStackArgs(caller, info.argCnt);
          if (e) return e;
        }
        return prep;
      }
      if (info.inStackArgs > 0) {
        const e = checkOutgoingStackArgs(caller, info.argCnt);
        if (e) return e;
      }
      err = prep;
    } else {
      const e = checkOutgoingStackArgs(caller, info.argCnt);
      if (e) return e;
      const argRegs = Array.from({ length: info.argCnt }, (_, i) => (i < 5 ? caller.regs[i + 1]! : caller.outArgs[i - 5]!));
      err = checkArgMatch(st, info.args ?? [], argRegs, { ...env.memEnv, calleeChangesPktData: env.changesPktData[callee]!, calleeIndex: callee });
    }
    if (err) {
      env.unreliable.add(callee);
      // the argument check failed (a static callee is verified anyway, a global call is refused with another line)
      if (err.kind === 'reject' && err.message) coverReason(err.message);
    }
  }
  if (info.argCnt > 5 && !err) cover('check_func_call:stack-args');
  if (sub.linkage === 'global') {
    if (err) {
      const errno = err.kind === 'reject' ? err.errno : EINVAL;
      // 7.3 prints some checks' structured report right after their line, before this one, so that line is the reason
      const inner = err.kind === 'reject' ? err.message : '';
      if (env.profile.features.structuredReport && REPORTED_ARG_LINE.test(inner)) {
        cover('check_func_call:global-args-report');
        return reject(errno, inner);
      }
      return reject(errno, msg.callerPassesInvalidArgs(callee, sub.name));
    }
    cover('check_func_call:global');
    env.calledGlobals.add(callee);
    if (env.changesPktData[callee]) {
      cover('check_func_call:global-changes-pkt-data');
      clearAllPktPointers(st);
    }
    clearCallerSaved(caller);
    invalidateOutgoingStackArgs(caller);
    caller.regs[0] = unknownScalar();
    st.insnIdx = idx + 1;
    return undefined;
  }
  const callerInfo = env.info[caller.subprog]!;
  const total = callerInfo.inStackArgs + info.inStackArgs;
  if (total > callerInfo.stackArgCnt) callerInfo.stackArgCnt = total;
  // setup_func_entry
  if (st.frames.length >= env.profile.limits.maxCallFrames) return reject(E2BIG, msg.callStackTooDeep(st.frames.length + 1));
  cover(err ? 'check_func_call:unreliable-btf' : 'check_func_call:static');
  if (st.frames.length >= 3) cover('setup_func_entry:deep');
  const frame = newFrame(st.frames.length, callee, idx);
  for (let r = 1; r <= 5; r++) frame.regs[r] = { ...caller.regs[r]! };
  if (coverageOn()) {
    for (let r = 1; r <= Math.min(5, info.argCnt); r++) {
      const kind = pointerKind(caller.regs[r]!.type);
      if (kind) cover(POINTER_ARG_RULES[kind]);
    }
  }
  st.frames.push(frame);
  clearCallerSaved(caller);
  st.insnIdx = sub.start;
  return undefined;
}

/** BPF_EXIT: prepare_func_exit back into the caller, or process_bpf_exit_full at the end of a path (`'exit'`) */
export function processExit(env: CallEnv, st: VState): CheckResult | 'exit' | undefined {
  const f = curFrame(st);
  if (st.frames.length > 1) {
    // prepare_func_exit
    const r0 = f.regs[0]!;
    if (r0.type === 'ptr_to_stack') return reject(EINVAL, 'cannot return stack pointer to the caller');
    if (r0.type !== 'not_init') cover(r0.type === 'scalar' ? 'prepare_func_exit:scalar' : 'prepare_func_exit:pointer');
    st.frames.pop();
    const caller = curFrame(st);
    caller.regs[0] = { ...r0 };
    invalidateOutgoingStackArgs(caller);
    st.insnIdx = f.callsite + 1;
    return undefined;
  }
  // process_bpf_exit_full: references still held at an exit of frame 0 come first
  const leak = referenceLeak(st, env.profile);
  if (leak) return reject(EINVAL, leak);
  const r0 = f.regs[0]!;
  if (f.subprog !== 0) {
    if (r0.type === 'not_init') return reject(EACCES, msg.notReadOk(0));
    if (r0.type !== 'scalar') return reject(EINVAL, msg.subprogExitR0(regTypeStr(r0)));
    cover('process_bpf_exit_full:global-subprog');
    return 'exit';
  }
  if (r0.type === 'not_init') return reject(EACCES, msg.notReadOk(0));
  cover('process_bpf_exit_full:main');
  env.exitR0?.push({ ...r0 });
  return 'exit';
}

/**
 * mark_subprog_changes_pkt_data (check_cfg): a subprogram that calls a helper moving packet data,
 * or calls a subprogram that does, invalidates the caller's packet pointers (for global calls).
 */
export function changesPktData(prog: Program, subprogs: Subprog[], subprogOf: Int32Array): boolean[] {
  const own = subprogs.map((s) => {
    for (let i = s.start; i < s.end; i++) {
      const insn = prog.insns[i]!;
      if (insn.code === (BPF_JMP | BPF_CALL) && insn.src === 0 && helperChangesPktData(insn.imm)) return true;
    }
    return false;
  });
  const memo = new Map<number, boolean>();
  const visit = (k: number, seen: Set<number>): boolean => {
    const known = memo.get(k);
    if (known !== undefined) return known;
    let v = own[k]!;
    seen.add(k);
    const s = subprogs[k]!;
    for (let i = s.start; i < s.end && !v; i++) {
      const insn = prog.insns[i]!;
      if (insn.code !== (BPF_JMP | BPF_CALL) || insn.src !== BPF_PSEUDO_CALL) continue;
      const callee = subprogOf[i + insn.imm + 1]!;
      if (!seen.has(callee)) v = visit(callee, seen);
    }
    memo.set(k, v);
    return v;
  };
  return subprogs.map((_, k) => visit(k, new Set()));
}
