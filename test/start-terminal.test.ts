// `bpfdiff start` on a terminal (a pseudo-terminal from util-linux `script`): readable log lines
// instead of raw JSON, a live progress line of the campaign, and Ctrl-C once the campaign is
// done and nothing is in hand exits within 3 s, leaving no guest or Redis behind.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'bpfdiff.js');
const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('bpfdiff start on a terminal', () => {
  it('pretty logs and a progress line; Ctrl-C when idle exits within 3 s', async () => {
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'REDIS_URL' && k !== 'LOG_FORMAT')), BPFDIFF_REDIS_DIR: join(dir, 'redis'), BPFDIFF_API_TOKEN: 'tty', COLUMNS: '200' };
    const cmd = `exec node ${bin} start --port 0 --pool 1 --kernel 7.2 --count 20 --seed 2`;
    const term = execa('script', ['-qfec', cmd, '/dev/null'], { env, extendEnv: false, reject: false, stdin: 'pipe' });
    let out = '';
    term.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 240_000;
    while (!/20\/20 programs .*completed in/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(out).toMatch(/20\/20 programs .*completed in/);
    // eslint-disable-next-line no-control-regex
    const text = out.replace(/\x1b\[[0-9;]*[mK]/g, '').replace(/\r/g, '\n');
    const lines = text.split('\n').filter(Boolean);
    expect(lines.some((l) => /^\[\d\d:\d\d:\d\d\] INFO \(bpfdiff\): batch recorded \{.*"programs":20/.test(l))).toBe(true);
    expect(lines.filter((l) => l.trimStart().startsWith('{"level"'))).toEqual([]);
    expect(lines.some((l) => /^campaign [0-9a-f]{8} {2}\d+\/20 programs/.test(l))).toBe(true);

    const [bpfdiff] = childrenOf(term.pid!);
    const guests = childrenOf(bpfdiff);
    expect(guests.length).toBeGreaterThanOrEqual(2); // the guest and Redis
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = performance.now();
    process.kill(bpfdiff, 'SIGINT');
    await term;
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(3);
    const alive = (pid: number) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
      } catch {
        return false;
      }
    };
    expect(guests.filter(alive).map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'))).toEqual([]);
  });
});
