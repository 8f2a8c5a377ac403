// Model benchmark: programs per second that the verifier model (and the interpreter, for accepted
// programs) gets through on ~100-instruction programs in 4 functions with stack arguments, against
// plain decoding of the same programs measured in the same run, and optionally against the kernel
// pool (--kernel 7.2). Target: >= 2,000 programs/s per core for verify + run, and for verify +
// JIT (core/jit predicting the x86-64 image), which is printed beside verify alone. Model
// coverage (verify(..., { coverage })) against the same verify without it, alternately, on these
// programs and on the generator's (seed 1): target a slowdown under 10%.
//
//   node --import tsx bench/model.bench.ts [--programs 2000] [--seconds 3] [--gen-programs 300] [--kernel 7.2 --pool-programs 200] [--json]
import { parseArgs } from 'node:util';
import { decode } from '../core/isa/index.ts';
import type { RawInsn } from '../core/isa/raw.ts';
import { PROFILES, verify } from '../core/model/index.ts';
import type { FuncDecl, Program } from '../core/program/types.ts';
import { generatePrograms } from '../core/gen/index.ts';

const { values: args } = parseArgs({
  options: {
    programs: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '3' },
    kernel: { type: 'string' },
    'pool-programs': { type: 'string', default: '200' },
    'gen-programs': { type: 'string', default: '300' },
    json: { type: 'boolean', default: false },
  },
});
const say = (line: string) => process.stderr.write(`${line}\n`);

/** xorshift32: the same programs on every run */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

const ins = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm });
const ALU_OPS = [0x00, 0x10, 0x20, 0x40, 0x50, 0xa0]; // add sub mul or and xor

/** straight-line arithmetic with a few forward branches and stack spills, ~n insns, result in r0 */
function body(r: (n: number) => number, n: number, argRegs: number[]): RawInsn[] {
  const out: RawInsn[] = [];
  const live = [...argRegs];
  out.push(ins(0xb7, 0, 0, 0, r(100))); // r0 = k
  for (const a of argRegs) out.push(ins(0x0f, 0, a, 0, 0)); // r0 += arg
  while (out.length < n - 3) {
    const k = r(10);
    const d = 6 + r(3);
    if (k < 5) {
      const s = live[r(live.length)] ?? 0;
      if (!live.includes(d)) out.push(ins(0xb7, d, 0, 0, r(1000)));
      out.push(ins(0x0f | ALU_OPS[r(ALU_OPS.length)]!, d, s, 0, 0));
      out.push(ins(0x0f, 0, d, 0, 0));
      if (!live.includes(d)) live.push(d);
    } else if (k < 7) {
      out.push(ins(0x07 | ALU_OPS[r(ALU_OPS.length)]!, 0, 0, 0, r(5000) - 2500));
    } else if (k < 9) {
      // if r0 > K goto +1; r0 += 1  (both edges live)
      out.push(ins(0x25, 0, 0, 1, r(4000)));
      out.push(ins(0x07, 0, 0, 0, 1));
    } else {
      const slot = -8 * (1 + r(4));
      out.push(ins(0x7b, 10, 0, slot, 0)); // *(u64 *)(r10 slot) = r0
      out.push(ins(0x79, 0, 10, slot, 0)); // r0 = *(u64 *)(r10 slot)
    }
  }
  return out;
}

