// The guest agent's framing, spoken to directly over QEMU's socket (no AgentClient): a malformed
// or oversized frame gets an ERROR answer, and the agent stays in step with the byte stream and
// keeps serving. Pipelined requests written in one piece are each answered, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vm, readCatalog, resolveKernel } from '../kernel/index.ts';
import { FrameDecoder, MAX_FRAME, MsgType, RESPONSE_BIT, Tag, encodeFrame, readString, readU32, runFields, type Frame } from '../kernel/protocol.ts';
import { runRequestFor } from '../kernel/run-request.ts';
import { sevenArgs } from './kernel-programs.ts';

describe('the guest agent on a real kernel, spoken to byte by byte', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'bpfdiff-agent-'));
  let qemu: ReturnType<typeof execa>;
  let socket: net.Socket;
  const frames: Frame[] = [];
  let wake: (() => void) | undefined;

  /** The next frame the agent sends (within 60 s). */
  async function nextFrame(): Promise<Frame> {
    const deadline = Date.now() + 60_000;
    while (frames.length === 0) {
      if (Date.now() > deadline) throw new Error('no frame from the agent within 60 s');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
    }
    return frames.shift()!;
  }

  const u32le = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };

  beforeAll(async () => {
    const kernel = resolveKernel('7.2', readCatalog());
    const sock = join(runDir, 'agent.sock');
    const args = Vm.qemuArgs({ kernel, accel: 'tcg', memMiB: 512, cpus: 1, bootTimeoutMs: 120_000, runDir, name: 'agent' }, sock);
    qemu = execa('qemu-system-x86_64', args, { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', reject: false });
    for (let i = 0; ; i++) {
      try {
        socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.createConnection(sock, () => resolve(s));
          s.once('error', reject);
        });
        break;
      } catch (err) {
        if (i > 200) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      frames.push(...decoder.push(chunk));
      wake?.();
    });
    const hello = await nextFrame();
    expect(hello.type).toBe(MsgType.HELLO);
  }, 180_000);

  afterAll(async () => {
    socket?.destroy();
    qemu?.kill('SIGKILL');
    await qemu;
    rmSync(runDir, { recursive: true, force: true });
  });

  it('answers a frame too short to carry an id with ERROR (id 0) and goes on serving', async () => {
    socket.write(Buffer.concat([u32le(4), Buffer.from([1, 2, 3, 4]), encodeFrame({ id: 11, type: MsgType.UNAME, fields: [] })]));
    const err = await nextFrame();
    expect(err).toMatchObject({ id: 0, type: MsgType.ERROR | RESPONSE_BIT });
    expect(readString(err, Tag.MESSAGE)).toBe('frame length 4 is below 8');
    const uname = await nextFrame();
    expect(uname).toMatchObject({ id: 11, type: MsgType.UNAME | RESPONSE_BIT });
    expect(readString(uname, Tag.UNAME)).toMatch(/^7\.2\./);
  });

  it('answers a field that runs past its frame, and an unknown type, with ERROR carrying the request id', async () => {
    // a TLV header that claims 100 bytes inside a frame that has 4 after it
    const bad = Buffer.concat([u32le(8 + 12), u32le(21), Buffer.from([2, 0, 0, 0]), Buffer.from([4, 0, 0, 0]), u32le(100), u32le(0)]);
    socket.write(Buffer.concat([bad, encodeFrame({ id: 22, type: 99, fields: [] })]));
    const e1 = await nextFrame();
    expect(e1).toMatchObject({ id: 21, type: MsgType.ERROR | RESPONSE_BIT });
    expect(readString(e1, Tag.MESSAGE)).toBe('TLV longer than its frame');
    const e2 = await nextFrame();
    expect(e2).toMatchObject({ id: 22, type: MsgType.ERROR | RESPONSE_BIT });
    expect(readString(e2, Tag.MESSAGE)).toBe('unknown request type 99');
  });

  it('drains a frame over 64 MiB, answers ERROR, and reads the next frame whole', async () => {
    const len = MAX_FRAME + 1024;
    const head = Buffer.concat([u32le(len), u32le(31), Buffer.from([2, 0, 0, 0])]);
    socket.write(head);
    const piece = Buffer.alloc(1 << 20, 0xab); // the body is garbage the agent must skip
    let left = len - 8;
    while (left > 0) {
      const n = Math.min(left, piece.length);
      if (!socket.write(piece.subarray(0, n))) await new Promise((r) => socket.once('drain', r));
      left -= n;
    }
    socket.write(encodeFrame({ id: 32, type: MsgType.UNAME, fields: [] }));
    const err = await nextFrame();
    expect(err).toMatchObject({ id: 31, type: MsgType.ERROR | RESPONSE_BIT });
    expect(readString(err, Tag.MESSAGE)).toBe(`frame length ${len} exceeds 64 MiB`);
    expect(await nextFrame()).toMatchObject({ id: 32, type: MsgType.UNAME | RESPONSE_BIT });
  }, 120_000);

  it('answers 16 RUN requests written in one piece, each once, in order', async () => {
    const fields = runFields(runRequestFor(sevenArgs()));
    socket.write(Buffer.concat(Array.from({ length: 16 }, (_, i) => encodeFrame({ id: 100 + i, type: MsgType.RUN, fields }))));
    for (let i = 0; i < 16; i++) {
      const f = await nextFrame();
      expect(f).toMatchObject({ id: 100 + i, type: MsgType.RUN | RESPONSE_BIT });
      expect(readU32(f, Tag.RETVAL)).toBe(1315);
    }
  });
});
