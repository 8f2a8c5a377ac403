// AgentClient against a fake agent on a unix socket: with a position page, a timeout on a
// request the agent has finished (its answer held) moves the clock to the request the agent
// is on, and a lost connection marks only that request as started.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient, AgentGoneError, RequestTimeoutError, type AgentPositionSource } from './agent-client.ts';
import { FrameDecoder, MsgType, RESPONSE_BIT, Tag, encodeFrame, stringField, type Frame } from './protocol.ts';

interface FakeAgent {
  client: AgentClient;
  /** requests the fake has received */
  received: Frame[];
  answer(id: number): void;
  hangUp(): void;
  close(): Promise<void>;
}

async function fakeAgent(position?: AgentPositionSource): Promise<FakeAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-fake-agent-'));
  const path = join(dir, 'agent.sock');
  const received: Frame[] = [];
  let peer: net.Socket | undefined;
  const server = net.createServer((s) => {
    peer = s;
    const decoder = new FrameDecoder();
    s.on('data', (chunk: Buffer) => received.push(...decoder.push(chunk)));
    s.on('error', () => undefined);
    s.write(encodeFrame({ id: 0, type: MsgType.HELLO, fields: [stringField(Tag.UNAME, 'fake')] }));
  });
  await new Promise<void>((r) => server.listen(path, r));
  const client = await AgentClient.connect(path, Date.now() + 5000, () => undefined, position);
  await client.waitHello(5000);
  return {
    client,
    received,
    answer: (id) => peer?.write(encodeFrame({ id, type: MsgType.UNAME | RESPONSE_BIT, fields: [stringField(Tag.UNAME, 'fake')] })),
    hangUp: () => peer?.destroy(),
    close: async () => {
      client.close();
      peer?.destroy();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: Error) => ({ ok: false as const, e }));
const waitUntil = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('AgentClient with a position page', () => {
  let fake: FakeAgent | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('moves the clock to the request the agent is on when the one ahead of it has finished', async () => {
    let pos = { current: 0, done: 0 };
    fake = await fakeAgent(() => pos);
    const first = settle(fake.client.request(MsgType.UNAME, [], 150));
    const second = settle(fake.client.request(MsgType.UNAME, [], 150));
    await waitUntil(() => fake!.received.length === 2);
    const [a, b] = fake.received.map((f) => f.id);
    pos = { current: b, done: a }; // a finished (answer held), b in hand
    await new Promise((r) => setTimeout(r, 250)); // a's timeout has passed: the client must not fail
    expect(fake.client.closed).toBe(false);
    fake.answer(a);
    fake.answer(b);
    expect(await first).toMatchObject({ ok: true });
    expect(await second).toMatchObject({ ok: true });
  });

  it('times out the request the agent is on, and only that one counts as started', async () => {
    let pos = { current: 0, done: 0 };
    fake = await fakeAgent(() => pos);
    const reqs = [0, 1, 2].map(() => settle(fake!.client.request(MsgType.UNAME, [], 100)));
    await waitUntil(() => fake!.received.length === 3);
    const [a, b] = fake.received.map((f) => f.id);
    pos = { current: b, done: a }; // the agent hangs on b with a's answer held
    const [ra, rb, rc] = await Promise.all(reqs);
    expect(rb.ok ? undefined : rb.e).toBeInstanceOf(RequestTimeoutError);
    expect(ra.ok ? undefined : ra.e).toBeInstanceOf(AgentGoneError);
    expect(ra.ok ? undefined : (ra.e as AgentGoneError).started).toBe(false);
    expect(rc.ok ? undefined : (rc.e as AgentGoneError).started).toBe(false);
  });

  it('on a lost connection marks the request the page names as started, not the oldest', async () => {
    let pos = { current: 0, done: 0 };
    fake = await fakeAgent(() => pos);
    const reqs = [0, 1, 2].map(() => settle(fake!.client.request(MsgType.UNAME, [], 10_000)));
    await waitUntil(() => fake!.received.length === 3);
    const ids = fake.received.map((f) => f.id);
    pos = { current: ids[2], done: ids[1] };
    fake.hangUp();
    const started = (await Promise.all(reqs)).map((r) => (r.ok ? 'answered' : (r.e as AgentGoneError).started));
    expect(started).toEqual([false, false, true]);
  });

  it('without a page, the oldest unanswered request is the one the agent was on', async () => {
    fake = await fakeAgent();
    const reqs = [0, 1].map(() => settle(fake!.client.request(MsgType.UNAME, [], 10_000)));
    await waitUntil(() => fake!.received.length === 2);
    fake.hangUp();
    const started = (await Promise.all(reqs)).map((r) => (r.ok ? 'answered' : (r.e as AgentGoneError).started));
    expect(started).toEqual([true, false]);
  });
});
