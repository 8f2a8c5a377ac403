// One title per kernel bug from its console report, in syzbot's form ("BUG: kernel NULL pointer
// dereference in check_load_mem", "WARNING in check_stack_arg_write", "INFO: task hung in
// bpf_check"): the kind of report plus the function that faulted, never an address, offset or
// PID, so the variants of one bug (fault address 0 and 0x1b8) are one finding.
// The report lines mirror the kernel's printers: page_fault_oops/show_fault_oops
// (arch/x86/mm/fault.c), __warn (kernel/panic.c, 7.2's "WARNING: FILE:LINE at FUNC, CPU#N"),
// die() ("Oops:", "general protection fault"), do_trap's BUG(), watchdog_timer_fn (soft lockup),
// check_hung_task, rcu_check_gp_kthread_starvation / print_cpu_stall, ubsan_prologue, kasan.

interface ConsoleTitle {
  /** syzbot-form title: `<kind> in <function>` (or the kind alone when no function is found) */
  title: string;
  /** the report kind, e.g. `BUG: kernel NULL pointer dereference`, `WARNING`, `INFO: task hung` */
  kind: string;
  /** the faulting function (RIP or first non-generic call-trace frame) */
  func?: string;
}

/** Frames that belong to the reporting machinery, not to the code with the bug. */
const GENERIC_FRAME = [
  /^(dump_stack|dump_stack_lvl|show_stack|show_regs|show_trace_log_lvl|__show_regs|print_report|printk|_printk|vprintk\w*)$/,
  /^(__warn|warn_slowpath_fmt|__warn_printk|report_bug|handle_bug|do_error_trap|do_trap|exc_\w+|asm_exc_\w+|asm_sysvec_\w+|sysvec_\w+|irq_exit_rcu|__irq_exit_rcu)$/,
  /^(panic|oops_end|die|__die|die_body|page_fault_oops|kernelmode_fixup_or_oops|__bad_area_nosemaphore|bad_area_nosemaphore|do_user_addr_fault|handle_page_fault|no_context|spurious_kernel_fault)$/,
  /^(kasan_\w+|__kasan_\w+|check_region_inline|__asan_\w+|ubsan_\w+|__ubsan_\w+|kmsan_\w+)$/,
  /^(watchdog_timer_fn|__hrtimer_run_queues|hrtimer_interrupt|__sysvec_apic_timer_interrupt|rcu_sched_clock_irq|update_process_times|tick_\w+|rcu_dump_cpu_stacks|print_cpu_stall\w*|check_cpu_stall|rcu_pending|nmi_\w+|arch_trigger_cpumask_backtrace|watchdog\w*|hung_task\w*|check_hung_\w+|kthread|ret_from_fork\w*)$/,
  /^(_raw_spin_\w+|raw_spin_\w+|__schedule|schedule\w*|preempt_schedule\w*|__cond_resched|_cond_resched|queued_spin_lock_slowpath|native_queued_spin_lock_slowpath|mutex_lock\w*|__mutex_lock\w*)$/,
  /^(entry_SYSCALL_64\w*|do_syscall_64|__x64_sys_\w+|__sys_\w+|x64_sys_call|srso_\w+|__pfx_\w+|__x86_return_thunk|__x86_indirect_thunk_\w+)$/,
];

function isGenericFrame(name: string): boolean {
  return GENERIC_FRAME.some((p) => p.test(name));
}

const TIMESTAMP = /^\s*\[[\s\d.]+\]\s?/;
/** `func+0x222/0x480` (optionally ` [module]`): the symbol the kernel prints with %pS */
const SYMBOL = /([A-Za-z_][\w.]*)\+0x[0-9a-f]+\/0x[0-9a-f]+/;

function cleanLines(console: string): string[] {
  return console.replace(/\r/g, '').split('\n').map((l) => l.replace(TIMESTAMP, '').trimEnd());
}

/**
 * The function of the kernel-mode `RIP: 0010:func+0x../0x..` lines (0033 is user mode). An oops
 * prints its RIP line twice (the register dump and the panic's dump again), and a serial console
 * under TCG can drop characters of either (`coad_mem` for `check_load_mem`, seen once in 17 crashes
 * on a quiet machine): the name printed most often wins, and of equally frequent names the longest,
 * since dropped characters only ever shorten one.
 */
