// A finding of `fuzz` or `reduce`: one divergence signature, its first example, and (when
// reduced) the smallest program that still shows it; written to disk as program files with
// both outcomes and the disassembly, so a developer can rerun it with `bpfdiff run`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  reduceProgram,
  runBatch,
  signatureId,
  signatureOracle,
  type Divergence,
  type KernelTarget,
  type RunBatchOptions,
  type SignatureSummary,
} from '../core/diff/index.ts';
import { programToJsonText, type Outcome, type Program } from '../core/program/index.ts';
import { programListing } from './commands/disasm.ts';

export interface ReducedFinding {
  program: Program;
  originalInsns: number;
  reducedInsns: number;
  ratio: number;
  checks: number;
  steps: string[];
  /** the outcomes of the reduced program (the divergence as it shows there) */
  model?: Outcome;
  actual?: Outcome;
}

export interface Finding {
  summary: SignatureSummary;
  reduced?: ReducedFinding;
}

/** Reduces the first example of a signature on the kernels it showed on. */
export async function reduceFinding(
  summary: SignatureSummary,
  targets: KernelTarget[],
  diff: RunBatchOptions,
  opts: { maxChecks?: number; signal?: AbortSignal; onProgress?: (p: { insns: number; checks: number; step: string }) => void } = {},
): Promise<Finding> {
  const d = summary.example;
  // a cross-kernel divergence is labelled `a~b` and needs both kernels
  const ids = d.kernel.split('~');
  const kernels = targets.filter((t) => ids.includes(t.id));
  const oracle = signatureOracle(d.signature, kernels, diff);
  const r = await reduceProgram(d.program, oracle, { maxChecks: opts.maxChecks, signal: opts.signal, onProgress: opts.onProgress });
  const shown: Divergence | undefined = (await runBatch([r.program], kernels, diff)).divergences.find((x) => x.signature === d.signature);
  return {
    summary,
    reduced: {
      program: r.program,
      originalInsns: r.originalInsns,
      reducedInsns: r.reducedInsns,
      ratio: r.ratio,
      checks: r.checks,
      steps: r.steps,
      model: shown?.model,
      actual: shown?.actual,
    },
  };
}

/**
 * DIR/summary.json, and per signature DIR/<id>/: program.json (the original, with the finding
 * in meta), program.s, outcomes.json, and reduced.json / reduced.s when it was reduced.
 */
export async function writeFindings(dir: string, findings: readonly Finding[], campaign: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const index = [];
  for (const f of findings) {
    const s = f.summary;
    const d = s.example;
    const id = signatureId(s.signature);
    const sub = join(dir, id);
    await mkdir(sub, { recursive: true });
    const finding = { signature: s.signature, class: s.class, count: s.count, kernels: s.kernels, mutation: d.mutation, detail: d.detail };
    const withMeta = (p: Program): Program => ({ ...p, meta: { ...(p.meta ?? {}), finding } });
    await writeFile(join(sub, 'program.json'), programToJsonText(withMeta(d.program)) + '\n');
    await writeFile(join(sub, 'program.s'), programListing(d.program, true).join('\n') + '\n');
    const outcomes: Record<string, unknown> = { ...finding, index: d.index, model: d.model, actual: d.actual };
    if (f.reduced) {
      const r = f.reduced;
      await writeFile(join(sub, 'reduced.json'), programToJsonText(withMeta(r.program)) + '\n');
      await writeFile(join(sub, 'reduced.s'), programListing(r.program, true).join('\n') + '\n');
      outcomes.reduced = { originalInsns: r.originalInsns, reducedInsns: r.reducedInsns, ratio: Number(r.ratio.toFixed(2)), checks: r.checks, steps: r.steps, model: r.model, actual: r.actual };
    }
    await writeFile(join(sub, 'outcomes.json'), JSON.stringify(outcomes, null, 2) + '\n');
    index.push({ id, ...finding, originalInsns: d.program.insns.length, reducedInsns: f.reduced?.reducedInsns, reproduce: `bpfdiff run ${join(sub, f.reduced ? 'reduced.json' : 'program.json')} ${s.kernels.flatMap((k) => k.split('~')).map((k) => `--kernel ${k}`).join(' ')}` });
  }
  await writeFile(join(dir, 'summary.json'), JSON.stringify({ ...campaign, findings: index }, null, 2) + '\n');
}

