// A pool of guests of one kernel with a shared work queue. Each guest has several requests in
// flight (the agent answers in order), which hides the host<->guest round trip. A crash or
// hang is charged to the program the agent was working on; the requests queued behind it on
// that guest go back to the front of the queue; the guest is replaced and the batch goes on.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Outcome, Program } from '../core/program/types.ts';
import { chooseAccel, type AccelChoice } from './accel.ts';
import type { KernelImage } from './catalog.ts';
import { isReportHead, scanConsole } from './console.ts';
import { crashOutcome, errorOutcome, hangOutcome, outcomeFromRun } from './outcome.ts';
import {
  MsgType,
  Tag,
  TriggerKind,
  decodeLoopResponse,
  decodeRunResponse,
  readI32,
  runFields,
  stringField,
  u32Field,
  type Field,
} from './protocol.ts';
import { runRequestFor, type RunSettings } from './run-request.ts';
import { PoolSnapshots } from './pool-snapshots.ts';
import { Vm, VmBootError, type Accel, type VmConfig } from './vm.ts';

export interface PoolOptions extends RunSettings {
  kernel: KernelImage;
  /** guests; default: the number of cores */
  size?: number;
  memMiB?: number;
  cpus?: number;
  cpuModel?: string;
  /** extra kernel command line */
  append?: string;
  accel?: AccelChoice;
  bootTimeoutMs?: number;
  /** per-request timeout (from when the agent starts on it) */
  timeoutMs?: number;
  /** a request that times out is tried once more on a fresh guest with this longer timeout
   *  before its outcome is `hang`, so a verification that is merely slow under TCG (a large
   *  call graph can take 10-60 s) is not reported as a hung kernel; default 6 x timeoutMs,
   *  and a value <= timeoutMs turns the second try off */
  slowTimeoutMs?: number;
  /** requests in flight per guest */
  pipeline?: number;
  /** a guest gets new requests when it has at most this many in flight (default pipeline/2) */
  refillAt?: number;
  /** keep the full verifier log on each outcome */
  keepLog?: boolean;
  /** sysctls set on every guest after boot, e.g. {'net/core/bpf_jit_harden': '0'} */
  sysctls?: Record<string, string>;
  /** how often a request whose guest died from outside is retried */
  maxAttempts?: number;
  /** consecutive failed boots of one guest slot before the pool gives up */
  maxBootFailures?: number;
  qemuBinary?: string;
  /** bring crashed, hung and tainted guests back from a snapshot of a booted guest instead of
   *  booting them (kernel/snapshot.ts); default true */
  snapshots?: boolean;
  /** where snapshots are kept (default: BPFDIFF_SNAPSHOT_DIR, else ~/.cache/bpfdiff/snapshots) */
  snapshotDir?: string;
  /** restore every guest that has run something before each batch, so no state crosses batches */
  freshGuestPerBatch?: boolean;
  /** a restore that takes longer is given up (and the guest booted); default min(bootTimeoutMs, 30 s) */
  restoreTimeoutMs?: number;
  /** where the pool says what went wrong with snapshots (once each); default stderr */
  log?: (line: string) => void;
}

/** A unit of work: a program, or (tests only) a request that crashes or hangs the guest. */
export type PoolJob = { program: Program } | { trigger: 'crash' | 'hang' };

/** Callbacks while a batch runs: outcomes arrive in completion order, tagged with their input index. */
export interface RunProgress {
  onOutcome?: (index: number, outcome: Outcome) => void;
  onProgress?: (done: number, total: number) => void;
  /** `background` requests (a reducer's candidate checks) go to a guest only when no
   *  `normal` request (a campaign batch) is waiting; `interactive` ones (a user's check) go
   *  before both, to the first guest with room in its pipeline; default `normal` */
  priority?: 'interactive' | 'normal' | 'background';
  /** request settings for this run only (e.g. verifier log level 2 for a reduced program) */
  settings?: RunSettings;
  /** keep the verifier log on these outcomes, whatever the pool's keepLog */
  keepLog?: boolean;
}

export interface PoolMetrics {
  guests: number;
  accel: Accel | undefined;
  /** guests started by booting the kernel (cold boots) */
  boots: number;
  /** guests started from the snapshot */
  restores: number;
  /** restores that failed and were followed by a cold boot */
  restoreFailures: number;
  /** snapshots this pool saved */
  snapshotsTaken: number;
  /** guests replaced because the kernel printed a WARN (tainted) */
  tainted: number;
  restarts: number;
  programsRun: number;
  crashes: number;
  hangs: number;
  /** requests sent again because their guest went away for another reason */
  retried: number;
  /** requests that timed out and were tried again with the slow timeout */
  slowRetries: number;
  /** of those, the ones that answered on the second try (slow, not hung) */
  slowAnswered: number;
  /** QEMU start to HELLO of each cold boot */
  bootMs: number[];
  /** QEMU start to HELLO of each restore */
  restoreMs: number[];
}

