// The generator options of `bpfdiff fuzz` and `bpfdiff gen`, defined once: the named options
// for the common knobs, `--gen JSON` for the rest, checked by shape and range with the option
// named in the error (the same checks as the REST API's `generator`).
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_GEN_OPTIONS, FEATURE_RATES, GEN_PRESET_NAMES, isMutationKind, parseGenOptions, type GenOptions, type MutationKind } from '../core/gen/index.ts';
import { PROG_TYPES, type ProgType } from '../core/program/index.ts';
import { integerOption } from './options.ts';
import { UserError } from './user-error.ts';

export interface GeneratorFlags {
  funcs?: [number, number];
  maxFrames?: number;
  mutationRate?: number;
  mutations?: MutationKind[];
  progType?: ProgType;
  bodySize?: [number, number];
  gen?: Record<string, unknown>;
}

const rate = (field: string) => (value: string): number => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`${field}: expected a number from 0 to 1, got "${value}"`);
  return n;
};
const range = (field: string) => (value: string): [number, number] => {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`${field}: expected MIN-MAX or N, got "${value}"`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
};

const progTypesText = (): string => Object.entries(DEFAULT_GEN_OPTIONS.progTypes).map(([t, w]) => `${t} ${w}`).join(', ');

/** The rate options of the generator's features and what each is the chance of, for --help. */
export function featureRatesHelp(): string {
  const lines = Object.entries(FEATURE_RATES).map(([k, f]) => `  ${k} (default ${f.default}): ${f.what}`);
  return `\nFeature rates (in --gen JSON; 0 turns a feature off):\n${lines.join('\n')}\n` +
    'Program types: --gen \'{"progTypes":{"sched_cls":1,"xdp":1}}\' weighs them; --prog-type pins one.\n' +
    'Presets: --gen gen2 reproduces bpfdiff-gen/2 (sched_cls only, every feature rate 0, its 17 mutation kinds); options given besides it override it.\n';
}

/** Adds --funcs, --max-frames, --mutation-rate, --mutations, --prog-type, --body-size and --gen. */
export function addGeneratorOptions(command: Command): Command {
  return command
    .option('--funcs <min-max>', `functions per program, within 1-16 (default ${DEFAULT_GEN_OPTIONS.funcs.join('-')})`, range('--funcs'))
    .option('--max-frames <n>', `longest call chain in frames (default ${DEFAULT_GEN_OPTIONS.maxFrames}; > 8 makes chains the kernel refuses)`, integerOption('--max-frames', 1))
    .option('--mutation-rate <r>', `share of programs carrying one mutation (default ${DEFAULT_GEN_OPTIONS.mutationRate})`, rate('--mutation-rate'))
    .option('--mutations <kinds>', 'comma-separated mutation kinds to draw from (default: all)', (v: string) => {
      const kinds = v.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = kinds.find((k) => !isMutationKind(k));
      if (bad !== undefined) throw new InvalidArgumentError(`--mutations: unknown kind "${bad}"`);
      return kinds as MutationKind[];
    })
    .option('--prog-type <type>', `pin every program to one type: ${PROG_TYPES.join(', ')} (default: drawn per program, ${progTypesText()})`, (v: string) => {
      if (!(PROG_TYPES as readonly string[]).includes(v)) throw new InvalidArgumentError(`--prog-type: expected one of ${PROG_TYPES.join(', ')}, got "${v}"`);
      return v as ProgType;
    })
    .option('--body-size <min-max>', 'filler statements per function', range('--body-size'))
    .option('--gen <json|preset>', `any other generator options as JSON, e.g. '{"loopRate":0.2,"packetRate":0.1}', or a preset name (${GEN_PRESET_NAMES.join(', ')}: \`--gen gen2\` gives bpfdiff-gen/2's programs)`, (v: string) => {
      if ((GEN_PRESET_NAMES as readonly string[]).includes(v.trim())) return { preset: v.trim() };
      try {
        const o = JSON.parse(v) as unknown;
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
        return o as Record<string, unknown>;
      } catch (err) {
        throw new InvalidArgumentError(`--gen: expected a JSON object of generator options or a preset name (${GEN_PRESET_NAMES.join(', ')}) (${(err as Error).message})`);
      }
    });
}

/** The generator options the flags ask for; a UserError naming the option when one is wrong. */
export function generatorOptions(flags: GeneratorFlags): Partial<GenOptions> {
  const given: Record<string, unknown> = { ...(flags.gen ?? {}) };
  if (flags.funcs) given.funcs = flags.funcs;
  if (flags.maxFrames !== undefined) given.maxFrames = flags.maxFrames;
  if (flags.mutationRate !== undefined) given.mutationRate = flags.mutationRate;
  if (flags.mutations) given.mutations = flags.mutations;
  if (flags.progType) given.progType = flags.progType;
  if (flags.bodySize) given.bodySize = flags.bodySize;
  const { options, problems } = parseGenOptions(given);
  if (problems.length > 0) throw new UserError(`generator option ${problems[0].option}: ${problems[0].problem}`);
  return options;
}
