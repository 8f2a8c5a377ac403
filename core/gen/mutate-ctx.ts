// What a mutation sees (mutate.ts applies one; mutate-<feature>.ts hold the kinds of each
// bpfdiff-gen/3 feature) and where in a function it can put its instructions.
import type { FuncIr } from '../isa/index.ts';
import type { Prng } from './prng.ts';
import type { ProgramOptions } from './options.ts';
import type { FuncPlan, ProgramPlan, SitePlan } from './plan.ts';

export interface MutationCtx {
  rng: Prng;
  opts: ProgramOptions;
  plan: ProgramPlan;
  /** the lowered functions, main first; a mutation may append one */
  funcs: FuncIr[];
  main: FuncIr;
  /** main's first callee, when there is one */
  f1: FuncPlan | undefined;
  /** main's top-level call site of f1 */
  treeSite: SitePlan | undefined;
  /** f1's argument count (0 without f1) */
  n1: number;
  newLabel(): number;
}



/** A mutation edits the IR in place and returns the expected 7.2 reason line (a regular expression source). */
export type Mutator = (c: MutationCtx) => string;

/** where a function's exit sequence begins: everything before it is walked on every path */
export const exitAt = (f: FuncIr): number => f.ops.findIndex((op) => op.kind === 'mark' && op.tag.role === 'exitBegin');
export const entryEnd = (f: FuncIr): number => f.ops.findIndex((op) => op.kind === 'mark' && op.tag.role === 'entryEnd');
/** any function: every one is walked (tree sites are top-level) */
export const reached = (c: MutationCtx): FuncIr => c.funcs[c.rng.int(0, c.funcs.length - 1)];
