// What a user can steer in the generator. Every option has a default; `checkGenOptions`
// names the option and the expected range for anything out of bounds.
import type { ProgType } from '../program/index.ts';
import { PROG_TYPES } from '../program/index.ts';
import { MUTATION_KINDS, type MutationKind } from './mutations.ts';
import { FEATURE_RATES, GEN2_PRESET, type FeatureRates } from './features.ts';

export interface GenOptions extends FeatureRates {
  /** pins every program to one type; when absent each program draws one from `progTypes` */
  progType?: ProgType;
  /** relative weight of each program type, drawn per program unless `progType` pins one */
  progTypes: Partial<Record<ProgType, number>>;
  /** a named set of options applied under the explicit ones: `gen2` reproduces bpfdiff-gen/2 */
  preset?: GenPreset;
  /** functions per program including main, [min, max] within 1..16 */
  funcs: [number, number];
  /** longest call chain in frames (main is frame 1); > 8 makes chains the kernel refuses */
  maxFrames: number;
  /** relative weight of each argument count 0..12 for subprograms */
  argWeights: number[];
  /** share of subprograms with at most 5 arguments that get global linkage */
  globalRate: number;
  /** filler statements per function body, [min, max] */
  bodySize: [number, number];
  /** chance that a statement opens a forward branch around the next few */
  branchRate: number;
  /** chance that a statement opens a bounded loop */
  loopRate: number;
  /** chance that an argument is a pointer (to the caller's stack, or the ctx) */
  pointerArgRate: number;
  /** chance that a filler statement is an atomic add to a stack local */
  atomicRate: number;
  /** chance of a helper call as a statement */
  helperCallRate: number;
  /** call sites per caller→callee edge, [min, max] */
  callSites: [number, number];
  /** extra caller→callee edges beyond the spanning tree, per function */
  fanRate: number;
  /** share of programs that carry one mutation */
  mutationRate: number;
  /** mutation kinds to draw from */
  mutations: MutationKind[];
  /** helper ids used for helper-call statements; results are discarded */
  helpers: number[];
}

/** The options one program is drawn with: its type fixed. */
export type ProgramOptions = GenOptions & { progType: ProgType };

/** Named option sets; `gen2` gives bpfdiff-gen/2's programs byte for byte (same seed, same bytes). */
const GEN_PRESETS = {
  gen2: GEN2_PRESET,
} as const satisfies Record<string, Partial<GenOptions>>;
type GenPreset = keyof typeof GEN_PRESETS;
export const GEN_PRESET_NAMES = Object.keys(GEN_PRESETS) as GenPreset[];

export const DEFAULT_GEN_OPTIONS: Readonly<GenOptions> = Object.freeze({
  progTypes: { sched_cls: 1, xdp: 1 },
  ...Object.fromEntries(Object.entries(FEATURE_RATES).map(([k, f]) => [k, f.default])),
  funcs: [2, 6],
  maxFrames: 8,
  argWeights: [1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3],
  globalRate: 0.1,
  bodySize: [2, 8],
  branchRate: 0.15,
  loopRate: 0.08,
  pointerArgRate: 0.15,
  atomicRate: 0.03,
  helperCallRate: 0.08,
  callSites: [1, 2],
  fanRate: 0.3,
  mutationRate: 0.25,
  mutations: [...MUTATION_KINDS],
  // bpf_get_numa_node_id: in every program type's base set and constant in a one-node guest
  helpers: [42],
}) as GenOptions;

export function resolveGenOptions(partial: Partial<GenOptions> = {}): GenOptions {
  const given = stripUndefined(partial);
  const preset = given.preset !== undefined && Object.hasOwn(GEN_PRESETS, given.preset) ? GEN_PRESETS[given.preset] : {};
  const merged: GenOptions = { ...DEFAULT_GEN_OPTIONS, ...(preset as Partial<GenOptions>), ...given };
  const problems = checkGenOptions(merged);
  if (problems.length > 0) throw new RangeError(problems[0]);
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Every problem as `option: what was expected`. */
export function checkGenOptions(o: GenOptions): string[] {
  const out: string[] = [];
  const range = (name: string, [a, b]: [number, number], lo: number, hi: number): void => {
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < lo || b > hi || a > b) {
      out.push(`${name}: expected integers MIN-MAX with ${lo} <= MIN <= MAX <= ${hi}, got ${a}-${b}`);
    }
  };
  const rate = (name: string, v: number): void => {
    if (!(typeof v === 'number' && v >= 0 && v <= 1)) out.push(`${name}: expected a number from 0 to 1, got ${v}`);
  };
  if (o.progType !== undefined && !(PROG_TYPES as readonly string[]).includes(o.progType)) out.push(`progType: expected one of ${PROG_TYPES.join(', ')}, got ${o.progType}`);
  if (o.preset !== undefined && !Object.hasOwn(GEN_PRESETS, o.preset)) out.push(`preset: expected one of ${GEN_PRESET_NAMES.join(', ')}, got ${o.preset}`);
  const typeWeights = Object.entries(o.progTypes);
  if (typeWeights.some(([t, w]) => !(PROG_TYPES as readonly string[]).includes(t) || !(typeof w === 'number' && w >= 0)) || !typeWeights.some(([, w]) => (w ?? 0) > 0)) {
    out.push(`progTypes: expected non-negative weights for some of ${PROG_TYPES.join(', ')}, not all zero, got ${JSON.stringify(o.progTypes)}`);
  }
  for (const name of Object.keys(FEATURE_RATES) as Array<keyof FeatureRates>) rate(name, o[name]);
  range('funcs', o.funcs, 1, 16);
  if (!Number.isInteger(o.maxFrames) || o.maxFrames < 1 || o.maxFrames > 16) out.push(`maxFrames: expected an integer from 1 to 16, got ${o.maxFrames}`);
  if (o.argWeights.length !== 13 || o.argWeights.some((w) => !(w >= 0)) || o.argWeights.every((w) => w === 0)) {
    out.push(`argWeights: expected 13 non-negative weights (for 0..12 arguments), not all zero`);
  }
  rate('globalRate', o.globalRate);
  range('bodySize', o.bodySize, 0, 200);
  rate('branchRate', o.branchRate);
  rate('loopRate', o.loopRate);
  rate('pointerArgRate', o.pointerArgRate);
  rate('atomicRate', o.atomicRate);
  rate('helperCallRate', o.helperCallRate);
  range('callSites', o.callSites, 1, 8);
  rate('fanRate', o.fanRate);
  rate('mutationRate', o.mutationRate);
  for (const m of o.mutations) if (!(MUTATION_KINDS as readonly string[]).includes(m)) out.push(`mutations: unknown kind ${m}; expected some of ${MUTATION_KINDS.join(', ')}`);
  if (o.mutationRate > 0 && o.mutations.length === 0) out.push('mutations: expected at least one kind when mutationRate > 0');
  if (o.helpers.length === 0 || o.helpers.some((h) => !Number.isInteger(h) || h < 1)) out.push('helpers: expected helper ids (positive integers)');
  return out;
}