function ripFunction(lines: readonly string[]): string | undefined {
  const seen = new Map<string, number>();
  for (const l of lines) {
    const m = /^\s*RIP: 0010:(.*)$/.exec(l);
    if (!m) continue;
    const s = SYMBOL.exec(m[1]);
    if (s && !isGenericFrame(s[1])) seen.set(s[1], (seen.get(s[1]) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [name, n] of seen) {
    const bestN = best === undefined ? 0 : seen.get(best)!;
    if (n > bestN || (n === bestN && name.length > best!.length)) best = name;
  }
  return best;
}

/** The first frame of the first `Call Trace:` that is neither unreliable (`? f`) nor generic. */
function traceFunction(lines: readonly string[]): string | undefined {
  const start = lines.findIndex((l) => /Call Trace:/.test(l));
  if (start < 0) return undefined;
  for (const l of lines.slice(start + 1)) {
    const t = l.trim();
    if (/^<\/?\w+>$/.test(t)) continue; // <TASK>, <IRQ>, </IRQ>
    if (!SYMBOL.test(t) || /^RIP:|^Code:|^R[A-Z0-9]{2}:|^Modules linked|end trace/.test(t)) {
      if (/^RIP:|Modules linked in|end trace/.test(t)) break;
      continue;
    }
    if (t.startsWith('?')) continue;
    const s = SYMBOL.exec(t);
    if (s && !isGenericFrame(s[1])) return s[1];
  }
  return undefined;
}

interface ReportKind {
  pattern: RegExp;
  /** the title's kind from the matching line */
  kind: (m: RegExpExecArray) => string;
  /** the function named on the report line itself (WARNING ... at FUNC, KASAN ... in FUNC) */
  lineFunc?: (m: RegExpExecArray) => string | undefined;
}

// Most specific first: a KASAN report starts with "BUG: KASAN:", a WARN has "cut here" first.
const KINDS: ReportKind[] = [
  { pattern: /BUG: KASAN: ([\w-]+) in ([A-Za-z_][\w.]*)/, kind: (m) => `KASAN: ${m[1]}`, lineFunc: (m) => m[2] },
  { pattern: /BUG: kernel NULL pointer dereference/, kind: () => 'BUG: kernel NULL pointer dereference' },
  { pattern: /BUG: unable to handle page fault/, kind: () => 'BUG: unable to handle page fault' },
  { pattern: /BUG: unable to handle kernel/, kind: () => 'BUG: unable to handle kernel paging request' },
  { pattern: /BUG: soft lockup/, kind: () => 'BUG: soft lockup' },
  { pattern: /BUG: scheduling while atomic/, kind: () => 'BUG: scheduling while atomic' },
  { pattern: /BUG: sleeping function called from invalid context/, kind: () => 'BUG: sleeping function called from invalid context' },
  { pattern: /kernel BUG at ([^\s!]+)/, kind: () => 'kernel BUG' },
  { pattern: /general protection fault/, kind: () => 'general protection fault' },
  { pattern: /UBSAN: ([\w-]+)/, kind: (m) => `UBSAN: ${m[1]}` },
  { pattern: /INFO: task .* blocked for more than/, kind: () => 'INFO: task hung' },
  { pattern: /rcu: INFO: .*detected stalls?|rcu_\w+ detected stalls/, kind: () => 'INFO: rcu detected stall' },
  {
    // 7.2: "WARNING: kernel/bpf/verifier.c:123 at check_x+0x1/0x2, CPU#0: bd-1/97";
    // before: "WARNING: CPU: 0 PID: 97 at kernel/bpf/verifier.c:123 check_x+0x1/0x2"
    pattern: /WARNING: (?:\S+:\d+ at |at |CPU: \d+ PID: \d+ at \S+ )([A-Za-z_][\w.]*)\+0x/,
    kind: () => 'WARNING',
    lineFunc: (m) => m[1],
  },
  { pattern: /WARNING:/, kind: () => 'WARNING' },
  { pattern: /BUG: ([A-Za-z][\w ,-]*?)(?:[:,(]|$)/, kind: (m) => `BUG: ${m[1].trim()}` },
  { pattern: /\bOops\b/, kind: () => 'Oops' },
  { pattern: /Kernel panic - not syncing: ([^\n]*)/, kind: (m) => `kernel panic: ${m[1].replace(/0x[0-9a-f]+|\d+/gi, 'N').trim()}` },
];

/**
 * The syzbot-form title of the first report in a console excerpt, or undefined when it holds
 * none. The function is the one the report line names (WARN, KASAN), else the kernel-mode
 * RIP, else the first non-generic frame of the call trace.
 */
export function consoleTitle(console: string | undefined): ConsoleTitle | undefined {
  if (!console) return undefined;
  const lines = cleanLines(console);
  for (let i = 0; i < lines.length; i++) {
    for (const k of KINDS) {
      const m = k.pattern.exec(lines[i]);
      if (!m) continue;
      const rest = lines.slice(i);
      const named = k.lineFunc?.(m);
      const found = named && !isGenericFrame(named) ? named : (ripFunction(rest) ?? traceFunction(rest));
      // a JITed program's symbol carries its tag and name (bpf_prog_<tag>_<name>): one finding whatever program faulted
      const func = found?.replace(/^bpf_prog_[0-9a-f]{16}(_\w*)?$/, 'bpf_prog');
      const kind = k.kind(m);
      return func ? { title: `${kind} in ${func}`, kind, func } : { title: kind, kind };
    }
  }
  return undefined;
}
