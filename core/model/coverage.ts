// Coverage of the model: which of its rules a verification exercised. Debian's kernels have no
// KCOV, but the model mirrors the verifier check by check, so the checks a program reaches in the
// model stand in for the verifier code it reaches in the kernel. Each rule has a stable id,
// `<kernel function>:<case>` (cover/rules.ts for the checks, coverage-reasons.ts for the reject
// reason lines, one rule per helper here), the kernel function it mirrors and a one-line
// description.
//
//   const hit = new Set<string>();
//   verify(program, profile, { coverage: hit });   // hit now holds the id of every rule exercised
//
// The walk is synchronous, so the set being filled is module state for the duration of one
// verification (cover/sink.ts, withCoverage); cover() with no set costs one comparison.
import { CHECK_RULES } from './cover/rules.ts';
import { coverId, coverageOn } from './cover/sink.ts';
export { cover, coverageOn, withCoverage } from './cover/sink.ts';
import { REASON_RULES } from './coverage-reasons.ts';
import { HELPER_PROTOS, type HelperProto } from './helpers.ts';

export interface ModelRule {
  id: string;
  /** the kernel function the check mirrors */
  kernelFn: string;
  /** what the rule is, in one line */
  what: string;
}

const kernelFnOf = (id: string): string => id.slice(0, id.indexOf(':'));

const helperRuleId = (p: HelperProto): string => `check_helper_call:${p.name}`;
const HELPER_RULE = new Map<number, string>(HELPER_PROTOS.map((p) => [p.id, helperRuleId(p)]));

/** every rule the model has ("rules in the model"): checks, then helpers, then reject reason lines */
export const MODEL_RULES: readonly ModelRule[] = Object.freeze([
  ...CHECK_RULES.map(([id, what]) => ({ id, kernelFn: kernelFnOf(id), what })),
  ...HELPER_PROTOS.map((p) => ({ id: helperRuleId(p), kernelFn: 'check_helper_call', what: `a call of ${p.name} passed its argument checks` })),
  ...REASON_RULES.map(([, id, what]) => ({ id, kernelFn: kernelFnOf(id), what: `reject: ${what}` })),
]);

/** ids of MODEL_RULES */
export const MODEL_RULE_IDS: ReadonlySet<string> = new Set(MODEL_RULES.map((r) => r.id));

/** the rule a reject reason line belongs to; undefined for a line no rule describes (a test keeps this from happening) */
export function reasonRule(message: string): string | undefined {
  for (const [re, id] of REASON_RULES) if (re.test(message)) return id;
  return undefined;
}

/** a call of this helper passed its argument checks */
export function coverHelper(funcId: number): void {
  if (coverageOn()) {
    const id = HELPER_RULE.get(funcId);
    if (id !== undefined) coverId(id);
  }
}

/** the reject reason line `message` was reached */
export function coverReason(message: string): void {
  if (!coverageOn()) return;
  const id = reasonRule(message);
  if (id !== undefined) coverId(id);
}

type PointerKind = 'stack' | 'ctx' | 'map-value' | 'pkt' | 'maybe-null' | 'other';

/** the kind of pointer a register holds, for rules that tell them apart; undefined for a scalar or NOT_INIT */
export function pointerKind(type: string): PointerKind | undefined {
  switch (type) {
    case 'scalar':
    case 'not_init':
      return undefined;
    case 'ptr_to_stack':
      return 'stack';
    case 'ptr_to_ctx':
      return 'ctx';
    case 'map_value':
      return 'map-value';
    case 'pkt':
    case 'pkt_meta':
    case 'pkt_end':
      return 'pkt';
    default:
      return type.endsWith('_or_null') ? 'maybe-null' : 'other';
  }
}

