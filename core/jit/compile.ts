// bpf_int_jit_compile() (arch/x86/net/bpf_jit_comp.c) and jit_subprogs() (kernel/bpf/fixups.c):
// the program is split into its functions, and each is JITed by running do_jit() over it
// until the image stops shrinking. addrs[] starts at 64 bytes per instruction, so jumps start
// long and shrink pass by pass; from pass PADDING_PASSES on, a jump that would shrink again is
// padded with NOPs instead, so the length settles.
import { rawFromBytes, type RawInsn } from '../isa/raw.ts';
import { BPF_PSEUDO_CALL as PSEUDO_CALL } from '../isa/index.ts';
import { DEBIAN_72, QEMU64, type CpuModel, type JitKernel } from './cpu.ts';
import { doJit } from './do-jit.ts';
import { callTarget } from './funcs.ts';
import { detectRegUsage } from './prologue.ts';
import { JitError, type FuncState, type JitFunc, type JitOptions, type JitResult } from './types.ts';
import { Emitter } from './x86.ts';

const MAX_PASSES = 20;
const PADDING_PASSES = MAX_PASSES - 5;

interface FuncImage {
  bytes: Uint8Array;
  masks: Array<{ at: number; len: number; kind: string }>;
  insnOffsets: number[];
  passes: number;
}

function newState(insns: readonly RawInsn[], fn: JitFunc, funcIdx: number, cpu: CpuModel, kernel: JitKernel, callees: Map<number, number>, e: Emitter): FuncState {
  const addrs = new Int32Array(insns.length + 1);
  for (let i = 0; i <= insns.length; i++) addrs[i] = (i + 1) * 64;
  return {
    insns, funcIdx, base: fn.start, addrs, e, cpu, kernel, padding: false,
    stackDepth: fn.stackDepth, tailCallReachable: fn.tailCallReachable ?? false, isSubprog: funcIdx !== 0,
    calleeRegsUsed: detectRegUsage(insns), outgoingArgBase: 0, outgoingRsp: 0,
    cleanupAddr: (insns.length + 1) * 64, tailCallDirectLabel: 0, tailCallIndirectLabel: 0, seenExit: false,
    insnStart: 0, callees,
  };
}

/**
 * bpf_int_jit_compile for one function: passes until proglen == oldproglen. The kernel then runs
 * one more pass to write the image; with addrs[] unchanged it emits the very bytes of the pass
 * that settled, so that pass's output is the image.
 */
function compileFunc(s: FuncState, outStackArgs: number, subprogRel?: (callee: number, callEnd: number) => number | undefined): FuncImage {
  let oldproglen = 0;
  const insnOffsets: number[] = [];
  const hooks = { subprogRel, insnOffsets };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    if (!s.padding && pass >= PADDING_PASSES) s.padding = true;
    const proglen = doJit(s, outStackArgs, hooks);
    if (proglen === oldproglen) {
      return { bytes: s.e.buf.slice(0, proglen), masks: s.e.masks.map((m) => ({ ...m })), insnOffsets, passes: pass + 1 };
    }
    oldproglen = proglen;
  }
  throw new JitError(undefined, `func#${s.funcIdx}: the JIT did not converge in ${MAX_PASSES} passes`);
}

/** The callee function of each pseudo call of function `f` (by local index), from the function table. */
function calleesOf(insns: readonly RawInsn[], starts: readonly number[], from: number, to: number): Map<number, number> {
  const out = new Map<number, number>();
  for (let g = from; g < to; g++) {
    const insn = insns[g]!;
    if (insn.code !== 0x85 || insn.src !== PSEUDO_CALL) continue;
    const target = callTarget(insn, g);
    const callee = starts.indexOf(target);
    if (callee < 0) throw new JitError(g, `call target ${target} is not the start of a function`);
    out.set(g - from, callee);
  }
  return out;
}

function checkFuncs(funcs: readonly JitFunc[], n: number): void {
  if (funcs.length === 0) throw new JitError(undefined, 'funcs: expected at least the main function');
  funcs.forEach((f, k) => {
    if (!Number.isInteger(f.start) || f.start < 0 || f.start >= n) throw new JitError(undefined, `funcs[${k}].start: ${f.start} is not an instruction index below ${n}`);
    if (k === 0 && f.start !== 0) throw new JitError(undefined, `funcs[0].start: expected 0, got ${f.start}`);
    if (k > 0 && f.start <= funcs[k - 1]!.start) throw new JitError(undefined, `funcs[${k}].start: ${f.start} is not after funcs[${k - 1}].start`);
    if (!Number.isInteger(f.stackDepth) || f.stackDepth < 0) throw new JitError(undefined, `funcs[${k}].stackDepth: expected a byte count >= 0, got ${f.stackDepth}`);
  });
}

/**
 * The x86-64 JIT of a rewritten (xlated) program: the image jited_prog_insns returns, its
 * per-function lengths, and the byte ranges that hold run-time addresses.
 */
export function jitProgram(
  xlated: Uint8Array | readonly RawInsn[],
  funcs: readonly JitFunc[],
  cpu: CpuModel = QEMU64,
  kernel: JitKernel = DEBIAN_72,
  opts: JitOptions = {},
): JitResult {
  const insns = xlated instanceof Uint8Array ? rawFromBytes(xlated) : xlated;
  checkFuncs(funcs, insns.length);
  const starts = funcs.map((f) => f.start);
  const images: FuncImage[] = [];
  const e = new Emitter();
  for (let k = 0; k < funcs.length; k++) {
    const from = starts[k]!;
    const to = k + 1 < funcs.length ? starts[k + 1]! : insns.length;
    const local = insns.slice(from, to);
    const s = newState(local, funcs[k]!, k, cpu, kernel, calleesOf(insns, starts, from, to), e);
    const ksyms = opts.ksyms;
    const subprogRel = ksyms && ksyms.length === funcs.length
      ? (callee: number, callEnd: number) => Number(BigInt.asIntN(32, ksyms[callee]! - (ksyms[k]! + BigInt(callEnd))))
      : undefined;
    images.push(compileFunc(s, funcs[k]!.outStackArgs ?? 0, subprogRel));
  }
  return assemble(images);
}

/** Concatenate the functions' images in function order. */
function assemble(images: FuncImage[]): JitResult {
  const total = images.reduce((n, f) => n + f.bytes.length, 0);
  const all = new Uint8Array(total);
  const masked: Array<[number, number]> = [];
  const maskKinds: string[] = [];
  const insnOffsets: number[] = [];
  let at = 0;
  for (const f of images) {
    all.set(f.bytes, at);
    for (const m of f.masks) {
      masked.push([at + m.at, m.len]);
      maskKinds.push(m.kind);
    }
    for (const o of f.insnOffsets) insnOffsets.push(at + o);
    at += f.bytes.length;
  }
  return {
    image: Buffer.from(all).toString('hex'),
    funcLens: images.map((f) => f.bytes.length),
    masked,
    maskKinds,
    insnOffsets,
    passes: images.map((f) => f.passes),
  };
}
