// What the generator's programs reach, judged by the model alone (7.2 profile):
//   node --import tsx scripts/gen-breadth.ts [FILE.jsonl | --count N --seed S] [--gen JSON|gen2] [--json]
// prints the distinct reject reason lines (numbers aside, normalizeReason), the distinct helpers
// called, the share of programs with a map, reading packet data and answered `unknown`, and per
// mutation kind how often the model's reason matches the program's `meta.expect`.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { measureBreadth, formatBreadth } from './gen-breadth-lib.ts';
import { generatePrograms, parseGenOptions, type GenOptions } from '../core/gen/index.ts';
import { parseProgramsJsonl } from '../core/program/index.ts';
import type { Program } from '../core/program/index.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' }, gen: { type: 'string' }, json: { type: 'boolean', default: false } },
});

function genOptions(text: string | undefined): Partial<GenOptions> {
  if (text === undefined) return {};
  const raw: unknown = /^\s*\{/.test(text) ? JSON.parse(text) : { preset: text };
  const { options, problems } = parseGenOptions(raw);
  if (problems.length > 0) throw new Error(`--gen: ${problems[0].option}: ${problems[0].problem}`);
  return options;
}

async function programs(): Promise<Program[]> {
  if (positionals[0] !== undefined) return parseProgramsJsonl(await readFile(positionals[0], 'utf8'));
  return generatePrograms(Number(values.seed), Number(values.count), genOptions(values.gen));
}

const report = measureBreadth(await programs());
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatBreadth(report));
