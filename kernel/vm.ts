// One QEMU guest running the bpfdiff agent: boots it, reads its ttyS0 console (a file QEMU writes),
// sends requests, and when the guest dies, hangs or prints a kernel oops, says which request
// the guest was working on and what the console showed.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { AgentClient, AgentGoneError, RequestTimeoutError, type AgentPosition } from './agent-client.ts';
import { ConsoleLog, hasFatalLine, scanConsole } from './console.ts';
import { ConsoleFile } from './console-file.ts';
import type { KernelImage } from './catalog.ts';
import type { Field, Frame, Hello, MsgType } from './protocol.ts';
import { onExit } from 'signal-exit';
import { closeSync, existsSync, openSync, readSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { saveGuest, shellQuote } from './snapshot.ts';

/** util-linux setpriv, which execs its command with a parent-death signal set (Linux) */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export type Accel = 'kvm' | 'tcg';

export interface VmConfig {
  kernel: KernelImage;
  accel: Accel;
  /** guest memory in MiB */
  memMiB: number;
  /** guest CPU count */
  cpus: number;
  /** QEMU `-cpu` model; part of the kernel's identity for JIT comparisons (docs/KERNEL-NOTES.md) */
  cpuModel?: string;
  /** extra kernel command line, appended after bpfdiff's own options */
  append?: string;
  bootTimeoutMs: number;
  /** directory for the agent socket */
  runDir: string;
  /** unique within runDir */
  name: string;
  qemuBinary?: string;
  /** start from this snapshot (kernel/snapshot.ts) instead of booting: `-incoming exec:cat FILE` */
  restoreFrom?: string;
  /** once the agent is up and before any host has talked to it, save the guest into this file */
  saveTo?: string;
}

/**
 * Kernel command line. `oops=panic panic=-1` with QEMU's `-no-reboot` turn any oops into a QEMU
 * exit, so a crashed guest is never mistaken for a slow one; loglevel=5 keeps WARN (level 4)
 * on the console and the boot chatter (level 6) off it, which makes TCG boots faster.
 * `highres=off` keeps the guest's timers on its tick: with high-resolution timers every
 * hrtimer the guest arms reprograms the emulated LAPIC timer, and under TCG each reprogram
 * wakes QEMU's main loop (an eventfd write, a ppoll and a lock hand-over). Measured with
 * 2 guests: 40,034 -> 17,287 QEMU syscalls per 1,000 programs, 22% more programs per second
 * (median of 7 interleaved rounds). Nothing bpfdiff observes depends on timer resolution.
 */
export const BASE_APPEND = 'console=ttyS0 loglevel=5 oops=panic panic=-1 nokaslr mitigations=auto highres=off';

/** What happened to one request. */
export type VmReply =
  | { status: 'done'; frame: Frame; console: string }
  /** the guest crashed (oops/BUG/panic) while working on this request */
  | { status: 'crash'; console: string }
  /** the agent did not answer this request within its timeout */
  | { status: 'hang'; console: string }
  /** the guest went away for a reason that is not this request's (killed, never started it) */
  | { status: 'lost'; reason: string; started: boolean };

export interface VmExit {
  /** exit code or signal of QEMU */
  code?: number;
  signal?: string;
  /** who ended it: us (close/hang/fatal) or something else */
  cause: 'close' | 'hang' | 'fatal' | 'external';
  /** excerpt of a fatal console report, if any */
  fatal?: string;
}

export interface VmEvents {
  /** QEMU has exited and its console is fully read */
  exit: [VmExit];
}

const POSITION_MAGIC = 0x44465042; // "BPFD", written by the agent when it maps the page

function readPosition(path: string): AgentPosition | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(12);
    if (readSync(fd, b, 0, 12, 0) < 12 || b.readUInt32LE(0) !== POSITION_MAGIC) return undefined;
    return { current: b.readUInt32LE(4), done: b.readUInt32LE(8) };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The shared file: the position page, then the verifier log buffer of the load in progress. */
const POSITION_PAGE = 4096;
const SHARED_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The verifier log the kernel had written when the guest died (the agent points the first
 * load attempt's log buffer into the shared file): the text up to its first NUL, or undefined.
 */
function readSharedLog(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(SHARED_FILE_BYTES - POSITION_PAGE);
    const n = readSync(fd, b, 0, b.length, POSITION_PAGE);
    const end = b.subarray(0, n).indexOf(0);
    const text = b.subarray(0, end < 0 ? n : end).toString('utf8');
    return text.length > 0 ? text : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Pause between the agent mapping its position page and the save (it is then blocked writing HELLO). */
const SAVE_SETTLE_MS = 200;

/**
 * How long a guest that printed a fatal line may go on printing before QEMU is killed. With
 * `oops=panic panic=-1` the kernel ends the report, panics and resets, and `-no-reboot` makes
 * QEMU exit by itself, so this is only an upper bound. Under TCG on a loaded host a whole oops
 * takes seconds to print: with 1.5 s the report was cut before its second RIP line.
 */
const FATAL_GRACE_MS = 15_000;

/** How often the console file is looked at between requests (each answer looks at it too). */
const CONSOLE_POLL_MS = 100;

export class VmBootError extends Error {
  override name = 'VmBootError';
}

export class Vm extends EventEmitter<VmEvents> {
  readonly console = new ConsoleLog();
  /** the shared log buffer as QEMU left it, read before the file is removed */
  private sharedLogAtExit: string | undefined;
  readonly socketPath: string;
  uname = '';
  /** QEMU start to the agent's HELLO: a cold boot, or a restore when `restored` */
  bootMs = 0;
  /** started from a snapshot rather than booted */
  readonly restored: boolean;
  /** the snapshot this guest was asked to save (`saveTo`): how it went */
  saved?: { ms: number; bytes: number } | { error: string };
  private proc!: ResultPromise<{ stdin: 'ignore'; stdout: 'ignore'; stderr: 'pipe'; buffer: false; reject: false }>;
  private consoleFile: ConsoleFile | undefined;
  private consolePoll: NodeJS.Timeout | undefined;
  private client: AgentClient | undefined;
  private stderr = '';
  private killCause: VmExit['cause'] | undefined;
  private fatalSeen = false;
  /** console offset when the agent said HELLO: trouble after it belongs to requests */
  private helloAt: number | undefined;
  private scanFrom = 0;
  private exitInfo: VmExit | undefined;
  readonly exited: Promise<VmExit>;
  private resolveExited!: (e: VmExit) => void;

  private constructor(readonly config: VmConfig) {
    super();
    this.socketPath = join(config.runDir, `${config.name}.sock`);
    this.restored = config.restoreFrom !== undefined;
    this.exited = new Promise((r) => (this.resolveExited = r));
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined && this.killCause === undefined && !this.client?.closed;
  }

  /** Requests sent to the agent and not yet answered. */
  get inFlight(): number {
    return this.client?.inFlight ?? 0;
  }

  /** The file QEMU writes the guest's console into. */
  static consolePath(socketPath: string): string {
    return socketPath.replace(/\.sock$/, '') + '.console';
  }

  /** Takes in what the guest printed since the last look. */
  private drainConsole(): void {
    const text = this.consoleFile?.drain();
    if (text) this.onConsole(text);
  }

  /** The file QEMU shares with the guest as the agent's position page. */
  static positionPath(socketPath: string): string {
    return socketPath.replace(/\.sock$/, '') + '.pos';
  }

  /**
   * Where the agent is, from its position page: the id of the request it is working on and
   * of the last it finished. Undefined when the agent has not mapped the page (an agent or
   * kernel without it answers every request at once, so the oldest unanswered one is it).
   */
  position(): AgentPosition | undefined {
    return readPosition(Vm.positionPath(this.socketPath));
  }

  /** The verifier log of the load the guest was in when it died (see readSharedLog). */
  logAtCrash(): string | undefined {
    return this.sharedLogAtExit ?? readSharedLog(Vm.positionPath(this.socketPath));
  }

  /** QEMU's machine-protocol socket of a guest that is saved into a snapshot. */
  static qmpPath(socketPath: string): string {
    return socketPath.replace(/\.sock$/, '') + '.qmp';
  }

  static qemuArgs(config: VmConfig, socketPath: string): string[] {
    const append = [BASE_APPEND, config.append ?? ''].join(' ').trim();
    const args = [
      '-accel', config.accel,
      '-m', String(config.memMiB),
      '-smp', String(config.cpus),
      '-kernel', config.kernel.image,
      '-initrd', config.kernel.initramfs,
      '-append', append,
      '-nographic', '-nodefaults', '-no-reboot',
      // the kernel's console goes to a file, which bpfdiff reads (console-file.ts says why)
      '-chardev', `file,id=console,path=${Vm.consolePath(socketPath)}`,
      '-serial', 'chardev:console', '-monitor', 'none',
      // Under TCG the guest's virtqueue kicks are handled right in the vCPU thread instead of
      // through an eventfd that wakes QEMU's main loop for every response: with 2 guests
      // 15,992 -> 11,720 QEMU syscalls per 1,000 programs, +9% programs per second (median of 9
      // interleaved rounds). KVM keeps QEMU's default.
      '-device', config.accel === 'tcg' ? 'virtio-serial-pci,ioeventfd=off' : 'virtio-serial-pci',
      '-chardev', `socket,id=bpfdiff,path=${socketPath},server=on,wait=off`,
      '-device', 'virtserialport,chardev=bpfdiff,name=bpfdiff',
      // the agent's position page (vm-images/agent/PROTOCOL.md): which request it is on
      // and, after its first 4 KiB, the verifier log of the load in progress, read after a crash
      '-object', `memory-backend-file,id=bpfdiffpos,share=on,mem-path=${Vm.positionPath(socketPath)},size=${SHARED_FILE_BYTES}`,
      // master=on: the file's contents travel with a snapshot (a peer-mode ivshmem blocks migration)
      '-device', 'ivshmem-plain,memdev=bpfdiffpos,master=on',
      // a new generation id on every QEMU start, so a guest restored from a snapshot reseeds
      // its random number generator (Linux's vmgenid driver) instead of repeating the saved one
      '-device', 'vmgenid,guid=auto',
    ];
    if (config.cpuModel) args.push('-cpu', config.cpuModel);
    if (config.saveTo) args.push('-qmp', `unix:${Vm.qmpPath(socketPath)},server=on,wait=off`);
    if (config.restoreFrom) args.push('-incoming', `exec:cat ${shellQuote(config.restoreFrom)}`);
    return args;
  }

  /** Boots a guest and waits for the agent's HELLO. */
  static async boot(config: VmConfig): Promise<Vm> {
    const vm = new Vm(config);
    await vm.start();
    return vm;
  }

  private async start(): Promise<void> {
    const started = Date.now();
    const deadline = started + this.config.bootTimeoutMs;
    // util-linux setpriv sets the parent-death signal and execs QEMU (same pid): if bpfdiff is
    // killed in a way no exit hook sees (kill -9, the OOM killer), the kernel kills the guest
    this.consoleFile = new ConsoleFile(Vm.consolePath(this.socketPath));
    const qemu = this.config.qemuBinary ?? 'qemu-system-x86_64';
    const [command, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', qemu, ...Vm.qemuArgs(this.config, this.socketPath)]] : [qemu, Vm.qemuArgs(this.config, this.socketPath)];
    this.proc = execa(command, argv, {
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // Its own process group, so a Ctrl-C in the terminal reaches bpfdiff only, and the batch
      // in hand finishes on live guests while bpfdiff shuts down in order. execa's cleanup skips
      // detached children, so signal-exit kills QEMU when this process exits or dies by signal.
      detached: true,
    });
    const proc = this.proc;
    const removeExitHook = onExit(() => {
      proc.kill('SIGKILL');
    });
    void proc.finally(removeExitHook);
    this.consolePoll = setInterval(() => this.drainConsole(), CONSOLE_POLL_MS).unref();
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk: string) => {
      if (this.stderr.length < 16384) this.stderr += chunk;
      // a KVM guest that hits this is paused by QEMU, not ended: end it now rather than at the boot timeout
      if (/KVM internal error|kvm run failed/i.test(chunk) && this.helloAt === undefined) void this.kill('close');
    });
    void this.proc.then((result) => {
      clearInterval(this.consolePoll);
      this.drainConsole();
      this.consoleFile?.close();
      // QEMU never ran (spawn failed): say why in the boot failure
      if (result.exitCode === undefined && !result.signal && this.stderr.length < 16384) this.stderr += result.shortMessage ?? result.message;
      const fatal = this.scanFatal();
      const info: VmExit = {
        code: result.exitCode,
        signal: result.signal,
        cause: this.killCause ?? (fatal ? 'fatal' : 'external'),
        fatal,
      };
      this.exitInfo = info;
      this.client?.close(); // reads the position page for the requests still in line
      if (fatal) this.sharedLogAtExit = readSharedLog(Vm.positionPath(this.socketPath));
      rmSync(Vm.positionPath(this.socketPath), { force: true });
      this.resolveExited(info);
      this.emit('exit', info);
    });

    const bootFailed = () =>
      this.exitInfo ? new VmBootError(this.bootFailure(`QEMU exited (code ${this.exitInfo.code ?? this.exitInfo.signal})`)) : undefined;
    try {
      if (this.config.saveTo) await this.save(this.config.saveTo, deadline, bootFailed);
      this.client = await AgentClient.connect(this.socketPath, deadline, bootFailed, () => this.position());
      const hello: Hello = await Promise.race([
        this.client.waitHello(Math.max(1, deadline - Date.now())),
        this.exited.then((): never => {
          throw bootFailed() ?? new VmBootError('QEMU exited');
        }),
      ]);
      this.uname = hello.uname;
      this.bootMs = Date.now() - started;
    } catch (err) {
      await this.kill('close');
      if (err instanceof VmBootError) throw err;
      if (err instanceof RequestTimeoutError) {
        throw new VmBootError(this.bootFailure(`no agent HELLO within ${this.config.bootTimeoutMs} ms`));
      }
      throw new VmBootError(this.bootFailure((err as Error).message));
    }
    // the guest is up: console trouble from here on is attributed to requests
    this.helloAt = this.scanFrom = this.console.end;
    this.client.on('close', () => {
      // the agent's connection broke: the guest is going down; make sure QEMU does too
      if (!this.exitInfo && this.killCause === undefined) {
        setTimeout(() => void this.kill(this.fatalSeen ? 'fatal' : 'external'), FATAL_GRACE_MS).unref();
      }
    });
  }

  /**
   * Saves the guest into `file` once its agent is up: the agent maps its position page right
   * before it writes HELLO, and that write waits for a host, so a guest saved after the page
   * shows the agent's magic (and nobody has connected) holds an agent that has said nothing
   * and been asked nothing, with the page at 0/0. A failed save leaves the guest running (the
   * migration is live) and is only recorded in `saved`.
   */
  private async save(file: string, deadline: number, bootFailed: () => VmBootError | undefined): Promise<void> {
    while (!this.position()) {
      const stop = bootFailed();
      if (stop) throw stop;
      if (Date.now() > deadline) throw new RequestTimeoutError(0, this.config.bootTimeoutMs);
      await sleep(20);
    }
    await sleep(SAVE_SETTLE_MS); // let the agent reach its blocking write
    try {
      this.saved = await saveGuest(Vm.qmpPath(this.socketPath), file, Math.max(deadline, Date.now() + 60_000));
    } catch (err) {
      this.saved = { error: (err as Error).message };
    }
  }

  private bootFailure(what: string): string {
    const tail = this.console.tail(1500).trim();
    const err = this.stderr.trim();
    return `kernel ${this.config.kernel.id} (${this.config.accel}) failed to boot: ${what}` +
      (err ? `\nqemu: ${err}` : '') + (tail ? `\nconsole:\n${tail}` : '');
  }

  private onConsole(chunk: string): void {
    this.console.append(chunk);
    if (this.fatalSeen || this.helloAt === undefined) return;
    // look at the complete lines printed since the last look for an oops/BUG/panic
    const text = this.console.since(this.scanFrom);
    const lastNl = text.lastIndexOf('\n');
    if (lastNl < 0) return;
    this.scanFrom = this.console.end - (text.length - lastNl - 1);
    if (hasFatalLine(text.slice(0, lastNl + 1))) {
      this.fatalSeen = true;
      // give the kernel a moment to print the rest of the report (or to exit by itself)
      setTimeout(() => void this.kill('fatal'), FATAL_GRACE_MS).unref();
    }
  }

  /** The fatal report the guest printed since it booted, if any. */
  private scanFatal(): string | undefined {
    if (this.helloAt === undefined) return undefined;
    const t = scanConsole(this.console.since(this.helloAt));
    return t?.kind === 'fatal' ? t.excerpt : undefined;
  }

  /**
   * Sends a request and says what became of it. Never throws for guest trouble: a
   * crash, hang or lost guest is a reply, and leaves this Vm dead (see `exited`).
   */
  async request(type: MsgType, fields: Field[], timeoutMs: number): Promise<VmReply> {
    if (!this.client || !this.alive) return { status: 'lost', reason: 'guest is not running', started: false };
    // from when it was sent: the agent may hold finished answers, so a request's reports can
    // print before the host sees the one ahead of it answered (scanConsole tells whose by Comm)
    const from = this.console.end;
    try {
      const frame = await this.client.request(type, fields, timeoutMs);
      this.drainConsole();
      return { status: 'done', frame, console: this.console.since(from) };
    } catch (err) {
      if (err instanceof RequestTimeoutError) {
        await this.kill('hang');
        const text = this.console.since(from);
        return { status: 'hang', console: scanConsole(text)?.excerpt ?? text.trim().slice(-4000) };
      }
      if (err instanceof AgentGoneError && err.started) {
        const exit = await this.exitedWithin(FATAL_GRACE_MS * 3);
        if (exit.fatal) return { status: 'crash', console: scanConsole(this.console.since(from))?.excerpt ?? exit.fatal };
        return { status: 'lost', reason: describeExit(exit), started: true };
      }
      return { status: 'lost', reason: (err as Error).message, started: false };
    }
  }

  /** Sends a request without waiting for any answer (TRIGGER). */
  send(type: MsgType, fields: Field[]): void {
    this.client?.send(type, fields);
  }

  private async exitedWithin(ms: number): Promise<VmExit> {
    const timer = setTimeout(() => void this.kill(this.fatalSeen ? 'fatal' : 'external'), ms);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Ends QEMU (SIGKILL: a guest has nothing to save) and waits until it is gone. */
  async kill(cause: VmExit['cause'] = 'close'): Promise<VmExit> {
    if (!this.exitInfo) {
      this.killCause ??= cause;
      this.client?.close();
      this.proc?.kill('SIGKILL');
    }
    return this.exited;
  }

  async close(): Promise<void> {
    await this.kill('close');
  }
}

export function describeExit(exit: VmExit): string {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  return exit.cause === 'external' ? `QEMU ended from outside (${how})` : `QEMU ended (${exit.cause}, ${how})`;
}