/** main → f1(7 args) → f2(6 args); main → f3(3 args) */
export function benchProgram(seed: number): Program {
  const r = rng(seed);
  const setArgs = (n: number): RawInsn[] => {
    const out: RawInsn[] = [];
    for (let a = 1; a <= Math.min(n, 5); a++) out.push(ins(0xbf, a, 6 + (a % 3), 0, 0));
    for (let a = 6; a <= n; a++) out.push(ins(0x7a, 11, 0, -8 * (a - 5), r(1000))); // *(u64 *)(r11 -8k) = imm
    return out;
  };
  const main: RawInsn[] = [ins(0xb7, 6, 0, 0, r(50)), ins(0xb7, 7, 0, 0, r(50)), ins(0xb7, 8, 0, 0, r(50)), ...body(r, 14, []).slice(0, -0)];
  const mainCall1 = main.length + setArgs(7).length;
  main.push(...setArgs(7));
  main.push(ins(0x85, 0, 1, 0, 0)); // call f1 (patched)
  main.push(ins(0xbf, 6, 0, 0, 0));
  main.push(...setArgs(3));
  const mainCall3 = main.length;
  main.push(ins(0x85, 0, 1, 0, 0)); // call f3 (patched)
  main.push(ins(0x0f, 0, 6, 0, 0), ins(0x95, 0, 0, 0, 0));
  const f1: RawInsn[] = [ins(0x79, 6, 11, 8, 0), ins(0x79, 7, 11, 16, 0), ...body(r, 24, [1, 2, 3, 4, 5, 6, 7])];
  f1.push(ins(0xbf, 6, 0, 0, 0), ins(0xbf, 7, 0, 0, 0), ins(0xbf, 8, 0, 0, 0));
  const f1Call = f1.length + setArgs(6).length;
  f1.push(...setArgs(6), ins(0x85, 0, 1, 0, 0), ins(0x0f, 0, 6, 0, 0), ins(0x95, 0, 0, 0, 0));
  const f2: RawInsn[] = [ins(0x79, 6, 11, 8, 0), ...body(r, 26, [1, 2, 3, 4, 5, 6]), ins(0x95, 0, 0, 0, 0)];
  const f3: RawInsn[] = [...body(r, 22, [1, 2, 3]), ins(0x95, 0, 0, 0, 0)];
  const starts = [0, main.length, main.length + f1.length, main.length + f1.length + f2.length];
  main[mainCall1 - 0]!.imm = starts[1]! - (mainCall1 + 1);
  main[mainCall3]!.imm = starts[3]! - (mainCall3 + 1);
  f1[f1Call]!.imm = starts[2]! - (starts[1]! + f1Call + 1);
  const funcs: FuncDecl[] = [
    { name: 'main', start: 0, args: 1, linkage: 'static' },
    { name: 'f1', start: starts[1]!, args: 7, linkage: 'static' },
    { name: 'f2', start: starts[2]!, args: 6, linkage: 'static' },
    { name: 'f3', start: starts[3]!, args: 3, linkage: 'static' },
  ];
  return { progType: 'sched_cls', insns: [...main, ...f1, ...f2, ...f3], funcs, maps: [], input: new Uint8Array(64) };
}

/** programs per CPU-second of this process (per core: the machine is shared, wall time is not ours) */
function rate(label: string, programs: Program[], seconds: number, fn: (p: Program) => void): number {
  for (let i = 0; i < Math.min(200, programs.length); i++) fn(programs[i]!); // warm-up
  let done = 0;
  const wall0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let cpu = 0;
  while (cpu < seconds) {
    fn(programs[done % programs.length]!);
    done++;
    if (done % 50 === 0) {
      const u = process.cpuUsage(cpu0);
      cpu = (u.user + u.system) / 1e6;
    }
  }
  const u = process.cpuUsage(cpu0);
  cpu = (u.user + u.system) / 1e6;
  const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
  const perS = done / cpu;
  say(`${label.padEnd(34)} ${perS.toFixed(0).padStart(8)} programs/s per core (${(done / wall).toFixed(0)}/s wall)`);
  return perS;
}

