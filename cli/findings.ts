// What `fuzz` and `reduce` write: per divergence signature, its first example and (when reduced)
// the smallest program that still shows it, as program files with both outcomes and the
// disassembly, so a developer can rerun it with `bpfdiff run`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signatureId, type Reduction, type SignatureSummary } from '../core/diff/index.ts';
import { parseProgram, programToJsonText, type Program, type ProgramJson } from '../core/program/index.ts';
import { programListing } from './commands/disasm.ts';

/** One signature of a campaign, reduced or not. */
export interface SignatureReport {
  summary: SignatureSummary;
  reduced?: Reduction;
}

export const reductionRatio = (r: Reduction): number => r.originalInsns / Math.max(1, r.reducedInsns);

/**
 * DIR/summary.json, and per signature DIR/<id>/: program.json (the original, with the finding
 * in meta), program.s, outcomes.json, and reduced.json / reduced.s when it was reduced.
 */
export async function writeFindings(dir: string, reports: readonly SignatureReport[], campaign: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const index = [];
  for (const f of reports) {
    const s = f.summary;
    const d = s.example;
    const id = signatureId(s.signature);
    const sub = join(dir, id);
    await mkdir(sub, { recursive: true });
    const finding = { signature: s.signature, class: s.class, count: s.count, kernels: s.kernels, mutation: d.mutation, detail: d.detail };
    const withMeta = (p: ProgramJson): Program => {
      const program = parseProgram(p);
      return { ...program, meta: { ...(program.meta ?? {}), finding } };
    };
    const original = withMeta(d.program);
    await writeFile(join(sub, 'program.json'), programToJsonText(original) + '\n');
    await writeFile(join(sub, 'program.s'), programListing(original, true).join('\n') + '\n');
    const outcomes: Record<string, unknown> = { ...finding, index: d.index, model: d.model, actual: d.actual, ...(d.firstDisagreement ? { firstDisagreement: d.firstDisagreement } : {}) };
    let reducedInsns: number | undefined;
    if (f.reduced) {
      const r = f.reduced;
      const reduced = withMeta(r.program);
      reducedInsns = r.reducedInsns;
      await writeFile(join(sub, 'reduced.json'), programToJsonText(reduced) + '\n');
      await writeFile(join(sub, 'reduced.s'), programListing(reduced, true).join('\n') + '\n');
      outcomes.reduced = { originalInsns: r.originalInsns, reducedInsns: r.reducedInsns, ratio: Number(reductionRatio(r).toFixed(2)), checks: r.checks, steps: r.steps, model: r.model, actual: r.actual, ...(r.firstDisagreement ? { firstDisagreement: r.firstDisagreement } : {}) };
    }
    await writeFile(join(sub, 'outcomes.json'), JSON.stringify(outcomes, null, 2) + '\n');
    index.push({ id, ...finding, originalInsns: original.insns.length, reducedInsns, reproduce: `bpfdiff run ${join(sub, f.reduced ? 'reduced.json' : 'program.json')} ${s.kernels.flatMap((k) => k.split('~')).map((k) => `--kernel ${k}`).join(' ')}` });
  }
  await writeFile(join(dir, 'summary.json'), JSON.stringify({ ...campaign, findings: index }, null, 2) + '\n');
}