export interface GuestInfo {
  slot: number;
  name: string;
  pid: number | undefined;
  uname: string;
  bootMs: number;
  restored: boolean;
  socketPath: string;
}

export class PoolBrokenError extends Error {
  override name = 'PoolBrokenError';
}

interface Task {
  job: PoolJob;
  keepLog?: boolean;
  background: boolean;
  interactive?: boolean;
  /** on its second try, with the slow timeout */
  slow?: boolean;
  fields: Field[];
  attempts: number;
  resolve: (o: Outcome) => void;
}

interface Slot {
  index: number;
  generation: number;
  vm?: Vm;
  restarting?: Promise<void>;
  bootFailures: number;
  broken?: Error;
  /** the guest has been sent work since it started */
  used?: boolean;
}

/** QEMU's default x86-64 CPU model under TCG (no BMI2); named on the command line so the identity is exact */
export const DEFAULT_CPU_MODEL = 'qemu64';

/** how long after an interactive request the pool keeps guests' lines short for the next one */
const INTERACTIVE_HOLD_MS = 30_000;

const TRIGGER_KINDS = { crash: TriggerKind.CRASH, hang: TriggerKind.HANG } as const;

export class VmPool {
  readonly runDir: string;
  private slots: Slot[] = [];
  private queue: Task[] = [];
  private backgroundQueue: Task[] = [];
  private interactiveQueue: Task[] = [];
  /** until then (ms since epoch), a user is checking programs: other work goes to a guest one
   *  request at a time, so the next check waits for at most the program the guest is running */
  private interactiveUntil = 0;
  private closing = false;
  private accel: Accel | undefined;
  private brokenWaiters: Array<(e: Error) => void> = [];
  private readonly m: PoolMetrics;
  private readonly snapshots: PoolSnapshots;
  private readonly opts: Required<
    Pick<PoolOptions, 'size' | 'memMiB' | 'cpus' | 'bootTimeoutMs' | 'timeoutMs' | 'pipeline' | 'maxAttempts' | 'maxBootFailures'>
  > &
    PoolOptions;

  private constructor(opts: PoolOptions) {
    this.opts = {
      size: availableParallelism(),
      memMiB: 512,
      cpus: 1,
      bootTimeoutMs: 120_000,
      timeoutMs: 10_000,
      pipeline: 4,
      maxAttempts: 3,
      maxBootFailures: 3,
      ...opts,
    };
    this.runDir = mkdtempSync(join(tmpdir(), 'bpfdiff-pool-'));
    this.m = {
      guests: this.opts.size, accel: undefined, boots: 0, restores: 0, restoreFailures: 0, snapshotsTaken: 0, tainted: 0,
      restarts: 0, programsRun: 0, crashes: 0, hangs: 0, retried: 0, slowRetries: 0, slowAnswered: 0, bootMs: [], restoreMs: [],
    };
    this.snapshots = new PoolSnapshots(this.opts.snapshotDir, this.opts.log);
  }

