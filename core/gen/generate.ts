// Random multi-argument call graphs, valid by construction: a DAG of functions (no recursion)
// passing 0..12 arguments (scalars, pointers to the caller's stack, the ctx), each function
// folding every argument it receives into a checksum in r6 that reaches main's r0, so a
// mis-passed argument changes the test run's retval. A program may carry one mutation that
// breaks exactly one kernel rule (mutations.ts).
//
// The steps, each in its own file: plan.ts draws the call graph and signatures, body*.ts draw
// each function's instructions (one file per feature), mutate.ts applies the mutation, and
// ir.ts lowers the labelled ops into instructions.
import { lower } from '../isa/index.ts';
import type { Program } from '../program/index.ts';
import { Prng } from './prng.ts';
import { resolveGenOptions, type GenOptions } from './options.ts';
import { MUTATION_FEATURE, MUTATION_RULES, type MutationKind } from './mutations.ts';
import { planProgram } from './plan.ts';
import { buildBody } from './body.ts';
import { applyMutation } from './mutate.ts';

const GENERATOR_ID = 'bpfdiff-gen/2';


interface GeneratedProgramMeta {
  generator: string;
  seed: number;
  index: number;
  mutation?: MutationKind;
  /** the kernel function whose rule the mutation breaks */
  rule?: string;
  /** regular expression (source) for the reason line the 7.2 verifier prints */
  expect?: string;
}

/** Program `index` of the campaign `seed`; the same arguments give the same bytes everywhere. */
export function generateProgram(seed: number, index: number, options: Partial<GenOptions> | GenOptions = {}): Program {
  const opts = resolveGenOptions(options);
  const rng = Prng.forProgram(seed, index);
  // a feature's mutations are drawn only while its rate is above 0 (same seed, same programs without it)
  const kinds = opts.mutations.filter((k) => { const f = MUTATION_FEATURE[k]; return f === undefined || opts[f] > 0; });
  const mutation: MutationKind | undefined = rng.chance(opts.mutationRate) && kinds.length > 0 ? rng.pick(kinds) : undefined;
  let nextLabel = 1;
  const newLabel = (): number => nextLabel++;
  const plan = planProgram(rng, opts, mutation);
  const funcs = plan.funcs.map((p) => buildBody(p, plan, rng, opts, newLabel));
  const meta: GeneratedProgramMeta = { generator: GENERATOR_ID, seed, index };
  if (mutation) {
    meta.mutation = mutation;
    meta.rule = MUTATION_RULES[mutation].rule;
    meta.expect = applyMutation(mutation, funcs, plan, rng, opts, newLabel);
  }
  const lowered = lower(funcs);
  return {
    progType: opts.progType,
    insns: lowered.insns,
    funcs: lowered.funcs,
    maps: plan.maps,
    input: new Uint8Array(64),
    meta: { ...meta },
  };
}

/** `count` programs starting at `first`, for batch use. */
export function generatePrograms(seed: number, count: number, options: Partial<GenOptions> = {}, first = 0): Program[] {
  const opts = resolveGenOptions(options);
  const out: Program[] = [];
  for (let i = 0; i < count; i++) out.push(generateProgram(seed, first + i, opts));
  return out;
}
