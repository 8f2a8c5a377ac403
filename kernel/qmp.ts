// A small client for QEMU's machine protocol (QMP) over a unix socket: one JSON object per
// line each way; after the greeting and `qmp_capabilities` every command gets one answer
// (`return` or `error`) in order, and asynchronous `event` objects may come in between.
// The pool uses it only on the guest it snapshots (kernel/snapshot.ts).
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export class QmpError extends Error {
  override name = 'QmpError';
}

type QmpAnswer = { return?: unknown; error?: { class?: string; desc?: string }; event?: string };

export class QmpClient {
  private buffer = '';
  private waiting: Array<{ resolve: (a: QmpAnswer) => void; reject: (e: Error) => void }> = [];
  private gone: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    const fail = (err: Error) => {
      this.gone ??= err;
      for (const w of this.waiting.splice(0)) w.reject(this.gone);
    };
    socket.on('error', (err) => fail(new QmpError(`QMP socket: ${err.message}`)));
    socket.on('close', () => fail(new QmpError('QMP connection closed')));
  }

  /** Connects (retrying while QEMU creates the socket), reads the greeting, enters command mode. */
  static async connect(path: string, deadline: number): Promise<QmpClient> {
    let lastErr: Error | undefined;
    while (Date.now() < deadline) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.createConnection(path);
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        const client = new QmpClient(socket);
        await client.next(); // the greeting: {"QMP": {...}}
        await client.execute('qmp_capabilities');
        return client;
      } catch (err) {
        lastErr = err as Error;
        await sleep(20);
      }
    }
    throw new QmpError(`could not connect to QMP socket ${path}: ${lastErr?.message ?? 'timed out'}`);
  }

  /** Runs one command and returns its `return` value; a QMP `error` becomes a QmpError. */
  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.gone) throw this.gone;
    this.socket.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    const answer = await this.next();
    if (answer.error) throw new QmpError(`${command}: ${answer.error.desc ?? answer.error.class ?? 'error'}`);
    return answer.return;
  }

  close(): void {
    this.socket.destroy();
  }

  private next(): Promise<QmpAnswer> {
    if (this.gone) return Promise.reject(this.gone);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let answer: QmpAnswer;
      try {
        answer = JSON.parse(line) as QmpAnswer;
      } catch {
        continue;
      }
      if (answer.event) continue;
      this.waiting.shift()?.resolve(answer);
    }
  }
}
