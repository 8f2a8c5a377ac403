// The Pipeline the workers run in production: core/gen generates, core/model predicts, a
// kernel/ VmPool per kernel (booted on first use, sized to the cores) runs, core/diff compares
// and reduces. Only wiring lives here; each stage is its module's own function.
import { readdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '../core/isa/index.ts';
import { modelVerify, reduceProgram, runBatch, signatureOracle, type Divergence, type KernelRunner, type KernelTarget, type RunBatchOptions } from '../core/diff/index.ts';
import { generatePrograms, type GenOptions } from '../core/gen/index.ts';
import { resolveProfile, verify } from '../core/model/index.ts';
import {
  DEFAULT_INPUT_BYTES,
  parseProgram,
  parseProgramsJsonl,
  programToJson,
  type Outcome,
  type Program,
  type ProgramJson,
} from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel, type PoolOptions } from '../kernel/index.ts';
import type { DivergenceInstance, ReducedReproducer } from '../store/index.ts';
import type { Pipeline, PipelineBatch, PoolState } from './pipeline.ts';

export interface KernelPipelineOptions {
  /** guests per kernel; default the number of cores */
  poolSize?: number;
  /** the corpus directory replayed by replay jobs */
  corpusDir?: string;
  /** passed to every VmPool (timeouts, memory, accel) */
  pool?: Partial<Omit<PoolOptions, 'kernel' | 'size'>>;
  /** kernel id → model profile, where it is not the catalog's usual one (a custom build, or a
   *  deliberately altered prediction in tests) */
  profiles?: Record<string, string>;
  /** candidate checks per reduction (default 1000): a reduce job shares the guests with the
   *  campaign's batches, so it is bounded */
  reduceChecks?: number;
}

export const DEFAULT_CORPUS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

export class UnknownKernelError extends Error {
  override name = 'UnknownKernelError';
}

function profileFor(kernel: string) {
  const profile = resolveProfile(kernel);
  if (!profile) throw new UnknownKernelError(`kernel ${kernel}: no model profile predicts it`);
  return profile;
}

/** Every program file under the corpus: .json, .jsonl and assembler .s sources. */
async function loadCorpus(dir: string): Promise<Array<{ path: string; program: Program }>> {
  const out: Array<{ path: string; program: Program }> = [];
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).sort();
  } catch {
    return out;
  }
  for (const entry of entries) {
    const file = join(dir, entry);
    const path = relative(dir, file);
    if (entry.endsWith('.jsonl')) {
      parseProgramsJsonl(await readFile(file, 'utf8')).forEach((program, i) => out.push({ path: `${path}:${i + 1}`, program }));
    } else if (entry.endsWith('.json')) {
      const json = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown };
      // expectation tables and other data sit beside the programs; only program files count
      if (json.format === 'bpfdiff.program/v1') out.push({ path, program: parseProgram(json) });
    } else if (entry.endsWith('.s')) {
      const asm = assemble(await readFile(file, 'utf8'));
      if (asm.funcs.length === 0) continue;
      out.push({
        path,
        program: parseProgram(programToJson({ progType: asm.progType ?? 'sched_cls', insns: asm.insns, funcs: asm.funcs, maps: asm.maps, input: asm.input ?? new Uint8Array(DEFAULT_INPUT_BYTES) })),
      });
    }
  }
  return out;
}

