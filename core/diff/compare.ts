// Comparing what the model predicted with what a kernel did, one program at a time, and the
// signature that makes a thousand instances of one bug a single finding.
import type { Outcome } from '../program/index.ts';
import { consoleTitle } from './console-title.ts';
import { codeDifference } from './code.ts';

export const DIVERGENCE_CLASSES = [
  /** the model accepts, the kernel rejects */
  'verdict-model-accept',
  /** the model rejects, the kernel accepts */
  'verdict-model-reject',
  /** both reject, with different reason lines (or errno) */
  'reason',
  /** both accept, with different test-run return values */
  'retval',
  'kernel-crash',
  'kernel-hang',
  /** the kernel printed a WARN/BUG-type console line but carried on */
  'kernel-warning',
  /** the kernel side failed outside the verifier (BTF load, test run) where the model did not */
  'kernel-error',
  /** the model cannot tell (a feature it does not cover) */
  'model-unknown',
  /** two kernels disagree where their profiles predict the same outcome */
  'cross-kernel',
  /** both accept; the rewritten program the verifier hands the JIT differs (outside kernel addresses) */
  'xlated',
  /** both accept with the same rewritten program; the JIT image or a function length differs outside the mask */
  'jit',
  /**
   * the kernel accepted believing something false: a register's concrete value (the model's run,
   * where its retval agrees with the kernel's) lies outside every range its level-2 log gives for
   * that register at that instruction on the path taken (soundness.ts), whatever the retval
   */
  'verifier-unsound',
] as const;

export type DivergenceClass = (typeof DIVERGENCE_CLASSES)[number];

export interface OutcomeDifference {
  class: DivergenceClass;
  /** one line a person reads first: what differs */
  detail: string;
  /** the reason text the signature is built from (before normalisation) */
  reason: string;
}

