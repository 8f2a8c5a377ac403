// A client for one guest agent over QEMU's virtio-serial unix socket. Requests may be
// pipelined; the agent answers strictly in order, so each request's timeout starts only when
// it reaches the head of the line (the agent is working on it), not when it was sent.
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FrameDecoder,
  MsgType,
  ProtocolError,
  RESPONSE_BIT,
  Tag,
  decodeHello,
  encodeFrame,
  readString,
  type Field,
  type Frame,
  type Hello,
} from './protocol.ts';

/** The agent did not answer the request at the head of the line in time. */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
  constructor(
    readonly requestId: number,
    readonly timeoutMs: number,
  ) {
    super(`agent did not answer request ${requestId} within ${timeoutMs} ms`);
  }
}

/** The connection went away (guest died, QEMU exited, or close() was called). */
export class AgentGoneError extends Error {
  override name = 'AgentGoneError';
  /** true when the agent was working on this request when the connection went */
  started = false;
}

/** Where the agent is, from its position page (vm-images/agent/PROTOCOL.md). */
export interface AgentPosition {
  /** the request the agent is on (equal to `done` between requests) */
  current: number;
  /** the last request it finished */
  done: number;
}

/** Reads the agent's position; undefined when the agent has no position page. */
export type AgentPositionSource = () => AgentPosition | undefined;

interface Pending {
  id: number;
  type: number;
  timeoutMs: number;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
  /** set when the request reaches the head of the line */
  startedAt?: number;
  /** the agent has finished it and holds its answer (it sends several in one write) */
  held?: boolean;
}

interface AgentClientEvents {
  close: [err: Error];
}

