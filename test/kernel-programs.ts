// Programs the kernel tests and the pool benchmark load, built from raw instructions so they
// depend on nothing but the instruction format (struct bpf_insn).
import type { RawInsn } from '../core/isa/raw.ts';
import type { Program } from '../core/program/types.ts';

const R0 = 0;
const R11 = 11; // BPF_REG_PARAMS: the stack-argument area (docs/KERNEL-NOTES.md)

const movImm = (dst: number, imm: number): RawInsn => ({ code: 0xb7, dst, src: 0, off: 0, imm }); // BPF_ALU64|BPF_MOV|BPF_K
const movReg = (dst: number, src: number): RawInsn => ({ code: 0xbf, dst, src, off: 0, imm: 0 }); // BPF_ALU64|BPF_MOV|BPF_X
const addImm = (dst: number, imm: number): RawInsn => ({ code: 0x07, dst, src: 0, off: 0, imm }); // BPF_ALU64|BPF_ADD|BPF_K
const addReg = (dst: number, src: number): RawInsn => ({ code: 0x0f, dst, src, off: 0, imm: 0 }); // BPF_ALU64|BPF_ADD|BPF_X
const stDwImm = (dst: number, off: number, imm: number): RawInsn => ({ code: 0x7a, dst, src: 0, off, imm }); // BPF_ST|BPF_MEM|BPF_DW
const ldxDw = (dst: number, src: number, off: number): RawInsn => ({ code: 0x79, dst, src, off, imm: 0 }); // BPF_LDX|BPF_MEM|BPF_DW
const callLocal = (rel: number): RawInsn => ({ code: 0x85, dst: 0, src: 1, off: 0, imm: rel }); // BPF_PSEUDO_CALL
const exit = (): RawInsn => ({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 });

/**
 * main calls f(args...) and returns what f returns; f sums its arguments. Arguments 6 and up
 * are written by main to `*(u64 *)(r11 - 8*(i-5))` and read by f from `r11 + 8*(i-5)`.
 */
function sumArgsProgram(args: readonly number[], declaredArgs = args.length): Program {
  const main: RawInsn[] = [];
  args.slice(0, 5).forEach((v, i) => main.push(movImm(i + 1, v)));
  args.slice(5).forEach((v, i) => main.push(stDwImm(R11, -8 * (i + 1), v)));
  main.push(callLocal(1), exit());
  const f: RawInsn[] = [movImm(R0, 0)];
  for (let i = 1; i <= Math.min(5, args.length); i++) f.push(addReg(R0, i));
  args.slice(5).forEach((_, i) => f.push(ldxDw(1, R11, 8 * (i + 1)), addReg(R0, 1)));
  f.push(exit());
  return {
    progType: 'sched_cls',
    insns: [...main, ...f],
    funcs: [
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'f', start: main.length, args: declaredArgs, linkage: 'static' },
    ],
    maps: [],
    input: new Uint8Array(64),
  };
}

/** The 7-argument program of docs/KERNEL-NOTES.md: f(1,2,3,4,5,600,700) = 1315 on 7.2. */
export const sevenArgs = (): Program => sumArgsProgram([1, 2, 3, 4, 5, 600, 700]);

/**
 * 13 arguments: one more than MAX_BPF_FUNC_ARGS, so main's 8th stack-argument store is refused.
 * The program file format caps `args` at 12, so `declaredArgs` 12 gives a file-able variant
 * that the kernel refuses at the same store.
 */
export const thirteenArgs = (declaredArgs = 13): Program =>
  sumArgsProgram([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], declaredArgs);

/** f declares 7 arguments but main stores only argument 6 before the call. */
export function missingSeventhArg(): Program {
  const p = sevenArgs();
  const store7 = p.insns.findIndex((i) => i.code === 0x7a && i.off === -16);
  p.insns.splice(store7, 1);
  p.funcs[1] = { ...p.funcs[1], start: p.funcs[1].start - 1 };
  return p;
}

/** A one-function program returning `value` (no BTF needed). */
export function returnProgram(value: number): Program {
  return {
    progType: 'sched_cls',
    insns: [movImm(R0, value), movReg(R0, R0), exit()],
    funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
    maps: [],
    input: new Uint8Array(64),
  };
}

/** Small programs whose return values differ, mixing stack-argument calls and single functions. */
export function numberedPrograms(count: number): { programs: Program[]; expected: number[] } {
  const programs: Program[] = [];
  const expected: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      programs.push(sumArgsProgram([1, 2, 3, 4, 5, 600, i]));
      expected.push(615 + i);
    } else {
      programs.push(returnProgram(10_000 + i));
      expected.push(10_000 + i);
    }
  }
  return { programs, expected };
}

/** PIDs of live processes whose command line mentions `needle` (e.g. a pool's socket directory). */
export async function processesMentioning(needle: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (cmdline.includes(needle) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/**
 * A call graph that is slow to verify and quick to run: f1..f{depth} where each function calls
 * the next one twice, so the verifier walks the last one 2^(depth-1) times (depth 13: about
 * 32,000 insns processed, 2-5 s under TCG, against well under a millisecond to run). Returns 0.
 */
export function fanOutProgram(depth: number): Program {
  const insns: RawInsn[] = [movImm(1, 5), callLocal(1), exit()]; // main: call f1; return its r0
  const funcs: Program['funcs'] = [{ name: 'main', start: 0, args: 1, linkage: 'static' }];
  for (let i = 1; i <= depth; i++) {
    const start = insns.length;
    funcs.push({ name: `f${i}`, start, args: 1, linkage: 'static' });
    if (i < depth) {
      // r6 = r1; r1 = r6; call f{i+1}; r1 = r6; call f{i+1}; exit. Each body is 6 insns, so
      // the next function starts 6 - (index of the call + 1) insns after each call.
      insns.push(movReg(6, 1), movReg(1, 6), callLocal(3), movReg(1, 6), callLocal(1), exit());
    } else {
      insns.push(movImm(R0, 0), exit());
    }
  }
  return { progType: 'sched_cls', insns, funcs, maps: [], input: new Uint8Array(64) };
}

/**
 * main calls f1..f{count-1} in turn and returns the sum of what they return (fi returns i):
 * `count` JITed functions, more than the agent's first info query has room for when count > 64.
 */
export function manyFunctionsProgram(count: number): Program {
  const calls = count - 1;
  // main: r6 = 0; then per callee: call fi; r6 += r0; finally r0 = r6; exit
  const mainLen = 1 + 2 * calls + 2;
  const insns: RawInsn[] = [movImm(6, 0)];
  for (let i = 1; i <= calls; i++) {
    const at = insns.length;
    const target = mainLen + 2 * (i - 1); // each callee is 2 insns: r0 = i; exit
    insns.push(callLocal(target - at - 1), addReg(6, R0));
  }
  insns.push(movReg(R0, 6), exit());
  const funcs: Program['funcs'] = [{ name: 'main', start: 0, args: 1, linkage: 'static' }];
  for (let i = 1; i <= calls; i++) {
    funcs.push({ name: `f${i}`, start: insns.length, args: 0, linkage: 'static' });
    insns.push(movImm(R0, i), exit());
  }
  return { progType: 'sched_cls', insns, funcs, maps: [], input: new Uint8Array(64) };
}

/** r0 = 0 then `count` times r0 += 1: a JIT image of about 4 bytes per instruction. */
export function straightLineProgram(count: number): Program {
  const insns: RawInsn[] = [movImm(R0, 0), ...Array.from({ length: count }, () => addImm(R0, 1)), exit()];
  return { progType: 'sched_cls', insns, funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }], maps: [], input: new Uint8Array(64) };
}
