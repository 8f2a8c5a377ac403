// The boundary between the queue machinery and the differential pipeline (core/gen, core/diff,
// core/model, kernel/). Processors see only this interface, so the queues can be tested with a
// small fake and the real pipeline (real-pipeline.ts) stays a thin wiring of those modules.
import type { Outcome, Program, ProgramJson } from '../core/program/index.ts';
import type { DivergenceInstance, ReducedReproducer, ReduceProgress } from '../store/index.ts';

export interface PipelineBatch {
  programs: number;
  agreed: number;
  byClass: Record<string, number>;
  divergences: DivergenceInstance[];
  /** guests restarted while running this batch (crashes, hangs) */
  vmRestarts: number;
}

export interface PoolState {
  size: number;
  busy: number;
  restarts: number;
}

export interface CheckResult {
  /** the model's outcome under each kernel's profile */
  model: Record<string, Outcome>;
  /** each kernel's real outcome */
  kernels: Record<string, Outcome>;
}

export interface Pipeline {
  /** programs [start, start+count) of the campaign with this seed: the same on every machine */
  generate(seed: number, start: number, count: number, options: Record<string, unknown>): Program[];
  /** model and kernels on every program, diffed */
  runBatch(programs: Program[], kernels: string[]): Promise<PipelineBatch>;
  /** the model's outcome for one program on one kernel's profile (pure, no VM) */
  modelOutcome(program: Program, kernel: string): Outcome;
  /** real outcomes on each kernel */
  kernelOutcomes(program: Program, kernels: string[]): Promise<Record<string, Outcome>>;
  /** shrink a diverging program while its signature still shows on that kernel */
  reduce(program: Program, kernel: string, signature: string, onProgress?: (p: ReduceProgress) => void): Promise<ReducedReproducer | undefined>;
  /** the corpus programs, with the path they came from */
  corpus(): Promise<Array<{ path: string; program: Program }>>;
  toJson(program: Program): ProgramJson;
  fromJson(json: ProgramJson): Program;
  poolState(): Record<string, PoolState>;
  close(): Promise<void>;
}
