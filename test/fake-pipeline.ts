// A stand-in for the differential pipeline, for unit tests of the queue and API machinery only
// (the end-to-end tests under test/ use the real one). Deterministic like the real generator:
// program i of seed s is `r0 = i; exit`, and it "diverges" when (s + i) % 7 == 0 with one of
// three signatures, so tests can compute expected totals without any kernel.
import { emptyBatchResult, type BatchResult, type Finding, type Reduction } from '../core/diff/index.ts';
import { parseProgram, programToJson, type Outcome, type Program } from '../core/program/index.ts';
import type { PoolState } from '../engine/index.ts';
import type { Pipeline } from '../workers/index.ts';

interface FakePipelineOptions {
  /** wall time per program, to make batches long enough to interrupt */
  msPerProgram?: number;
  /** throw on the first attempt of these batches' first program index (start) */
  failOnceAtStart?: number[];
  /** programs (by their `r0 = N` constant) that still diverge on replay */
  stillDiverging?: (n: number) => boolean;
  /** wall time of each reduction */
  reduceMs?: number;
}

export function fakeProgram(n: number): Program {
  return {
    progType: 'sched_cls',
    insns: [
      { code: 0xb7, dst: 0, src: 0, off: 0, imm: n },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ],
    funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
    maps: [],
    input: new Uint8Array(64),
  };
}

export function fakeSignature(n: number): string {
  return `retval-mismatch:fake-rule-${n % 3}`;
}

/** Expected totals of a fake campaign, the way a user would count them. */
export function fakeCampaignTotals(seed: number, count: number): { programs: number; divergences: number; signatures: number } {
  let divergences = 0;
  const signatures = new Set<string>();
  for (let i = 0; i < count; i++) {
    if ((seed + i) % 7 === 0) {
      divergences++;
      signatures.add(fakeSignature(i));
    }
  }
  return { programs: count, divergences, signatures: signatures.size };
}

export function createFakePipeline(options: FakePipelineOptions = {}): Pipeline & { batchesRun: number; closed: boolean; events: string[] } {
  const failed = new Set<number>();
  const outcome = (n: number, kernel: string, model: boolean): Outcome => ({
    verdict: 'accept',
    errno: 0,
    message: '',
    retval: n,
    kernel: model ? `model:linux-${kernel}` : `${kernel}.0-fake`,
  });
  const constantOf = (program: Program) => program.insns[0]?.imm ?? 0;
  const pipeline = {
    batchesRun: 0,
    closed: false,
    /** `batch <first index>` when a batch ends, `reduce <constant>` when a reduction starts */
    events: [] as string[],
    generate(seed: number, start: number, count: number) {
      return Array.from({ length: count }, (_, k) => {
        const p = fakeProgram(start + k);
        p.meta = { seed, index: start + k };
        return p;
      });
    },
    async runBatch(programs: Program[], kernels: readonly string[], opts: { start?: number } = {}): Promise<BatchResult> {
      const first = Number(programs[0]?.meta?.index ?? -1);
      if (options.failOnceAtStart?.includes(first) && !failed.has(first)) {
        failed.add(first);
        throw new Error(`fake guest lost at program ${first}`);
      }
      if (options.msPerProgram) await new Promise((r) => setTimeout(r, options.msPerProgram! * programs.length));
      const divergences: Finding[] = [];
      let agreed = 0;
      for (const [i, program] of programs.entries()) {
        const n = constantOf(program);
        const seed = Number(program.meta?.seed ?? 0);
        const replaying = program.meta?.index === undefined;
        const diverges = replaying ? (options.stillDiverging?.(n) ?? false) : (seed + n) % 7 === 0;
        if (!diverges) {
          agreed++;
          continue;
        }
        for (const kernel of kernels) {
          divergences.push({
            signature: fakeSignature(n),
            class: 'retval',
            kernel,
            index: (opts.start ?? 0) + i,
            profile: `linux-${kernel}`,
            detail: `model retval ${n}, kernel ${n + 1}`,
            program: programToJson(program),
            model: outcome(n, kernel, true),
            actual: { ...outcome(n + 1, kernel, false) },
          });
        }
      }
      pipeline.batchesRun++;
      pipeline.events.push(`batch ${first}`);
      const result = { ...emptyBatchResult(), programs: programs.length, agreed, divergences };
      result.byClass.retval = divergences.length;
      return result;
    },
    async kernelOutcomes(program: Program, kernels: readonly string[]) {
      // constant 911: a kernel that rejects what the model accepts, with the first disagreement Engine.kernelOutcomes attaches
      if (constantOf(program) === 911) {
        const firstDisagreement = { kind: 'state' as const, insn: 0, step: 0, agreedSteps: 0, reg: 0, field: 'umax', model: '911', kernel: '1023', text: 'model and kernel first disagree at insn 0: R0 umax 911 vs 1023' };
        return Object.fromEntries(kernels.map((k) => [k, { verdict: 'reject' as const, errno: 13, message: 'fake reject', kernel: `${k}.0-fake`, firstDisagreement }]));
      }
      return Object.fromEntries(kernels.map((k) => [k, outcome(constantOf(program), k, false)]));
    },
    async reduce(finding: Pick<Finding, 'program' | 'kernel'>): Promise<Reduction> {
      const program = parseProgram(finding.program);
      const kernel = finding.kernel;
      pipeline.events.push(`reduce ${constantOf(program)}`);
      if (options.reduceMs) await new Promise((r) => setTimeout(r, options.reduceMs));
      const reduced = fakeProgram(constantOf(program));
      return { program: programToJson(reduced), kernel, originalInsns: program.insns.length, reducedInsns: reduced.insns.length };
    },
    async corpus() {
      return [{ path: 'corpus/fake/zero.json', program: fakeProgram(0) }];
    },
    poolState(): Record<string, PoolState> {
      return { '7.2': { size: 1, busy: 0, restarts: 0, coldBoots: 1, restores: 0 } };
    },
    async close() {
      pipeline.closed = true;
    },
  };
  return pipeline;
}