  /** Boots `size` guests of `kernel` (in parallel) and returns once all said HELLO. */
  static async create(opts: PoolOptions): Promise<VmPool> {
    const pool = new VmPool(opts);
    try {
      pool.accel = await chooseAccel(opts.accel ?? 'auto', opts.kernel, { runDir: pool.runDir, qemuBinary: opts.qemuBinary });
      pool.m.accel = pool.accel;
      if (opts.snapshots !== false) pool.snapshots.prepare(pool.vmConfig({ index: 0, generation: 0, bootFailures: 0 }));
      pool.slots = Array.from({ length: pool.opts.size }, (_, index) => ({ index, generation: 0, bootFailures: 0 }));
      await Promise.all(pool.slots.map((s) => pool.bootSlot(s, true)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get kernel(): KernelImage {
    return this.opts.kernel;
  }

  /** the guests' QEMU CPU model: part of the kernel's identity, since the JIT's output depends on it */
  get cpuModel(): string {
    return this.opts.kernel.cpu ?? this.opts.cpuModel ?? DEFAULT_CPU_MODEL;
  }

  metrics(): PoolMetrics {
    return { ...this.m, bootMs: [...this.m.bootMs], restoreMs: [...this.m.restoreMs] };
  }

  /** The live guests (tests use the pids to kill one from outside). */
  guests(): GuestInfo[] {
    return this.slots.flatMap((s) =>
      s.vm && s.vm.alive
        ? [{ slot: s.index, name: s.vm.config.name, pid: s.vm.pid, uname: s.vm.uname, bootMs: s.vm.bootMs, restored: s.vm.restored, socketPath: s.vm.socketPath }]
        : [],
    );
  }

  /** `uname -r` of the pool's kernel (from the first guest that booted). */
  get uname(): string {
    return this.slots.find((s) => s.vm?.uname)?.vm?.uname ?? this.opts.kernel.version ?? this.opts.kernel.id;
  }

  /** Runs programs; outcomes come back in input order. */
  run(programs: readonly Program[], progress?: RunProgress): Promise<Outcome[]> {
    return this.runJobs(programs.map((program) => ({ program })), progress);
  }

  async runJobs(jobs: readonly PoolJob[], progress: RunProgress = {}): Promise<Outcome[]> {
    if (this.closing) throw new PoolBrokenError('the pool is closed');
    const broken = this.slots.length > 0 && this.slots.every((s) => s.broken);
    if (broken) throw this.slots[0].broken!;
    if (this.opts.freshGuestPerBatch) {
      await this.refreshGuests();
      if (this.slots.every((s) => s.broken)) throw new PoolBrokenError(`every guest of kernel ${this.opts.kernel.id} failed to start: ${this.slots[0].broken?.message}`);
    }
    let done = 0;
    const outcomes = jobs.map(
      (job, index) =>
        new Promise<Outcome>((resolve) => {
          const task: Task = {
            job,
            background: progress.priority === 'background',
            interactive: progress.priority === 'interactive',
            fields: this.fieldsFor(job, progress.settings),
            keepLog: progress.keepLog ?? this.opts.keepLog,
            attempts: 0,
            resolve: (o) => {
              done++;
              progress.onOutcome?.(index, o);
              progress.onProgress?.(done, jobs.length);
              resolve(o);
            },
          };
          this.queueOf(task).push(task);
        }),
    );
    if (progress.priority === 'interactive') this.interactiveUntil = Date.now() + INTERACTIVE_HOLD_MS;
    const whenBroken = new Promise<never>((_, reject) => this.brokenWaiters.push(reject));
    this.pump();
    try {
      return await Promise.race([Promise.all(outcomes), whenBroken]);
    } finally {
      this.brokenWaiters = [];
    }
  }

  /**
   * The raw ceiling: the agent runs `program` `count` times back to back inside one guest
   * (LOOP) on the first live guest (or guest number `guest`) and reports the wall time the agent measured.
   */
  async loop(program: Program, count: number, settings: RunSettings = {}, guest?: number): Promise<{ elapsedNs: bigint; retval?: number; errno: number }> {
    const slot = guest === undefined ? this.slots.find((s) => s.vm?.alive) : this.slots[guest];
    if (!slot?.vm?.alive) throw new PoolBrokenError(guest === undefined ? 'no live guest for LOOP' : `guest ${guest} is not live for LOOP`);
    const fields = [...runFields(runRequestFor(program, { ...this.settings(), ...settings })), u32Field(Tag.COUNT, count)];
    const reply = await slot.vm.request(MsgType.LOOP, fields, Math.max(this.opts.timeoutMs, count * 50));
    if (reply.status !== 'done') throw new PoolBrokenError(`LOOP on ${slot.vm.config.name}: ${reply.status}`);
    return decodeLoopResponse(reply.frame);
  }

  /** Stops every guest and removes the socket directory. Safe to call twice. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.restarting?.catch(() => undefined)));
    await Promise.all(this.slots.map((s) => s.vm?.close()));
    for (const t of [...this.interactiveQueue.splice(0), ...this.queue.splice(0), ...this.backgroundQueue.splice(0)]) t.resolve(errorOutcome(this.uname, 'pool closed before the program ran'));
    rmSync(this.runDir, { recursive: true, force: true });
  }

  /** where a task waits for a guest: background tasks behind every normal one */
  private queueOf(task: Task): Task[] {
    return task.interactive ? this.interactiveQueue : task.background ? this.backgroundQueue : this.queue;
  }

  private get slowTimeoutMs(): number {
    return this.opts.slowTimeoutMs ?? this.opts.timeoutMs * 6;
  }

  private get refillAt(): number {
    return Math.min(this.opts.pipeline - 1, this.opts.refillAt ?? Math.floor(this.opts.pipeline / 2));
  }

  private settings(): RunSettings {
    const { logLevel, logSize, wantJitImage, repeat } = this.opts;
    return { logLevel, logSize, wantJitImage, repeat };
  }

  private fieldsFor(job: PoolJob, settings: RunSettings = {}): Field[] {
    if ('trigger' in job) return [u32Field(Tag.KIND, TRIGGER_KINDS[job.trigger])];
    return runFields(runRequestFor(job.program, { ...this.settings(), ...settings }));
  }

  private vmConfig(slot: Slot): VmConfig {
    return {
      kernel: this.opts.kernel,
      accel: this.accel ?? 'tcg',
      memMiB: this.opts.memMiB,
      cpus: this.opts.cpus,
      cpuModel: this.cpuModel,
      append: this.opts.append,
      bootTimeoutMs: this.opts.bootTimeoutMs,
      runDir: this.runDir,
      name: `vm${slot.index}-${slot.generation}`,
      qemuBinary: this.opts.qemuBinary,
    };
  }

  private async bootSlot(slot: Slot, first: boolean): Promise<void> {
    for (;;) {
      if (this.closing) return;
      slot.generation++;
      try {
        const vm = await this.startGuest(slot);
        if (this.closing) {
          await vm.close();
          return;
        }
        for (const [name, value] of Object.entries(this.opts.sysctls ?? {})) {
          const reply = await vm.request(MsgType.SYSCTL, [stringField(Tag.NAME, name), stringField(Tag.VALUE, value)], this.opts.timeoutMs);
          const errno = reply.status === 'done' ? readI32(reply.frame, Tag.ERRNO) : undefined;
          if (errno !== 0) throw new VmBootError(`sysctl ${name}=${value} failed on ${vm.uname}: ${reply.status === 'done' ? `errno ${errno}` : reply.status}`);
        }
        if (vm.restored) {
          this.m.restores++;
          this.m.restoreMs.push(vm.bootMs);
        } else {
          this.m.boots++;
          this.m.bootMs.push(vm.bootMs);
        }
        slot.vm = vm;
        slot.used = false;
        slot.bootFailures = 0;
        vm.on('exit', () => this.onGuestExit(slot, vm));
        return;
      } catch (err) {
        slot.bootFailures++;
        if (first || slot.bootFailures >= this.opts.maxBootFailures) {
          slot.broken = err as Error;
          if (!first) this.checkBroken();
          throw err;
        }
      }
    }
  }

  /**
   * Starts a guest for `slot`: from the snapshot when there is one (a failed restore is said
   * once and followed by a cold boot), else by booting, and the first cold boot of a pool
   * without a snapshot saves one on the way.
   */
  private async startGuest(slot: Slot): Promise<Vm> {
    const restoreFrom = this.snapshots.restorePath();
    if (restoreFrom) {
      try {
        const timeout = this.opts.restoreTimeoutMs ?? Math.min(this.opts.bootTimeoutMs, 30_000);
        return await Vm.boot({ ...this.vmConfig(slot), restoreFrom, bootTimeoutMs: timeout });
      } catch (err) {
        if (this.closing) throw err;
        this.m.restoreFailures++;
        this.snapshots.restoreFailed(err as Error);
        slot.generation++;
      }
    }
    const saveTo = this.snapshots.claimSave();
    let vm: Vm;
    try {
      vm = await Vm.boot({ ...this.vmConfig(slot), saveTo });
    } catch (err) {
      if (saveTo) this.snapshots.saveFailed(saveTo, (err as Error).message);
      throw err;
    }
    if (saveTo) {
      if (vm.saved && 'ms' in vm.saved) {
        this.snapshots.saved(saveTo);
        this.m.snapshotsTaken++;
      } else {
        this.snapshots.saveFailed(saveTo, vm.saved && 'error' in vm.saved ? vm.saved.error : 'not saved');
      }
    }
    return vm;
  }

  /** --fresh-guest-per-batch: every guest that ran something is replaced (restored) first. */
  private async refreshGuests(): Promise<void> {
    for (const slot of this.slots) if (slot.vm && slot.used) this.restart(slot, slot.vm);
    await Promise.all(this.slots.map((s) => s.restarting));
  }

  /** A guest's QEMU ended: if nobody asked for it, replace the guest. */
  private onGuestExit(slot: Slot, vm: Vm): void {
    this.restart(slot, vm);
  }

  /** Replaces `vm` in its slot; a no-op when it was already replaced. */
  private restart(slot: Slot, vm: Vm): void {
    if (this.closing || slot.vm !== vm || slot.restarting || slot.broken) return;
    const old = slot.vm;
    slot.vm = undefined;
    this.m.restarts++;
    slot.restarting = (async () => {
      await old?.kill('close');
      try {
        await this.bootSlot(slot, false);
      } catch {
        // recorded in slot.broken
      } finally {
        slot.restarting = undefined;
      }
      this.pump();
    })();
  }

  private checkBroken(): void {
    if (!this.slots.every((s) => s.broken)) return;
    const err = new PoolBrokenError(`every guest of kernel ${this.opts.kernel.id} failed to boot: ${this.slots[0].broken?.message}`);
    for (const reject of this.brokenWaiters.splice(0)) reject(err);
  }

  /** Hands queued tasks to every guest that has room in its pipeline. */
  private pump(): void {
    if (this.closing) return;
    for (const slot of this.slots) {
      const vm = slot.vm;
      if (!vm || slot.restarting) continue;
      // top a guest up only once its line is down to the low-water mark, then by several
      // requests at once: they travel in one write and the guest takes them in one go
      // (an interactive request does not wait for the low-water mark)
      if (vm.inFlight > this.refillAt && this.interactiveQueue.length === 0) continue;
      // while a user is checking programs, other work is sent one request at a time
      const depth = Date.now() < this.interactiveUntil ? 1 : this.opts.pipeline;
      while (vm.alive && vm.inFlight < this.opts.pipeline) {
        const task = this.interactiveQueue.shift() ?? (vm.inFlight < depth ? (this.queue.shift() ?? this.backgroundQueue.shift()) : undefined);
        if (!task) break;
        void this.dispatch(slot, vm, task);
      }
    }
  }

  private async dispatch(slot: Slot, vm: Vm, task: Task): Promise<void> {
    const type = 'trigger' in task.job ? MsgType.TRIGGER : MsgType.RUN;
    const timeoutMs = task.slow ? this.slowTimeoutMs : this.opts.timeoutMs;
    slot.used = true;
    const reply = await vm.request(type, task.fields, timeoutMs);
    switch (reply.status) {
      case 'done': {
        this.m.programsRun++;
        if (task.slow) this.m.slowAnswered++;
        let warning = scanConsole(reply.console, reply.frame.id);
        // the head of an oops while the guest runs another request: that one is crashing
        if (warning && isReportHead(warning) && vm.inFlight > 0) warning = undefined;
        try {
          const response = decodeRunResponse(reply.frame);
          const program = 'program' in task.job ? task.job.program : undefined;
          task.resolve(outcomeFromRun(response, { kernel: vm.uname, console: warning?.excerpt, keepLog: task.keepLog, program, cpu: this.cpuModel }));
        } catch (err) {
          task.resolve(errorOutcome(vm.uname, `bad answer from the agent: ${(err as Error).message}`));
        }
        if (warning) {
          // the kernel is tainted: the next programs get a guest that is not (the requests
          // behind this one on it go round again, uncharged)
          this.m.tainted++;
          this.restart(slot, vm);
        }
        break;
      }
      case 'crash':
        this.m.programsRun++;
        this.m.crashes++;
        task.resolve(crashOutcome(vm.uname, reply.console, vm.logAtCrash()));
        this.restart(slot, vm);
        break;
      case 'hang':
        if (!task.slow && this.slowTimeoutMs > this.opts.timeoutMs && !this.closing) {
          // slow or hung? one more try on a fresh guest with the long timeout tells them apart
          this.m.slowRetries++;
          task.slow = true;
          this.queueOf(task).unshift(task);
          this.restart(slot, vm);
          break;
        }
        this.m.programsRun++;
        this.m.hangs++;
        task.resolve(hangOutcome(vm.uname, timeoutMs, reply.console));
        this.restart(slot, vm);
        break;
      case 'lost':
        if (this.closing) {
          task.resolve(errorOutcome(vm.uname, 'pool closed before the program ran'));
          break;
        }
        // only a request the guest was working on when it vanished counts as an attempt
        if (reply.started) task.attempts++;
        if (task.attempts >= this.opts.maxAttempts) {
          task.resolve(errorOutcome(vm.uname, `no answer after ${task.attempts} attempts: ${reply.reason}`));
        } else {
          this.m.retried++;
          this.queueOf(task).unshift(task);
        }
        this.restart(slot, vm);
        break;
    }
    this.pump();
  }
}
