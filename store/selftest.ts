// A stored finding as a kernel selftest and commit message skeleton (core/selftests/finding.ts):
// the reduced reproducer when there is one, with the outcomes recorded for it, else the first
// example. Shared by GET /divergences/:id/selftest and `bpfdiff export --selftest ID`.
import { signatureTitle } from '../core/diff/index.ts';
import { parseProgram } from '../core/program/index.ts';
import { selftestFor, type SelftestExport } from '../core/selftests/finding.ts';
import type { DivergenceRecord } from './types.ts';

export function findingSelftest(record: DivergenceRecord, opts: { seed?: number } = {}): SelftestExport {
  const example = record.examples[0];
  if (!example) throw new RangeError(`divergence ${record.id}: no example kept to export`);
  const r = record.reduced;
  const useReduced = r !== undefined && r.actual !== undefined;
  const program = parseProgram(useReduced ? r.program : example.program);
  const actual = useReduced ? r.actual! : example.actual;
  const model = useReduced ? (r.model ?? example.model) : example.model;
  const title = signatureTitle(record.signature) ?? (actual.message || model.message || record.detail);
  return selftestFor({
    program,
    actual,
    model,
    kernelId: (useReduced ? r.kernel : example.kernel).split('~')[0],
    name: `bpfdiff_${record.id.slice(0, 8)}`,
    finding: {
      id: record.id,
      title,
      class: record.class,
      count: record.count,
      kernels: record.kernels,
      mutation: record.mutation,
      firstJob: record.firstJob,
      originalInsns: useReduced ? r.originalInsns : undefined,
      reduced: useReduced,
      seed: opts.seed,
    },
  });
}
