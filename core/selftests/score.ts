// Scoring an imported kernel selftest: does a kernel's Outcome match the test's annotations
// (test_loader.c's rules: the privileged verdict, every __msg in order in the verifier log,
// __retval), and does the model agree with the real kernel (verdict, and the reason line when
// the annotation names messages).
import type { Outcome, Program } from '../program/index.ts';
import type { Expected } from './convert.ts';

/** The annotation a program was imported with, or undefined when it is not an imported selftest. */
export function expectedOf(p: Program): Expected | undefined {
  const e = p.meta?.expected as Expected | undefined;
  if (!e || (e.verdict !== 'accept' && e.verdict !== 'reject') || !Array.isArray(e.msgs)) return undefined;
  return e;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** test_loader's message pattern: literal text with `{{regex}}` parts. */
function msgPattern(msg: string): RegExp {
  let src = '';
  let rest = msg;
  for (;;) {
    const at = rest.indexOf('{{');
    if (at < 0) break;
    const end = rest.indexOf('}}', at + 2);
    if (end < 0) break;
    src += escapeRe(rest.slice(0, at)) + rest.slice(at + 2, end);
    rest = rest.slice(end + 2);
  }
  return new RegExp(src + escapeRe(rest), 'm');
}

/** The first __msg that is not found (in order) in the log, or undefined when all are. */
export function missingMsg(msgs: readonly string[], log: string): string | undefined {
  let from = 0;
  for (const msg of msgs) {
    let re: RegExp;
    try {
      re = msgPattern(msg);
    } catch {
      return msg;
    }
    const m = re.exec(log.slice(from));
    if (!m) return msg;
    from += m.index + m[0].length;
  }
  return undefined;
}

interface AnnotationCheck {
  matches: boolean;
  /** what differs, for the report */
  why?: string;
}

/** Does a kernel's outcome match the annotation? The log is needed for __msg (run with --log). */
export function checkAnnotation(expected: Expected, o: Outcome): AnnotationCheck {
  if (o.verdict !== 'accept' && o.verdict !== 'reject') return { matches: false, why: `kernel ${o.verdict}` };
  if (o.verdict !== expected.verdict) return { matches: false, why: `verdict ${o.verdict}, annotated ${expected.verdict}${o.message ? ` (${o.message})` : ''}` };
  if (expected.msgs.length > 0 && o.log !== undefined) {
    const miss = missingMsg(expected.msgs, o.log);
    if (miss !== undefined) return { matches: false, why: `__msg("${miss}") not in the log` };
  }
  if (expected.verdict === 'accept' && expected.retval !== undefined && o.retval !== expected.retval) {
    return { matches: false, why: `retval ${o.retval}, annotated ${expected.retval}` };
  }
  return { matches: true };
}

interface ModelCheck {
  answered: boolean;
  agrees: boolean;
  why?: string;
}

/** Does the model agree with the real kernel: verdict, and the reason line when the annotation names messages. */
export function checkModel(expected: Expected | undefined, model: Outcome, real: Outcome): ModelCheck {
  if (model.verdict === 'unknown') return { answered: false, agrees: false, why: `unknown: ${model.unknown ?? ''}` };
  if (model.verdict !== real.verdict) return { answered: true, agrees: false, why: `verdict: model ${model.verdict} (${model.message}), kernel ${real.verdict} (${real.message})` };
  if (real.verdict === 'reject' && (expected?.msgs.length ?? 0) > 0 && model.message !== real.message) {
    return { answered: true, agrees: false, why: `reason: model "${model.message}", kernel "${real.message}"` };
  }
  return { answered: true, agrees: true };
}
