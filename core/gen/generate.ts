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
import { resolveGenOptions, type GenOptions, type ProgramOptions } from './options.ts';
import { MUTATION_RULES, drawableMutations, type MutationKind } from './mutations.ts';
import { PROG_TYPES, type ProgType } from '../program/index.ts';
import { planProgram } from './plan.ts';
import { buildBody } from './body.ts';
import { applyMutation } from './mutate.ts';
import { PACKET_BYTES, PKT_FIELDS } from './body-packet.ts';

const GENERATOR_ID = 'bpfdiff-gen/5';


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
  const resolved = resolveGenOptions(options);
  const opts: ProgramOptions = { ...resolved, progType: programType(seed, index, resolved) };
  const rng = Prng.forProgram(seed, index);
  const kinds = drawableMutations(opts, opts.progType);
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
    input: packetInput(seed, index, opts),
    meta: { ...meta },
  };
}

/**
 * The program's type: the pinned `progType`, else one drawn from `progTypes` on a stream of its
 * own (stream 1), so the draw leaves the body's random sequence as it was; one type of positive
 * weight draws nothing.
 */
function programType(seed: number, index: number, opts: GenOptions): ProgType {
  if (opts.progType !== undefined) return opts.progType;
  const types = PROG_TYPES.filter((t) => (opts.progTypes[t] ?? 0) > 0);
  if (types.length === 1) return types[0];
  return types[Prng.forProgram(seed, index, 1).weighted(types.map((t) => opts.progTypes[t] ?? 0))];
}

/** 64 zero bytes, or random ones (stream 2) when the program may read packet data */
function packetInput(seed: number, index: number, opts: ProgramOptions): Uint8Array {
  const bytes = new Uint8Array(PACKET_BYTES);
  if (opts.packetRate > 0 && PKT_FIELDS[opts.progType] !== undefined) {
    const r = Prng.forProgram(seed, index, 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = r.u32() & 0xff;
  }
  return bytes;
}

/** `count` programs starting at `first`, for batch use. */
export function generatePrograms(seed: number, count: number, options: Partial<GenOptions> = {}, first = 0): Program[] {
  const opts = resolveGenOptions(options);
  const out: Program[] = [];
  for (let i = 0; i < count; i++) out.push(generateProgram(seed, first + i, opts));
  return out;
}
