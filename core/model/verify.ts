// verify(program, profile) → Outcome: the whole of bpf_check for the parts the model covers, in the
// kernel's order: prechecks, do_check_main, do_check_subprogs, check_max_stack_depth, and the
// stack-argument slot check of bpf_fixup_call_args; then the test run for accepted programs.
import type { MapDecl, Outcome, Program } from '../program/types.ts';
import { mapStructImage, mapStructTable } from './map-ptr-access.ts';
import { execute, HELPERS_6_12, InterpFault, InterpStepLimit, InterpUnsupported, TestRunRejected } from './interp/index.ts';
import { E2BIG, EACCES, EINVAL, msg, reportFor } from './messages.ts';
import { isPseudoCall } from '../isa/index.ts';
import { isCheckResult, precheck, reject, type CheckResult, type Subprog } from './precheck.ts';
import type { Profile } from './profile.ts';
import { Walker } from './walk.ts';
import type { SubprogInfo } from './calls.ts';
import type { Reg, VState } from './state.ts';
import { newWalkTrace, type WalkTrace } from './trace.ts';
import { predictXlated } from './fixups/index.ts';
import { predictJit } from './predict-jit.ts';
import { rawToHex } from '../isa/raw.ts';
import { cover, coverReason, withCoverage } from './coverage.ts';

interface VerifyOptions {
  /** run the interpreter on accepted programs to predict retval (default true) */
  run?: boolean;
  /** predict the rewritten program (`xlated`) of accepted programs (default true) */
  xlated?: boolean;
  /** predict the JIT image for this QEMU CPU model (default `qemu64`); false: no JIT prediction */
  jit?: string | false;
  /** receives the id of every model rule (MODEL_RULES in coverage.ts) the check and walk exercised */
  coverage?: Set<string>;
}

export function verify(program: Program, profile: Profile, options: VerifyOptions = {}): Outcome {
  // the rewrite passes of the xlated prediction count too
  if (options.coverage) return withCoverage(options.coverage, () => verifyProgram(program, profile, options));
  return verifyProgram(program, profile, options);
}

function verifyProgram(program: Program, profile: Profile, options: VerifyOptions): Outcome {
  const kernel = `model:${profile.id}`;
  const wantXlated = options.xlated !== false;
  const res = check(program, profile, { trace: wantXlated, coverage: options.coverage });
  if (res.result) {
    if (res.result.kind === 'unknown') return { verdict: 'unknown', errno: 0, message: '', unknown: res.result.what, kernel };
    const out: Outcome = { verdict: 'reject', errno: res.result.errno, message: res.result.message, kernel, verifiedInsns: res.processed };
    const report = profile.features.structuredReport ? reportFor(res.result.message) : undefined;
    if (report) out.report = report;
    return out;
  }
  const out: Outcome = { verdict: 'accept', errno: 0, message: '', kernel, verifiedInsns: res.processed };
  if (wantXlated && res.trace) {
    const x = predictXlated(program, profile.id, res.trace);
    if ('insns' in x) {
      out.xlated = rawToHex(x.insns);
      const rewrites = x.origins.flatMap((o, i): Array<[number, string]> => (o ? [[i, o]] : []));
      if (rewrites.length) out.rewrites = rewrites;
      if (options.jit !== false && res.subprogInfo) {
        const cpu = options.jit ?? 'qemu64';
        const jit = predictJit(x, res.subprogInfo, profile.id, cpu);
        if (jit) {
          out.jit = jit;
          out.cpu = cpu;
        }
      }
    }
  }
  if (options.run === false) return out;
  try {
    const helpers = profile.features.csumDiffFolds ? undefined : HELPERS_6_12;
    const structs = mapStructTable(profile.id);
    const mapObject = structs && ((decl: MapDecl) => mapStructImage(structs, decl));
    const run = execute(program, program.input, { stackArgReg: profile.features.stackArgReg, helpers, mapObject });
    out.retval = run.retval;
    if (run.unpredictable) out.unpredictable = run.unpredictable;
  } catch (e) {
    if (e instanceof InterpUnsupported) return { verdict: 'unknown', errno: 0, message: '', unknown: `test run: ${e.feature}`, kernel };
    if (e instanceof TestRunRejected) return { ...out, verdict: 'error', errno: e.errno, message: e.message };
    if (e instanceof InterpFault || e instanceof InterpStepLimit)
      return { verdict: 'unknown', errno: 0, message: '', unknown: `test run stopped: ${e.message}`, kernel };
    throw e;
  }
  return out;
}

