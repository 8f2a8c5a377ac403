// Reads the facts bpfdiff compares out of a kernel verifier log: the reason line and, from
// 7.3 on, the category and title of the structured "Verification failed:" report.
// Facts an Outcome takes from BPF_PROG_LOAD's log (kernel/outcome.ts), and the bounded log kept with a finding.

interface VerifierLogFacts {
  /** the classic reason line: last non-empty line before the 7.3 report or before `processed N insns` */
  message: string;
  /** 7.3+: "<category>: <title>" (or just "<category>") of the structured report */
  report?: string;
  /** N of the `processed N insns` stats line, when the log has one */
  processedInsns?: number;
}

const PROCESSED = /^processed (\d+) insns\b/;
const REPORT = /^Verification failed: (.+)$/;

/** States the kernel prints after some reason lines (`infinite loop detected at insn N`, then `cur state: ...`, `old state: ...`) */
const STATE_DUMP = /^(cur|old) state: /;

function lastNonEmpty(lines: readonly string[], before: number): string {
  for (let i = before - 1; i >= 0; i--) {
    if (lines[i].trim() !== '' && !STATE_DUMP.test(lines[i].trim())) return lines[i].trim();
  }
  return '';
}

/**
 * The kernel prints the reason line just before `processed N insns ...` (print_verification_stats);
 * 7.3 inserts its report (bpf_diag_header: a blank line, then `Verification failed: ...`) in
 * between, so the reason is the last non-empty line before that report when there is one.
 * A log without a stats line (truncated, or an error before verification) gives its last line.
 */
export function parseVerifierLog(log: string): VerifierLogFacts {
  const lines = log.split('\n').map((l) => l.replace(/\s+$/, ''));
  let end = lines.length;
  let processedInsns: number | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = PROCESSED.exec(lines[i]);
    if (m) {
      end = i;
      processedInsns = Number(m[1]);
      break;
    }
  }
  for (let i = 1; i < end; i++) {
    const m = REPORT.exec(lines[i]);
    if (m && lines[i - 1].trim() === '') {
      return { message: lastNonEmpty(lines, i - 1), report: m[1].trim(), processedInsns };
    }
  }
  const facts: VerifierLogFacts = { message: lastNonEmpty(lines, end) };
  if (processedInsns !== undefined) facts.processedInsns = processedInsns;
  return facts;
}

/** The reason a BTF load failed: the BTF log's last non-empty line (btf_verifier_log). */
export function btfLogReason(log: string): string {
  return lastNonEmpty(log.split('\n'), log.split('\n').length);
}

/** Bytes of a verifier log kept with a stored example: its start and, mostly, its end. */
const LOG_KEEP_BYTES = 64 * 1024;

const utf8 = new TextEncoder();
const byteLength = (s: string) => utf8.encode(s).length;

/**
 * A verifier log bounded to about `maxBytes`, cut at line boundaries: the first quarter and
 * the last three quarters kept (the reason line is at the end), and one line in between that
 * says what was cut. A log within the bound comes back unchanged.
 */
export function boundVerifierLog(log: string, maxBytes = LOG_KEEP_BYTES): string {
  if (byteLength(log) <= maxBytes) return log;
  const lines = log.split('\n');
  const size = (l: string) => byteLength(l) + 1;
  let head = 0;
  for (let used = 0; head < lines.length && used + size(lines[head]) <= maxBytes / 4; head++) used += size(lines[head]);
  let tail = lines.length;
  for (let used = 0; tail > head && used + size(lines[tail - 1]) <= (maxBytes * 3) / 4; tail--) used += size(lines[tail - 1]);
  const cutBytes = lines.slice(head, tail).reduce((n, l) => n + size(l), 0);
  const note = `[bpfdiff: ${(tail - head).toLocaleString('en-US')} lines (${cutBytes.toLocaleString('en-US')} bytes) cut here; the log had ${lines.length.toLocaleString('en-US')} lines, ${byteLength(log).toLocaleString('en-US')} bytes: kept lines 1-${head} and ${tail + 1}-${lines.length}]`;
  return [...lines.slice(0, head), note, ...lines.slice(tail)].join('\n');
}