export class AgentClient extends EventEmitter<AgentClientEvents> {
  private decoder = new FrameDecoder();
  private outbox: Buffer[] = [];
  private line: Pending[] = [];
  private nextId = 1;
  private gone: Error | undefined;
  private helloWaiters: Array<{ resolve: (h: Hello) => void; reject: (e: Error) => void }> = [];
  hello: Hello | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly position?: AgentPositionSource,
  ) {
    super();
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new AgentGoneError(`agent socket: ${err.message}`)));
    socket.on('close', () => this.fail(new AgentGoneError('agent connection closed')));
  }

  /**
   * Connects to QEMU's chardev socket, retrying while QEMU is still creating it.
   * QEMU listens (server=on,wait=off) before the guest boots; the agent's HELLO
   * waits in the guest until a host is connected.
   */
  static async connect(path: string, deadline: number, aborted: () => Error | undefined, position?: AgentPositionSource): Promise<AgentClient> {
    let lastErr: Error | undefined;
    while (Date.now() < deadline) {
      const stop = aborted();
      if (stop) throw stop;
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.createConnection(path);
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        return new AgentClient(socket, position);
      } catch (err) {
        lastErr = err as Error;
        await sleep(20);
      }
    }
    throw new AgentGoneError(`could not connect to agent socket ${path}: ${lastErr?.message ?? 'timed out'}`);
  }

  /** Resolves with the agent's HELLO (sent once when it starts). */
  waitHello(timeoutMs: number): Promise<Hello> {
    if (this.hello) return Promise.resolve(this.hello);
    if (this.gone) return Promise.reject(this.gone);
    return new Promise<Hello>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.helloWaiters = this.helloWaiters.filter((w) => w.resolve !== done);
        reject(new RequestTimeoutError(0, timeoutMs));
      }, timeoutMs);
      const done = (h: Hello) => {
        clearTimeout(timer);
        resolve(h);
      };
      this.helloWaiters.push({
        resolve: done,
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.line.length;
  }

  get closed(): boolean {
    return this.gone !== undefined;
  }

  /**
   * Sends one request; resolves with its response frame. Its timeout starts when the agent
   * starts on it (it reaches the head of the line, or the position page names it).
   */
  request(type: MsgType, fields: Field[], timeoutMs: number): Promise<Frame> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId;
    this.nextId = this.nextId >= 0xfffffff0 ? 1 : this.nextId + 1;
    const frame = encodeFrame({ id, type, fields });
    return new Promise<Frame>((resolve, reject) => {
      const p: Pending = { id, type, timeoutMs, resolve, reject };
      this.line.push(p);
      if (this.line.length === 1) this.startHead();
      this.queueWrite(frame);
    });
  }

  /**
   * Frames requested in the same tick go out in one write, so the guest can take several
   * requests from one virtqueue buffer instead of paying an interrupt for each.
   */
  private queueWrite(frame: Buffer): void {
    this.outbox.push(frame);
    if (this.outbox.length > 1) return;
    process.nextTick(() => {
      const frames = this.outbox.splice(0);
      if (!this.gone) this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    });
  }

  /** Sends a request that gets no response (TRIGGER crash/hang). */
  send(type: MsgType, fields: Field[]): number {
    if (this.gone) throw this.gone;
    const id = this.nextId++;
    this.queueWrite(encodeFrame({ id, type, fields }));
    return id;
  }

  close(): void {
    this.fail(new AgentGoneError('agent client closed'));
  }

  /** Starts the clock of the oldest request the agent may still be working on. */
  private startHead(): void {
    const head = this.line.find((p) => !p.held);
    if (!head || head.timer) return;
    this.startClock(head);
  }

  private startClock(p: Pending): void {
    p.startedAt = Date.now();
    p.timer = setTimeout(() => this.onTimeout(p), p.timeoutMs);
  }

  /** The request the agent is working on, when its position page says so. */
  private working(): number | undefined {
    const pos = this.position?.();
    return pos && pos.current !== pos.done ? pos.current : undefined;
  }

  private onTimeout(p: Pending): void {
    const at = this.line.indexOf(p);
    if (at < 0) return;
    // The agent may have finished this one and hold its answer while it works on a later
    // request: then the earlier ones are done, and the clock starts now for that one (so it
    // gets between one and two timeouts).
    const working = this.working();
    const later = working === undefined ? -1 : this.line.findIndex((q) => q.id === working);
    if (later > at) {
      for (const q of this.line.slice(0, later)) {
        clearTimeout(q.timer);
        q.timer = undefined;
        q.held = true;
      }
      if (!this.line[later].timer) this.startClock(this.line[later]);
      return;
    }
    // A hung agent answers nothing more: fail every request still in line.
    this.fail(new RequestTimeoutError(p.id, p.timeoutMs), p);
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      this.socket.destroy();
      return;
    }
    for (const frame of frames) this.onFrame(frame);
  }

  private onFrame(frame: Frame): void {
    if (frame.type === MsgType.HELLO) {
      try {
        this.hello = decodeHello(frame);
      } catch (err) {
        for (const w of this.helloWaiters.splice(0)) w.reject(err as Error);
        return;
      }
      for (const w of this.helloWaiters.splice(0)) w.resolve(this.hello);
      return;
    }
    const at = this.line.findIndex((p) => p.id === frame.id);
    if (at < 0) return; // an answer to a request we gave up on
    const [p] = this.line.splice(at, 1);
    clearTimeout(p.timer);
    if (frame.type === (MsgType.ERROR | RESPONSE_BIT) || frame.type === MsgType.ERROR) {
      p.reject(new ProtocolError(`agent: ${readString(frame, Tag.MESSAGE) ?? 'protocol error'}`));
    } else if (frame.type !== (p.type | RESPONSE_BIT)) {
      p.reject(new ProtocolError(`response type ${frame.type} to request type ${p.type}`));
    } else {
      p.resolve(frame);
    }
    this.startHead();
  }

  /**
   * Fails every pending request. A timed-out head gets the timeout error; the others get
   * AgentGoneError, with `started` set on the one the agent was working on, so the owner
   * can tell "this one hung or crashed the guest" from "never started".
   */
  private fail(err: Error, timedOut?: Pending): void {
    if (this.gone) return;
    this.gone = err;
    const line = this.line.splice(0);
    // Which request was the agent on? Its position page says, when it has one; else the
    // oldest unanswered request, as the agent answers in order.
    const working = this.working();
    const known = working !== undefined && line.some((p) => p.id === working);
    for (const p of line) {
      clearTimeout(p.timer);
      if (p === timedOut) {
        p.reject(err);
        continue;
      }
      const gone = new AgentGoneError(`request ${p.id} not answered: ${err.message}`);
      gone.started = known ? p.id === working : p.startedAt !== undefined && !p.held;
      p.reject(gone);
    }
    for (const w of this.helloWaiters.splice(0)) w.reject(err);
    this.socket.destroy();
    this.emit('close', err);
  }
}
