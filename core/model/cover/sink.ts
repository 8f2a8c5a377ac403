// Where the rules a verification exercises are recorded: a set that is module state for the
// length of one verification (the walk is synchronous). Its own folder, importing nothing else
// of the model, so every part of the model (the rewrite passes in fixups/ too) can record a rule
// without an import loop between folders. MODEL_RULES and the helper and reason rules are in
// ../coverage.ts.
import type { CheckRuleId } from './rules.ts';

let sink: Set<string> | undefined;

/** the check `id` was exercised (a no-op outside withCoverage) */
export function cover(id: CheckRuleId): void {
  if (sink !== undefined) sink.add(id);
}

/** any rule id (helper and reason rules, which ../coverage.ts derives) */
export function coverId(id: string): void {
  if (sink !== undefined) sink.add(id);
}

/** true while a coverage set is being filled: for checks whose rule needs work to tell apart */
export const coverageOn = (): boolean => sink !== undefined;

/** runs `fn` with `set` (or none) receiving the rules exercised; nests (the outer set returns after) */
export function withCoverage<T>(set: Set<string> | undefined, fn: () => T): T {
  const outer = sink;
  sink = set;
  try {
    return fn();
  } finally {
    sink = outer;
  }
}
