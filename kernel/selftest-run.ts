// Runs imported kernel selftests (corpus/kernel-selftests) on a real kernel the way
// test_loader.c loads them: with the verifier log kept, at the log level the test annotates
// (`__log_level(N)`, at least 1 so the reason line is there), so `__msg` can be checked.
// One pool per log level in use, one after the other.
import type { Outcome, Program } from '../core/program/index.ts';
import type { KernelImage } from './catalog.ts';
import { VmPool } from './pool.ts';

/** test_loader's log level for a test, made at least 1 (BPF_LOG_LEVEL1) and keeping BPF_LOG_STATS (4). */
export function selftestLogLevel(p: Program): number {
  const annotated = typeof p.meta?.logLevel === 'number' ? p.meta.logLevel : 0;
  return ((annotated & 3) || 1) | (annotated & 4);
}

export interface SelftestRunOptions {
  kernel: KernelImage;
  /** guests per pool (default 1) */
  size?: number;
  timeoutMs?: number;
  onOutcome?: (index: number, outcome: Outcome) => void;
}

export async function runSelftests(programs: readonly Program[], opts: SelftestRunOptions): Promise<Outcome[]> {
  const out: Outcome[] = new Array(programs.length);
  const levels = [...new Set(programs.map(selftestLogLevel))].sort();
  for (const level of levels) {
    const indices = programs.map((p, i) => (selftestLogLevel(p) === level ? i : -1)).filter((i) => i >= 0);
    const pool = await VmPool.create({ kernel: opts.kernel, size: opts.size ?? 1, timeoutMs: opts.timeoutMs ?? 20_000, keepLog: true, logLevel: level });
    try {
      const outcomes = await pool.run(
        indices.map((i) => programs[i]),
        { onOutcome: (k, o) => opts.onOutcome?.(indices[k], o) },
      );
      outcomes.forEach((o, k) => (out[indices[k]] = o));
    } finally {
      await pool.close();
    }
  }
  return out;
}
