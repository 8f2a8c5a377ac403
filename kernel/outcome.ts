// Turns the agent's RUN response into an Outcome (core/program/types.ts): the verdict,
// errno, reason line and 7.3 report, retval and JIT facts. Pure, so it is unit-tested.
import { constants } from 'node:os';
import { btfLogReason, parseVerifierLog } from '../core/program/index.ts';
import type { Outcome, Program } from '../core/program/types.ts';
import { RunStage, type RunResponse } from './protocol.ts';
import { normalizeXlated } from './xlated.ts';

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));
// kernel-internal codes that leak to user space from BPF (include/linux/errno.h)
ERRNO_NAMES.set(524, 'ENOTSUPP');

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

export interface OutcomeContext {
  /** the guest's `uname -r` */
  kernel: string;
  /** a WARN-type console excerpt printed while this program ran */
  console?: string;
  /** keep the full verifier log on the outcome */
  keepLog?: boolean;
  /** the program that ran: its map indices replace the map ids in `xlated` */
  program?: Program;
  /** the guest's QEMU CPU model (part of the kernel's identity for the JIT) */
  cpu?: string;
}

export function outcomeFromRun(resp: RunResponse, ctx: OutcomeContext): Outcome {
  const outcome = baseOutcome(resp, ctx.kernel);
  if (ctx.cpu !== undefined) outcome.cpu = ctx.cpu;
  if (resp.xlated !== undefined && resp.xlated.length > 0 && ctx.program && (outcome.verdict === 'accept' || outcome.jit)) {
    outcome.xlated = normalizeXlated(resp.xlated, resp.mapIds ?? [], ctx.program);
  }
  if (ctx.console) outcome.console = ctx.console;
  if (ctx.keepLog) {
    const log = resp.stage === RunStage.BTF_LOAD ? (resp.btfLog ?? '') : resp.log;
    outcome.log = log;
  }
  return outcome;
}

function jitFacts(resp: RunResponse): Outcome['jit'] {
  if (resp.jitedLen === undefined) return undefined;
  const jit: NonNullable<Outcome['jit']> = { len: resp.jitedLen };
  if (resp.jitedFuncLens !== undefined) jit.funcLens = resp.jitedFuncLens;
  if (resp.jitedImage !== undefined && resp.jitedImage.length > 0) jit.image = Buffer.from(resp.jitedImage).toString('hex');
  return jit;
}

function baseOutcome(resp: RunResponse, kernel: string): Outcome {
  switch (resp.stage) {
    case RunStage.DONE: {
      const o: Outcome = { verdict: 'accept', errno: 0, message: '', kernel };
      if (resp.retval !== undefined) o.retval = resp.retval;
      const jit = jitFacts(resp);
      if (jit) o.jit = jit;
      if (resp.verifiedInsns !== undefined) o.verifiedInsns = resp.verifiedInsns;
      if (resp.xlatedLen !== undefined) o.xlatedLen = resp.xlatedLen;
      return o;
    }
    case RunStage.BTF_LOAD: {
      // the kernel rejected the BTF derived from `funcs`: a reject whose reason is the BTF log's
      const reason = btfLogReason(resp.btfLog ?? '');
      return { verdict: 'reject', errno: resp.errno, message: reason || `BTF load failed: ${errnoName(resp.errno)}`, kernel };
    }
    case RunStage.MAP_CREATE:
      return { verdict: 'error', errno: resp.errno, message: `map create failed: ${errnoName(resp.errno)}`, kernel };
    case RunStage.PROG_LOAD: {
      const facts = parseVerifierLog(resp.log);
      const o: Outcome = {
        verdict: 'reject',
        errno: resp.errno,
        // a load refused before the verifier says anything (E2BIG, EPERM, ...) has no reason line
        message: facts.message || `BPF_PROG_LOAD failed with ${errnoName(resp.errno)} and an empty verifier log`,
        kernel,
      };
      if (facts.report !== undefined) o.report = facts.report;
      return o;
    }
    case RunStage.TEST_RUN: {
      // verified and loaded, but BPF_PROG_TEST_RUN refused it: not a verifier verdict
      const errno = resp.testErrno ?? resp.errno;
      const o: Outcome = { verdict: 'error', errno, message: `BPF_PROG_TEST_RUN failed: ${errnoName(errno)}`, kernel };
      const jit = jitFacts(resp);
      if (jit) o.jit = jit;
      if (resp.verifiedInsns !== undefined) o.verifiedInsns = resp.verifiedInsns;
      return o;
    }
  }
}

/**
 * The outcome of a program the guest crashed on (oops/BUG/panic while it ran), with the
 * verifier log up to the crash when the agent's shared log buffer kept it.
 */
export function crashOutcome(kernel: string, console: string, log?: string): Outcome {
  const first = console
    .split('\n')
    .find((l) => /panic|Oops|BUG|fault|lockup|stall/.test(l))
    ?.replace(/^\s*\[\s*\d+\.\d+\]\s*/, '') // the printk timestamp differs on every run
    .trim();
  const o: Outcome = { verdict: 'crash', errno: 0, message: first ?? 'guest crashed', kernel, console };
  if (log) o.log = log;
  return o;
}

/** The outcome of a program the agent did not answer in time. */
export function hangOutcome(kernel: string, timeoutMs: number, console: string): Outcome {
  const o: Outcome = { verdict: 'hang', errno: 0, message: `no answer within ${timeoutMs} ms`, kernel };
  if (console) o.console = console;
  return o;
}

/** The outcome of a program bpfdiff could not get an answer for (harness trouble, not the kernel's verdict). */
export function errorOutcome(kernel: string, message: string): Outcome {
  return { verdict: 'error', errno: 0, message, kernel };
}