interface CheckOutput {
  result?: CheckResult;
  processed: number;
  /** R0 at each explored exit of the main program, when asked for */
  exitR0?: Reg[];
  /** bpf_subprog_info per function (stack depth, stack-argument counts): what the JIT needs */
  subprogInfo?: SubprogInfo[];
  /** what the rewrite passes need, when asked for */
  trace?: WalkTrace;
}

/** the verifier part alone: undefined result means the kernel would accept */
export function check(
  program: Program, profile: Profile, opts: { collectExitR0?: boolean; trace?: boolean; onInsn?: (idx: number, st: VState) => void; coverage?: Set<string> } = {},
): CheckOutput {
  if (!opts.coverage) return checkProgram(program, profile, opts);
  return withCoverage(opts.coverage, () => {
    const out = checkProgram(program, profile, opts);
    if (out.result?.kind === 'reject') coverReason(out.result.message);
    return out;
  });
}

function checkProgram(program: Program, profile: Profile, opts: { collectExitR0?: boolean; trace?: boolean; onInsn?: (idx: number, st: VState) => void }): CheckOutput {
  const pre = precheck(program, profile);
  if (isCheckResult(pre)) return { result: pre, processed: 0 };
  const walker = new Walker(program, profile, pre.subprogs, pre.subprogOf);
  if (opts.collectExitR0) walker.exitR0 = [];
  if (opts.trace) walker.trace = newWalkTrace(program.insns.length);
  walker.onInsn = opts.onInsn;
  let result = walker.run(0);
  // do_check_subprogs: global functions a call reached, each verified on its own, until none is new
  const done = new Set<number>();
  while (!result) {
    const next = [...walker.calledGlobals].filter((s) => !done.has(s)).sort((a, b) => a - b)[0];
    if (next === undefined) break;
    done.add(next);
    cover('do_check_subprogs:global-verified');
    result = walker.run(next);
  }
  if (!result) result = checkMaxStackDepth(program, pre.subprogs, walker.info, profile);
  if (!result && profile.features.stackArgs) {
    // bpf_fixup_call_args
    for (let i = 0; i < pre.subprogs.length; i++) {
      const info = walker.info[i]!;
      const outgoing = info.stackArgCnt - info.inStackArgs;
      if (info.maxOutWritten > outgoing) {
        result = reject(EINVAL, msg.stackArgUnused(i, info.maxOutWritten, outgoing));
        break;
      }
      if (info.maxOutWritten > 0) cover('bpf_fixup_call_args:stack-arg-slots-ok');
    }
  }
  return { result, processed: walker.processed, exitR0: walker.exitR0, subprogInfo: walker.info, trace: walker.trace };
}

/** check_max_stack_depth / check_max_stack_depth_subprog: frames and combined stack along call chains */
function checkMaxStackDepth(program: Program, subprogs: Subprog[], info: SubprogInfo[], profile: Profile): CheckResult | undefined {
  const insns = program.insns;
  const subOf = (start: number): number => subprogs.findIndex((s) => s.start === start);
  const round = (d: number): number => Math.ceil(d / 16) * 16; // JIT requested
  // depth-first over the static call graph from main, the way the kernel's iterative walk does
  const walk = (idx: number, depth: number, frame: number, chain: number[]): CheckResult | undefined => {
    depth += round(info[idx]!.stackDepth);
    if (chain.length) cover('check_max_stack_depth:call-chain');
    if (depth > profile.limits.maxStackBytes) return reject(EACCES, msg.combinedStackTooLarge(chain.length + 1, depth));
    const s = subprogs[idx]!;
    for (let i = s.start; i < s.end; i++) {
      const insn = insns[i]!;
      if (!isPseudoCall(insn)) continue;
      const callee = subOf(i + insn.imm + 1);
      const nextFrame = subprogs[callee]!.linkage === 'global' ? 0 : frame + 1;
      if (nextFrame >= profile.limits.maxCallFrames) return reject(E2BIG, `the call stack of ${nextFrame} frames is too deep !`);
      const r = walk(callee, depth, nextFrame, [...chain, idx]);
      if (r) return r;
    }
    return undefined;
  };
  return walk(0, 0, 0, []);
}
