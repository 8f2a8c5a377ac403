// The guest's ttyS0 console: kept as a bounded text log with absolute offsets, so the text a
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

/** Lines of a report that does not stop the guest (WARN and friends). */
const WARNING = [/WARNING: CPU: /, /-+\[ cut here \]-+/, /Call Trace:/, /INFO: task .* blocked for more than/, /UBSAN: /];

/** True when `text` holds a line that means the kernel oopsed, BUGged, panicked or locked up. */
export function hasFatalLine(text: string): boolean {
  return text.split('\n').some((l) => FATAL.some((p) => p.test(l)));
}

const EXCERPT_MAX = 8 * 1024;

export type ConsoleTrouble = { kind: 'fatal' | 'warning'; excerpt: string };

/**
 * Finds the first fatal report in `text` (or, failing that, the first warning) and returns
 * an excerpt from its start (a `cut here` line just before it is included) to the end.
 */
export function scanConsole(text: string): ConsoleTrouble | undefined {
  const lines = text.replace(/\r/g, '').split('\n');
  const find = (patterns: RegExp[]) => lines.findIndex((l) => patterns.some((p) => p.test(l)));
  let kind: ConsoleTrouble['kind'] = 'fatal';
  let at = find(FATAL);
  const warnAt = find(WARNING);
  if (at < 0) {
    kind = 'warning';
    at = warnAt;
  } else if (warnAt >= 0 && warnAt < at && at - warnAt <= 3) {
    at = warnAt; // start at the "cut here" / header line that opens this same report
  }
  if (at < 0) return undefined;
  let excerpt = lines.slice(at).join('\n').trim();
  if (excerpt.length > EXCERPT_MAX) excerpt = `${excerpt.slice(0, EXCERPT_MAX)}\n[... console excerpt truncated]`;
  return { kind, excerpt };
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
