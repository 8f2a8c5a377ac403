// `bpfdiff validate`: "FILE: ok" for good files, each problem with its field for bad ones,
// exit status 1 when any file is bad.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './test-run.ts';

const run = runCli;

const good = {
  format: 'bpfdiff.program/v1',
  progType: 'xdp',
  insns: 'b7000000010000009500000000000000',
  funcs: [{ name: 'main', start: 0, args: 1, linkage: 'static' }],
};
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bpfdiff-validate-'));
  await writeFile(join(dir, 'good.json'), JSON.stringify(good));
  await writeFile(join(dir, 'bad.json'), JSON.stringify({ ...good, progType: 'kprobe', insns: good.insns.slice(1) }));
  await writeFile(join(dir, 'two.jsonl'), `${JSON.stringify(good)}\n${JSON.stringify(good)}\n`);
  await writeFile(
    join(dir, 'bad.jsonl'),
    `${JSON.stringify(good)}\n${JSON.stringify({ ...good, funcs: [{ ...good.funcs[0], start: 4 }] })}\n`,
  );
});

describe('bpfdiff validate', () => {
  it('prints ok for good files and exits 0', async () => {
    const r = await run(['validate', join(dir, 'good.json'), join(dir, 'two.jsonl')]);
    expect(r).toEqual({
      code: 0,
      stdout: `${join(dir, 'good.json')}: ok\n${join(dir, 'two.jsonl')}: ok (2 programs)\n`,
      stderr: '',
    });
  });

  it('prints every problem with its field and exits 1', async () => {
    const bad = join(dir, 'bad.json');
    const r = await run(['validate', join(dir, 'good.json'), bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${join(dir, 'good.json')}: ok\n`);
    expect(r.stderr.split('\n')).toEqual([
      `${bad}: progType: unknown "kprobe", expected one of socket_filter, sched_cls, xdp`,
      `${bad}: insns: hex string has odd length 31`,
      'bpfdiff: 1 of 2 files failed validation',
      '',
    ]);
  });

  it('names the line of a bad program in a .jsonl file', async () => {
    const bad = join(dir, 'bad.jsonl');
    const r = await run(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: line 2: funcs[0].start: expected 0, got 4\n`);
  });

  it('reports a missing file and still checks the others', async () => {
    const r = await run(['validate', join(dir, 'missing.json'), join(dir, 'good.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'missing.json')}: cannot read (ENOENT)`);
    expect(r.stdout).toBe(`${join(dir, 'good.json')}: ok\n`);
  });

  it('exits non-zero from the installed command, message on stderr and no stack trace', async () => {
    const r = await execa('node', ['bin/bpfdiff.js', 'validate', join(dir, 'bad.json')], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toContain('progType: unknown "kprobe"');
    const ok = await execa('node', ['bin/bpfdiff.js', 'validate', join(dir, 'good.json')], { reject: false });
    expect(ok.exitCode).toBe(0);
  });
});

describe('inputs the kernel takes are answered', () => {
  const thirteen = {
    ...good,
    insns: 'b70100000100000085100000010000009500000000000000bf10000000000000' + '9500000000000000',
    funcs: [
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'f', start: 3, args: 13, linkage: 'static' },
    ],
  };
  it('validate takes a function whose BTF declares 13 arguments', async () => {
    await writeFile(join(dir, 'thirteen.json'), JSON.stringify(thirteen));
    const r = await run(['validate', join(dir, 'thirteen.json')]);
    expect(r).toMatchObject({ code: 0, stdout: `${join(dir, 'thirteen.json')}: ok\n` });
  });

  it('model answers every good line of a .jsonl and names the bad one', async () => {
    await writeFile(join(dir, 'mixed.jsonl'), `${JSON.stringify(thirteen)}\n${JSON.stringify({ ...good, insns: 'b70' })}\n${JSON.stringify(good)}\n`);
    const r = await run(['model', join(dir, 'mixed.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mixed.jsonl: line 2: insns: hex string has odd length 3');
    const outs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { verdict: string; message: string; retval?: number });
    expect(outs.map((o) => [o.verdict, o.retval ?? o.message])).toEqual([
      ['reject', 'callee expects 13 args, stack arg1 is not initialized'],
      ['accept', 1],
    ]);
  });
});

describe('an assembler source (.s) is a program file for every command', () => {
  it('model, validate and disasm take a .s file; a bad line is named FILE:LINE', async () => {
    const src = join(dir, 'seven.s');
    await writeFile(src, '.type xdp\n.func main args=1\n  r1 = 40\n  call f\n  exit\n.func f args=1\n  r0 = r1\n  r0 += 2\n  exit\n');
    const m = await run(['model', src]);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout) as { verdict: string; retval: number }).toMatchObject({ verdict: 'accept', retval: 42 });
    expect(await run(['validate', src])).toMatchObject({ code: 0, stdout: `${src}: ok\n` });
    expect((await run(['disasm', src])).stdout).toContain('(07) r0 += 2');
    const bad = join(dir, 'bad.s');
    await writeFile(bad, '.func main args=1\n  r0 = 1\n  bogus\n  exit\n');
    const mb = await run(['model', bad]);
    expect(mb).toMatchObject({ code: 1, stdout: '' });
    expect(mb.stderr).toContain(`${bad}:3: expected an instruction, got 'bogus'`);
    const vb = await run(['validate', bad]);
    expect(vb.code).toBe(1);
    expect(vb.stderr).toContain(`${bad}: line 3: asm: expected an instruction, got 'bogus'`);
  });
  it('model takes --kernel as run does, names the option of a bad id; --version prints the version', async () => {
    const src = join(dir, 'ret.s');
    await writeFile(src, '.type xdp\n.func main args=1\n  r0 = 2\n  exit\n');
    const m = await run(['model', src, '--kernel', '6.12', '-k', '7.2']);
    expect(m.code).toBe(0);
    expect(m.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { kernel: string }).kernel)).toEqual(['model:linux-6.12', 'model:linux-7.2']);
    const bad = await run(['model', src, '--kernel', '5.4']);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toContain('--kernel: expected one of linux-6.12, linux-7.2, linux-7.3, next or a kernel id 6.12, 7.2, 7.3, got "5.4"');
    const v = await run(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: 'bpfdiff 0.1.0\n' });
  });
});