/** Numbers (decimal and hex) become N, so offsets, ids and counts do not split one finding. */
export function normalizeReason(text: string): string {
  return text
    .replace(/0x[0-9a-fA-F]+/g, 'N')
    .replace(/\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
}

/** first console line that names the trouble (BUG/WARNING/Oops/panic), else the first line */
function consoleHeadline(console: string | undefined): string {
  if (!console) return '';
  const lines = console.split('\n').map((l) => l.replace(/^\[[\s\d.]+\]\s*/, '').trim()).filter(Boolean);
  return lines.find((l) => /\b(BUG|WARNING|Oops|panic|general protection|KASAN|UBSAN|RCU|soft lockup)\b/i.test(l)) ?? lines[0] ?? '';
}

/**
 * The differences between the model's outcome and a kernel's, most important first.
 * An empty list means they agree. A console warning is reported besides any other difference.
 */
export function compareOutcomes(model: Outcome, actual: Outcome): OutcomeDifference[] {
  const out: OutcomeDifference[] = [];
  const main = mainDifference(model, actual);
  if (main) out.push(main);
  if (model.verdict === 'accept' && actual.verdict === 'accept') {
    const code = codeDifference(model, actual);
    if (code) out.push(code);
  }
  if ((actual.verdict === 'accept' || actual.verdict === 'reject') && actual.console) {
    const title = consoleTitle(actual.console)?.title ?? normalizeReason(consoleHeadline(actual.console));
    out.push({ class: 'kernel-warning', detail: `kernel console: ${title}`, reason: title });
  }
  return out;
}

function mainDifference(model: Outcome, actual: Outcome): OutcomeDifference | undefined {
  if (actual.verdict === 'crash') {
    const title = consoleTitle(actual.console)?.title ?? normalizeReason(consoleHeadline(actual.console) || actual.message);
    return { class: 'kernel-crash', detail: `kernel crashed: ${title}`, reason: title };
  }
  if (actual.verdict === 'hang') {
    // a hang that printed nothing is one finding: "no answer", whatever the timeout was
    const title = consoleTitle(actual.console)?.title ?? 'no answer and no console report';
    return { class: 'kernel-hang', detail: `kernel hung: ${actual.message}${actual.console ? ` (${title})` : ''}`, reason: title };
  }
  if (model.verdict === 'unknown') return { class: 'model-unknown', detail: `model does not cover: ${model.unknown ?? ''}`, reason: model.unknown ?? '' };
  if (actual.verdict === 'error' || actual.verdict === 'unknown') {
    if (model.verdict === actual.verdict && model.errno === actual.errno) return undefined;
    return { class: 'kernel-error', detail: `kernel error (errno ${actual.errno}): ${actual.message}`, reason: actual.message };
  }
  if (model.verdict === 'accept' && actual.verdict === 'reject') {
    return { class: 'verdict-model-accept', detail: `model accepts, kernel rejects: ${actual.message}`, reason: actual.message };
  }
  if (model.verdict === 'reject' && actual.verdict === 'accept') {
    return { class: 'verdict-model-reject', detail: `model rejects (${model.message}), kernel accepts`, reason: model.message };
  }
  if (model.verdict === 'error' || model.verdict === 'crash' || model.verdict === 'hang') {
    return { class: 'verdict-model-reject', detail: `model predicts ${model.verdict} (${model.message}), kernel ${actual.verdict}s`, reason: model.message };
  }
  if (model.verdict === 'reject' && actual.verdict === 'reject') {
    if (model.message !== actual.message) {
      return { class: 'reason', detail: `model: ${model.message} | kernel: ${actual.message}`, reason: `${model.message} | ${actual.message}` };
    }
    if (model.errno !== actual.errno && model.errno !== 0 && actual.errno !== 0) {
      return { class: 'reason', detail: `same reason, errno model ${model.errno} kernel ${actual.errno}`, reason: `errno ${model.errno} | ${actual.errno}: ${actual.message}` };
    }
    return undefined;
  }
  if (model.verdict === 'accept' && actual.verdict === 'accept') {
    if (model.unpredictable || model.retval === undefined || actual.retval === undefined) return undefined;
    if (model.retval >>> 0 !== actual.retval >>> 0) {
      return { class: 'retval', detail: `retval model ${model.retval >>> 0} kernel ${actual.retval >>> 0}`, reason: '' };
    }
  }
  return undefined;
}

/** The comparable facts of an outcome: two kernels "agree" when these are equal. */
export function outcomeKey(o: Outcome): string {
  if (o.verdict === 'accept') return o.unpredictable ? 'accept' : `accept retval=${o.retval === undefined ? '?' : o.retval >>> 0}`;
  if (o.verdict === 'reject') return `reject ${o.message}`;
  return o.verdict;
}

/** Classes whose signature is the console report's title: one finding per kernel bug. */
export const CONSOLE_CLASSES: readonly DivergenceClass[] = ['kernel-crash', 'kernel-hang', 'kernel-warning'];

/**
 * Verdict and reason classes: class + normalised reason + the mutation the program carries
 * ('-' for none). Crash, hang and WARN: class + the syzbot-form title (console-title.ts), which
 * holds no address or offset, and no mutation: a kernel bug is one finding however it was reached.
 */
export function divergenceSignature(cls: DivergenceClass, reason: string, mutation: string | undefined): string {
  if (CONSOLE_CLASSES.includes(cls)) return `${cls}|${reason.replace(/\s+/g, ' ').trim()}`;
  // code classes: opcode class + the kernel function that wrote the instruction (+ CPU model);
  // how the generator reached it does not split a codegen bug
  if (cls === 'xlated' || cls === 'jit') return `${cls}|${reason}`;
  // instruction class and operation + register + the bound broken (`alu64 add R3 umax`)
  if (cls === 'verifier-unsound') return `${cls}|${reason}`;
  return `${cls}|${normalizeReason(reason)}|${mutation ?? '-'}`;
}

/** The title a person reads for a finding: the console title for crash/hang/WARN, else undefined. */
export function signatureTitle(signature: string): string | undefined {
  const [cls, title] = signature.split('|');
  return CONSOLE_CLASSES.includes(cls as DivergenceClass) ? title : undefined;
}

/** A short stable id of a signature (FNV-1a, 32 bits), for directory and file names. */
export function signatureId(signature: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < signature.length; i++) {
    h ^= signature.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
