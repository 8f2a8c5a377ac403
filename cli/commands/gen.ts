// `bpfdiff gen --count N --seed S [generator options] [-o FILE.jsonl]`: the programs `fuzz`
// would generate from that seed and those options, one bpfdiff.program/v1 JSON per line, so a
// corpus can be shared or fed to another tool (the same seed and options give the same bytes).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_GEN_OPTIONS, generatePrograms } from '../../core/gen/index.ts';
import { programsToJsonl } from '../../core/program/index.ts';
import { addGeneratorOptions, featureRatesHelp, generatorOptions, type GeneratorFlags } from '../gen-options.ts';
import { integerOption } from '../options.ts';
import { UserError } from '../user-error.ts';
import { formatCoverage, modelCoverage } from '../coverage-report.ts';
import { PROFILE_IDS, resolveProfile } from '../../core/model/index.ts';

interface GenFlags extends GeneratorFlags {
  count: number;
  seed: number;
  first: number;
  out?: string;
  coverage?: boolean;
  profile: string;
}

export function register(program: Command): void {
  const command = program
    .command('gen')
    .description('write the programs fuzz generates from a seed and generator options, one bpfdiff.program/v1 JSON per line')
    .option('-n, --count <n>', 'programs to generate', integerOption('--count', 1), 1000)
    .option('-s, --seed <n>', 'generator seed: the same seed and options give the same programs', integerOption('--seed', 0), 1)
    .option('--first <i>', 'index of the first program (program i of a seed is the same whatever the count)', integerOption('--first', 0), 0)
    .option('-o, --out <file>', 'write the JSONL here (default: stdout)')
    .option('--coverage', 'print the model\'s coverage of the programs instead of the JSONL (rules hit / rules in the model, reject reason lines, rules never hit); with -o the JSONL is written too')
    .option('-p, --profile <id>', `model profile for --coverage (${PROFILE_IDS.join(', ')}) or kernel id (6.12, 7.2, 7.3)`, 'linux-7.2');
  addGeneratorOptions(command)
    .addHelpText('after', `\nThe options are those of \`bpfdiff fuzz\`. Mutation kinds: ${DEFAULT_GEN_OPTIONS.mutations.join(', ')}.\n${featureRatesHelp()}`)
    .action(async (flags: GenFlags) => {
      const options = generatorOptions(flags);
      const profile = resolveProfile(flags.profile);
      if (!profile) throw new UserError(`--profile: expected one of ${PROFILE_IDS.join(', ')} or a kernel id 6.12, 7.2, 7.3, got "${flags.profile}"`);
      const programs = generatePrograms(flags.seed, flags.count, options, flags.first);
      if (flags.coverage) process.stdout.write(formatCoverage(modelCoverage(programs, profile)));
      if (flags.coverage && flags.out === undefined) return;
      const text = programsToJsonl(programs);
      if (flags.out === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        await writeFile(flags.out, text);
      } catch (err) {
        throw new UserError(`${flags.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      process.stderr.write(`gen: ${flags.count} programs (seed ${flags.seed}) → ${flags.out}\n`);
    });
}
