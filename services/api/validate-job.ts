// What the schema cannot say about a job or a check: that every kernel is one the service
// knows (a catalog id, never a path on a worker's host), that the generator options are ones
// core/gen will take, and that each field fits the job's kind. A job that passes runs; one
// that cannot run is a 400 at submission naming the field, as the CLI does.
import { randomInt } from 'node:crypto';
import { parseGenOptions, type GenOptions } from '../../core/gen/index.ts';
import { DEFAULT_GUIDED_SHARE } from '../../core/guided/index.ts';
import type { JobParams } from '../../store/index.ts';
import { badRequest } from './errors.ts';
import { CPU_MODELS } from '../../core/jit/index.ts';
import { splitCpu } from '../../core/diff/index.ts';
import type { SubmitJobBody } from './schemas.ts';

/** A catalog id: letters, digits, dot, dash, underscore, plus; nothing that could name a file;
 *  optionally `@CPU`, the QEMU CPU model of its guests (`7.2@Haswell`). */
const KERNEL_ID = /^[A-Za-z0-9][A-Za-z0-9._+-]*(@[A-Za-z][A-Za-z0-9_.-]*)?$/;

/** Throws a 400 for a kernel list that names anything but known kernel ids, or one twice. */
export function checkKernels(field: string, kernels: readonly string[], known: readonly string[]): void {
  const seen = new Set<string>();
  for (const [i, id] of kernels.entries()) {
    const at = `${field}[${i}]`;
    if (!KERNEL_ID.test(id) || id.includes('..')) {
      throw badRequest(at, `"${id}" is not a kernel id; over the API a kernel is a catalog id (one of ${known.join(', ')}), never a path`);
    }
    const [base, cpu] = splitCpu(id);
    if (!known.includes(base)) throw badRequest(at, `unknown kernel "${base}"; expected one of ${known.join(', ')}`);
    if (cpu !== undefined && !CPU_MODELS[cpu]) throw badRequest(at, `unknown CPU model "${cpu}"; expected one of ${Object.keys(CPU_MODELS).join(', ')}`);
    if (seen.has(id)) throw badRequest(at, `kernel "${id}" is given twice`);
    seen.add(id);
  }
}

const CAMPAIGN_ONLY = ['count', 'seed', 'batchSize', 'generator', 'guided', 'guidedShare'] as const;
const REPLAY_ONLY = ['corpus', 'reproducers'] as const;

/**
 * The job parameters to store, or a 400: fields of the other kind of job, a campaign without a
 * count, a replay with nothing to replay, bad generator options. A campaign without a seed gets
 * one drawn here and recorded, so the run can be repeated.
 */
export function jobParamsOf(body: SubmitJobBody, known: readonly string[]): JobParams {
  checkKernels('body.kernels', body.kernels, known);
  if (body.kind === 'replay') {
    for (const f of CAMPAIGN_ONLY) if (body[f] !== undefined) throw badRequest(`body.${f}`, 'applies to campaign jobs only; a replay runs the corpus and the stored reproducers');
    if (body.corpus === false && body.reproducers === false) throw badRequest('body.corpus', 'a replay with corpus and reproducers both false has nothing to run');
    return { kind: 'replay', kernels: body.kernels, corpus: body.corpus, reproducers: body.reproducers };
  }
  for (const f of REPLAY_ONLY) if (body[f] !== undefined) throw badRequest(`body.${f}`, 'applies to replay jobs only');
  if (body.count === undefined) throw badRequest('body.count', 'is required: a campaign needs the number of programs to generate (1..10000000)');
  let generator: Partial<GenOptions> | undefined;
  if (body.generator !== undefined) {
    const parsed = parseGenOptions(body.generator);
    const first = parsed.problems[0];
    if (first) throw badRequest(first.option ? `body.generator.${first.option}` : 'body.generator', first.problem);
    generator = parsed.options;
  }
  const seed = body.seed ?? randomInt(2 ** 32);
  const guided = body.guided ?? true;
  if (!guided && body.guidedShare !== undefined) throw badRequest('body.guidedShare', 'applies to guided campaigns only; drop it or set guided to true');
  const guidance = guided ? { guided, guidedShare: body.guidedShare ?? DEFAULT_GUIDED_SHARE } : { guided };
  return { kind: 'campaign', kernels: body.kernels, count: body.count, seed, batchSize: body.batchSize, generator, ...guidance };
}

/** YYYY-MM-DD that is a real calendar date (2026-13-45 is not). */
export function checkDate(field: string, date: string): void {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) throw badRequest(field, `expected a calendar date YYYY-MM-DD, got "${date}"`);
}
