// Generator options as a user sends them (a JSON object over REST, `--gen` on the command
// line): every key known, every value of the right shape, then every range in bounds. Each
// problem names the option and what was expected, so `"funcs": "0-99"` is caught here rather
// than read back as `0--` by the range check.
import { PROG_TYPES } from '../program/index.ts';
import { DEFAULT_GEN_OPTIONS, GEN_PRESET_NAMES, checkGenOptions, type GenOptions } from './options.ts';
import { MUTATION_KINDS } from './mutations.ts';
import { FEATURE_RATES, type FeatureRates } from './features.ts';

interface GenOptionProblem {
  /** the option's name (`funcs`), or '' for the object itself */
  option: string;
  problem: string;
}

type Shape = 'range' | 'rate' | 'integer' | 'progType' | 'progTypes' | 'preset' | 'weights' | 'mutations' | 'helpers';

const FEATURE_SHAPES = Object.fromEntries(Object.keys(FEATURE_RATES).map((k) => [k, 'rate'])) as Record<keyof FeatureRates, Shape>;

const SHAPES: Record<keyof GenOptions, Shape> = {
  progType: 'progType',
  funcs: 'range',
  maxFrames: 'integer',
  argWeights: 'weights',
  globalRate: 'rate',
  bodySize: 'range',
  branchRate: 'rate',
  loopRate: 'rate',
  pointerArgRate: 'rate',
  atomicRate: 'rate',
  helperCallRate: 'rate',
  callSites: 'range',
  fanRate: 'rate',
  mutationRate: 'rate',
  mutations: 'mutations',
  helpers: 'helpers',
  progTypes: 'progTypes',
  preset: 'preset',
  ...FEATURE_SHAPES,
};

const GEN_OPTION_NAMES = Object.keys(SHAPES) as Array<keyof GenOptions>;

const shown = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** What is wrong with one value for its shape, or undefined when the shape fits. */
function shapeProblem(shape: Shape, v: unknown): string | undefined {
  switch (shape) {
    case 'range':
      return Array.isArray(v) && v.length === 2 && v.every(isInt) ? undefined : `expected [MIN, MAX] (two integers), got ${shown(v)}`;
    case 'rate':
      return typeof v === 'number' ? undefined : `expected a number from 0 to 1, got ${shown(v)}`;
    case 'integer':
      return isInt(v) ? undefined : `expected an integer, got ${shown(v)}`;
    case 'progType':
      return typeof v === 'string' && (PROG_TYPES as readonly string[]).includes(v) ? undefined : `expected one of ${PROG_TYPES.join(', ')}, got ${shown(v)}`;
    case 'progTypes': {
      const ok = typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(v).every(([t, w]) => (PROG_TYPES as readonly string[]).includes(t) && typeof w === 'number' && w >= 0);
      return ok ? undefined : `expected an object of non-negative weights by program type (some of ${PROG_TYPES.join(', ')}), e.g. {"sched_cls":1,"xdp":1}, got ${shown(v)}`;
    }
    case 'preset':
      return typeof v === 'string' && (GEN_PRESET_NAMES as readonly string[]).includes(v) ? undefined : `expected one of ${GEN_PRESET_NAMES.join(', ')}, got ${shown(v)}`;
    case 'weights':
      return Array.isArray(v) && v.every((w) => typeof w === 'number') ? undefined : `expected 13 non-negative weights (for 0..12 arguments), got ${shown(v)}`;
    case 'mutations': {
      if (!Array.isArray(v)) return `expected a list of mutation kinds (some of ${MUTATION_KINDS.join(', ')}), got ${shown(v)}`;
      const bad = v.find((k) => !(MUTATION_KINDS as readonly unknown[]).includes(k));
      return bad === undefined ? undefined : `unknown kind ${shown(bad)}; expected some of ${MUTATION_KINDS.join(', ')}`;
    }
    case 'helpers':
      return Array.isArray(v) && v.length > 0 && v.every((h) => isInt(h) && h >= 1) ? undefined : `expected helper ids (positive integers), got ${shown(v)}`;
  }
}

/**
 * Checks generator options given as untyped JSON; on success `options` holds them (only the
 * keys given), otherwise `problems` names each bad option. The first problem is the one to show.
 */
export function parseGenOptions(raw: unknown): { options: Partial<GenOptions>; problems: GenOptionProblem[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { options: {}, problems: [{ option: '', problem: `expected an object of generator options, got ${shown(raw)}` }] };
  }
  const problems: GenOptionProblem[] = [];
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const shape = SHAPES[key as keyof GenOptions];
    if (!Object.hasOwn(SHAPES, key) || shape === undefined) {
      problems.push({ option: key, problem: `unknown generator option; expected some of ${GEN_OPTION_NAMES.join(', ')}` });
      continue;
    }
    const problem = shapeProblem(shape, value);
    if (problem) problems.push({ option: key, problem });
    else options[key] = value;
  }
  if (problems.length > 0) return { options: {}, problems };
  for (const line of checkGenOptions({ ...DEFAULT_GEN_OPTIONS, ...options })) {
    const colon = line.indexOf(': ');
    problems.push({ option: line.slice(0, colon), problem: line.slice(colon + 2) });
  }
  return { options: problems.length > 0 ? {} : (options as Partial<GenOptions>), problems };
}
