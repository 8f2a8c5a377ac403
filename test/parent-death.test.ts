// `kill -9` of a running `bpfdiff start` (what the OOM killer does; no exit hook runs) still
// takes its QEMU guests and the embedded redis-server with it: they are started with a
// parent-death signal (util-linux setpriv), so the kernel ends them when bpfdiff dies.
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'bpfdiff.js');
const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-pdeath-'));

/** live (not zombie) children of `parent`, with their command lines */
function children(parent: number): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== parent || fields[0] === 'Z') continue;
      out.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // ended while we looked
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stray: number[] = [];
afterAll(() => {
  for (const pid of stray) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('children die with their parent', () => {
  it('SIGKILL of bpfdiff start ends its QEMU guest and its redis-server', async () => {
    // the embedded Redis, in a folder of its own
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'REDIS_URL')), BPFDIFF_REDIS_DIR: join(dir, 'redis'), BPFDIFF_API_TOKEN: 'pdeath' };
    const start = execa('node', [bin, 'start', '--port', '0', '--pool', '1', '--kernel', '7.2', '--count', '200'], { env, extendEnv: false, reject: false, cwd: dir });
    const pid = start.pid!;
    const kids = await until(
      () => {
        const c = children(pid);
        const qemu = c.find((k) => k.cmdline.includes('qemu-system'));
        const redis = c.find((k) => k.cmdline.includes('redis-server'));
        return qemu && redis ? { qemu: qemu.pid, redis: redis.pid } : undefined;
      },
      120_000,
      'a QEMU guest and redis-server under bpfdiff start',
    );
    stray.push(kids.qemu, kids.redis);
    process.kill(pid, 'SIGKILL');
    const result = await start;
    expect(result.signal).toBe('SIGKILL');
    await until(() => (!alive(kids.qemu) && !alive(kids.redis) ? true : undefined), 10_000, 'the guest and Redis to end');
    expect(alive(kids.qemu)).toBe(false);
    expect(alive(kids.redis)).toBe(false);
  });
});
