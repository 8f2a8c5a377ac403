// The guest's ttyS0 console (read from the file QEMU writes it to, console-file.ts): kept as a bounded text log with absolute offsets, so the text a
// guest printed while one request ran can be cut out, and scanned for kernel trouble.

/** Lines that mean the kernel is no longer trustworthy: the guest must be replaced. */
const FATAL = [
  /Kernel panic - not syncing/,
  /\bOops\b/,
  /^\s*(\[[ \d.]+\]\s*)?BUG:/,
  /kernel BUG at/,
  /general protection fault/,
  /Unable to handle kernel/,
  /soft lockup - CPU#/,
  /rcu: INFO: .*detected stalls?/,
  /rcu_\w+ detected stalls/,
];

/** Lines that open a report that does not stop the guest (and so end the one before). */
// (7.2's __warn prints "WARNING: FILE:LINE at FUNC, CPU#N: ..."; older kernels "WARNING: CPU: N PID: ...")
const REPORT_START = [/-+\[ cut here \]-+/, /WARNING: CPU: /, /WARNING: (\S+:\d+ )?at \S+, CPU#\d+/, /INFO: task .* blocked for more than/, /UBSAN: /];

/** Lines of a report that does not stop the guest (WARN and friends). */
const WARNING = [...REPORT_START, /Call Trace:/];

/** True when `text` holds a line that means the kernel oopsed, BUGged, panicked or locked up. */
export function hasFatalLine(text: string): boolean {
  return text.split('\n').some((l) => FATAL.some((p) => p.test(l)));
}

const EXCERPT_MAX = 8 * 1024;

export type ConsoleTrouble = { kind: 'fatal' | 'warning'; excerpt: string };

/** Lines that open a report (a panic line alone does not: after an oops it is the report's last). */
const OPENERS = [...FATAL.filter((p) => !/panic/.test(p.source)), ...REPORT_START];
/** Lines that close a report: `---[ end trace ... ]---`, and oops_end's panic (oops=panic). */
const CLOSERS = [/---\[ end trace [0-9a-f]+ \]---/, /Kernel panic - not syncing: Fatal exception/];

/**
 * The text read for one request can begin in the middle of a report another request's crash
 * printed (its Call Trace, registers and panic line, without the BUG/Oops line that opened it):
 * that tail, up to the last line that closes a report before any line that opens one, is not
 * this request's trouble.
 */
function dropOrphanTail(lines: string[]): string[] {
  const opener = lines.findIndex((l) => OPENERS.some((p) => p.test(l)));
  const limit = opener < 0 ? lines.length : opener;
  let end = -1;
  for (let i = 0; i < limit; i++) if (CLOSERS.some((p) => p.test(lines[i]))) end = i;
  if (end < 0) return lines;
  // the panic's own trailer (`Kernel Offset: ...`, `---[ end Kernel panic ...`)
  while (end + 1 < limit && /Kernel Offset:|---\[ end Kernel panic/.test(lines[end + 1])) end++;
  return lines.slice(end + 1);
}

/** `Comm: bd-<id>`: the agent names itself after the request it runs (PROTOCOL.md). */
const AGENT_COMM = /\bComm: bd-(\d+)/;

/**
 * Finds the first fatal report in `text` (or, failing that, the first warning) and returns
 * an excerpt from its start (a `cut here` line just before it is included) to the end.
 * With `owner` (a request id), a report (fatal or warning) that names another request's task
 * (`Comm: bd-<other id>`) is passed over: it was printed while that request ran.
 */
export function scanConsole(text: string, owner?: number): ConsoleTrouble | undefined {
  const lines = dropOrphanTail(text.replace(/\r/g, '').split('\n'));
  const find = (patterns: RegExp[], from = 0) => {
    for (let i = from; i < lines.length; i++) if (patterns.some((p) => p.test(lines[i]))) return i;
    return -1;
  };
  const excerptFrom = (at: number) => {
    let excerpt = lines.slice(at).join('\n').trim();
    if (excerpt.length > EXCERPT_MAX) excerpt = `${excerpt.slice(0, EXCERPT_MAX)}\n[... console excerpt truncated]`;
    return excerpt;
  };
  let at = find(FATAL);
  let warnAt = find(WARNING);
  // A fatal report under another request's task is that request's crash, read in with this
  // request's answer (the console is read when an answer arrives): not this request's trouble,
  // and neither is its Call Trace, which the search for warnings would otherwise find.
  const fatalComm = at >= 0 && owner !== undefined ? AGENT_COMM.exec(lines.slice(at, at + 40).join('\n')) : null;
  if (fatalComm && Number(fatalComm[1]) !== owner) {
    const close = lines.findIndex((l, i) => i > at && CLOSERS.some((p) => p.test(l)));
    warnAt = close < 0 ? -1 : find(WARNING, close + 1);
    at = -1;
  }
  if (at >= 0) {
    if (warnAt >= 0 && warnAt < at && at - warnAt <= 3) at = warnAt; // the "cut here" / header line that opens this same report
    return { kind: 'fatal', excerpt: excerptFrom(at) };
  }
  // Warnings: a report runs to the next `cut here`/WARNING line that opens another one.
  for (let start = warnAt; start >= 0; ) {
    let next = find(REPORT_START, start + 1);
    while (next >= 0 && next - start <= 1) next = find(REPORT_START, next + 1); // "cut here" then "WARNING:"
    const end = next < 0 ? lines.length : next;
    const comm = owner === undefined ? null : AGENT_COMM.exec(lines.slice(start, end).join('\n'));
    if (!comm || Number(comm[1]) === owner) return { kind: 'warning', excerpt: excerptFrom(start) };
    start = next < 0 ? -1 : find(WARNING, next);
  }
  return undefined;
}

/**
 * A fatal report cut off before the line that names its task (`CPU: N ... Comm: X`, printed
 * right after the BUG/Oops line): read in with a request the agent answered, it is the start of
 * an oops another request is printing (the answered one's task lived on). Its owner's crash
 * brings the whole report; campaign g6 saw the head charged to a finished request as a
 * kernel-warning and the crash, cut short by the restart that followed, without its function.
 */
export function isReportHead(trouble: ConsoleTrouble): boolean {
  return trouble.kind === 'fatal' && !/\bComm: /.test(trouble.excerpt);
}

/** Append-only console text with absolute offsets; keeps the last `keep` characters. */
export class ConsoleLog {
  private text = '';
  private base = 0;

  constructor(private readonly keep = 1024 * 1024) {}

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.keep * 2) {
      const drop = this.text.length - this.keep;
      this.text = this.text.slice(drop);
      this.base += drop;
    }
  }

  /** Absolute offset of the end of the text so far. */
  get end(): number {
    return this.base + this.text.length;
  }

  /** Text printed since absolute offset `from` (what is still kept of it). */
  since(from: number): string {
    return this.text.slice(Math.max(0, from - this.base));
  }

  /** The last `n` characters, for error messages about a guest that failed to boot. */
  tail(n = 2000): string {
    return this.text.slice(-n);
  }
}