export function createKernelPipeline(options: KernelPipelineOptions = {}): Pipeline {
  const size = options.poolSize ?? availableParallelism();
  const pools = new Map<string, Promise<VmPool>>();
  const restartsSeen = new Map<string, number>();
  let closed = false;

  /** One pool per kernel, booted when a job first needs that kernel. */
  function poolFor(kernel: string): Promise<VmPool> {
    if (closed) throw new Error('pipeline closed');
    let pool = pools.get(kernel);
    if (!pool) {
      const image = resolveKernel(kernel, readCatalog());
      // every outcome keeps its verifier log: a divergence's example stores it (bounded)
      pool = VmPool.create({ keepLog: true, ...options.pool, kernel: image, size });
      pools.set(kernel, pool);
      pool.catch(() => pools.delete(kernel));
    }
    return pool;
  }

  async function outcomesOn(kernel: string, programs: readonly Program[], priority: 'interactive' | 'normal' | 'background' = 'normal'): Promise<Outcome[]> {
    return (await poolFor(kernel)).run(programs, { priority });
  }

  const runner: KernelRunner = { run: (programs, kernel) => outcomesOn(kernel, programs) };
  const diffOptions: RunBatchOptions = { runner, verify: modelVerify() };
  // a reducer's candidate checks take a guest only when no campaign batch is waiting for one
  const reduceOptions: RunBatchOptions = { ...diffOptions, runner: { run: (programs, kernel) => outcomesOn(kernel, programs, 'background') } };
  const targets = (kernels: string[]): Array<string | KernelTarget> =>
    kernels.map((id) => (options.profiles?.[id] ? { id, profile: options.profiles[id] } : id));

  /** Guest restarts since the last call, summed over pools: charged to the batch that saw them. */
  async function newRestarts(): Promise<number> {
    let n = 0;
    for (const [kernel, pending] of pools) {
      const pool = await pending.catch(() => undefined);
      if (!pool) continue;
      const total = pool.metrics().restarts;
      n += total - (restartsSeen.get(kernel) ?? 0);
      restartsSeen.set(kernel, total);
    }
    return n;
  }

  const pipeline: Pipeline = {
    generate(seed, start, count, generator) {
      return generatePrograms(seed, count, generator as Partial<GenOptions>, start);
    },
    async runBatch(programs, kernels): Promise<PipelineBatch> {
      const result = await runBatch(programs, targets(kernels), diffOptions);
      const byClass = Object.fromEntries(Object.entries(result.byClass).filter(([, n]) => n > 0));
      return { programs: result.programs, agreed: result.agreed, byClass, divergences: result.divergences.map(toInstance), vmRestarts: await newRestarts() };
    },
    modelOutcome(program, kernel) {
      return verify(program, profileFor(options.profiles?.[kernel] ?? kernel));
    },
    async kernelOutcomes(program, kernels) {
      // a user waits on a check: it goes to a guest before any campaign batch or reduction
      const entries = await Promise.all(kernels.map(async (k) => [k, (await outcomesOn(k, [program], 'interactive'))[0]] as const));
      return Object.fromEntries(entries);
    },
    async reduce(program, kernel, signature, onProgress): Promise<ReducedReproducer | undefined> {
      // a cross-kernel divergence is labelled `a~b` and needs both kernels to show
      const kernels = targets(kernel.split('~'));
      const oracle = signatureOracle(signature, kernels, reduceOptions);
      if (!(await oracle([program]))[0]) return undefined;
      const maxChecks = options.reduceChecks ?? 1000;
      const started = new Date().toISOString();
      const reduced = await reduceProgram(program, oracle, {
        maxChecks,
        onProgress: (p) => onProgress?.({ checks: p.checks, maxChecks, insns: p.insns, originalInsns: program.insns.length, step: p.step, startedAt: started, at: new Date().toISOString() }),
      });
      const shown = (await runBatch([reduced.program], kernels, reduceOptions)).divergences.find((d) => d.signature === signature);
      // the reduced program once more at verifier log level 2 (every state), for the finding page
      const [level2] = await (await poolFor(kernel.split('~')[0])).run([reduced.program], { priority: 'background', settings: { logLevel: 2 }, keepLog: true });
      return {
        checks: reduced.checks,
        ...(level2?.log ? { logLevel2: level2.log } : {}),
        program: programToJson(reduced.program),
        kernel,
        originalInsns: reduced.originalInsns,
        reducedInsns: reduced.reducedInsns,
        model: shown?.model,
        actual: shown?.actual,
      };
    },
    corpus: () => loadCorpus(options.corpusDir ?? DEFAULT_CORPUS_DIR),
    toJson: (program: Program): ProgramJson => programToJson(program),
    fromJson: (json: ProgramJson): Program => parseProgram(json),
    poolState() {
      const state: Record<string, PoolState> = {};
      for (const kernel of pools.keys()) state[kernel] = { size, busy: 0, restarts: restartsSeen.get(kernel) ?? 0 };
      return state;
    },
    async close() {
      closed = true;
      await Promise.all([...pools.values()].map(async (p) => (await p.catch(() => undefined))?.close()));
      pools.clear();
    },
  };

  return pipeline;
}

function toInstance(d: Divergence): DivergenceInstance {
  const instance: DivergenceInstance = {
    signature: d.signature,
    class: d.class,
    kernel: d.kernel,
    profile: d.profile,
    detail: d.detail,
    program: programToJson(d.program),
    model: d.model,
    actual: d.actual,
  };
  if (d.mutation) instance.mutation = d.mutation;
  return instance;
}