async function main(): Promise<void> {
  const count = Number(args.programs);
  const seconds = Number(args.seconds);
  const programs = Array.from({ length: count }, (_, i) => benchProgram(i + 1));
  const avgInsns = programs.reduce((s, p) => s + p.insns.length, 0) / programs.length;
  const profile = PROFILES['linux-7.2'];
  const verdicts = new Map<string, number>();
  for (const p of programs) {
    const o = verify(p, profile);
    const key = o.verdict === 'reject' ? `reject: ${o.message}` : o.verdict === 'unknown' ? `unknown: ${o.unknown}` : o.verdict;
    verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
  }
  say(`bpfdiff model benchmark: ${count} programs, ${avgInsns.toFixed(0)} insns in 4 functions on average, profile linux-7.2`);
  say(`verdicts: ${[...verdicts].map(([k, n]) => `${k} x${n}`).join('; ')}`);
  const base = rate('baseline: decode only', programs, seconds, (p) => void decode(p.insns));
  // verify alone: the verdict and the rewritten program (xlated), no JIT image
  const verifyOnly = rate('model: verify (+ xlated, no JIT)', programs, seconds, (p) => void verify(p, profile, { run: false, jit: false }));
  // verify + JIT: the same plus core/jit's x86-64 image of the xlated program (qemu64)
  const withJit = rate('model: verify + JIT', programs, seconds, (p) => void verify(p, profile, { run: false }));
  const full = rate('model: verify + JIT + run (interpreter)', programs, seconds, (p) => void verify(p, profile));
  const results: Record<string, number> = {
    decode_per_s: Math.round(base),
    verify_per_s: Math.round(verifyOnly),
    verify_run_per_s: Math.round(full),
    verify_run_vs_decode: Number((full / base).toFixed(4)),
    verify_jit_per_s: Math.round(withJit),
    verify_jit_vs_verify: Number((withJit / verifyOnly).toFixed(4)),
    target_per_s: 2000,
  };
  say(`verify + run = ${(full / base).toFixed(4)}x decode; ${full >= 2000 ? 'meets' : 'MISSES'} the 2,000 programs/s per core target`);
  say(`verify + JIT = ${(withJit / verifyOnly).toFixed(4)}x verify alone; ${withJit >= 2000 ? 'meets' : 'MISSES'} the 2,000 programs/s per core target`);
  const cov = coverageCost(programs, Number(args['gen-programs']), seconds);
  Object.assign(results, cov);
  if (args.kernel) {
    const { VmPool, readCatalog, resolveKernel } = await import('../kernel/index.ts');
    const kernel = resolveKernel(args.kernel, readCatalog());
    const pool = await VmPool.create({ kernel, size: 1, accel: 'tcg', pipeline: 4, timeoutMs: 30_000 });
    try {
      const batch = programs.slice(0, Number(args['pool-programs']));
      await pool.run(batch.slice(0, 10));
      const started = process.hrtime.bigint();
      await pool.run(batch);
      const poolRate = batch.length / (Number(process.hrtime.bigint() - started) / 1e9);
      results.kernel_pool_per_s = Math.round(poolRate);
      results.verify_run_vs_kernel_pool = Number((full / poolRate).toFixed(2));
      say(`kernel ${kernel.id}, 1 guest:            ${poolRate.toFixed(0).padStart(8)} programs/s; model = ${(full / poolRate).toFixed(1)}x`);
    } finally {
      await pool.close();
    }
  }
  if (args.json) process.stdout.write(`${JSON.stringify(results)}\n`);
}

/**
 * verify (no JIT) with a coverage set against without, in alternating rounds (a shared machine's
 * speed drifts; alternation spreads the drift over both): the bench's programs and the generator's.
 */
function coverageCost(programs: Program[], genCount: number, seconds: number): Record<string, number> {
  const profile = PROFILES['linux-7.2'];
  const out: Record<string, number> = {};
  const sets: Array<[string, Program[]]> = [['bench', programs], ['gen', generatePrograms(1, genCount)]];
  for (const [name, progs] of sets) {
    const hit = new Set<string>();
    let off = 0, on = 0;
    for (let round = 0; round < 2; round++) {
      off += rate(`${name}: verify, coverage off`, progs, seconds / 2, (p) => void verify(p, profile, { run: false, jit: false }));
      on += rate(`${name}: verify, coverage on`, progs, seconds / 2, (p) => void verify(p, profile, { run: false, jit: false, coverage: hit }));
    }
    const ratio = on / off;
    const diff = ratio <= 1 ? `${((1 - ratio) * 100).toFixed(1)}% slower` : `${((ratio - 1) * 100).toFixed(1)}% faster: noise`;
    say(`${name}: coverage on = ${ratio.toFixed(4)}x coverage off (${diff}; target: under 10% slower), ${hit.size} rules hit`);
    out[`${name}_coverage_on_vs_off`] = Number(ratio.toFixed(4));
    out[`${name}_rules_hit`] = hit.size;
  }
  return out;
}

if (process.argv[1]?.endsWith('model.bench.ts')) await main();
