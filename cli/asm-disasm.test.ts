// `bpfdiff asm` then `bpfdiff disasm` gives back the text the 7.2 kernel prints for the
// hand-written examples, and the committed example JSON is what `asm` produces today.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { assemble, rawToHex } from '../core/isa/index.ts';
import { runCli } from './test-run.ts';

const run = runCli;

/** What the 7.2 kernel prints for examples/seven-args.s at log level 2 (kernel/bpf/disasm.c
 *  print_bpf_insn), plus our function markers. */
const SEVEN_ARGS_KERNEL_TEXT = `; func main args=1
0: (b7) r1 = 1
1: (b7) r2 = 2
2: (b7) r3 = 3
3: (b7) r4 = 4
4: (b7) r5 = 5
5: (7a) *(u64 *)(r11 -8) = 600
6: (7a) *(u64 *)(r11 -16) = 700
7: (85) call pc+1
8: (95) exit
; func f args=7
9: (79) r6 = *(u64 *)(r11 +8)
10: (79) r7 = *(u64 *)(r11 +16)
11: (bf) r0 = r1
12: (0f) r0 += r2
13: (0f) r0 += r3
14: (0f) r0 += r4
15: (0f) r0 += r5
16: (0f) r0 += r6
17: (0f) r0 += r7
18: (95) exit
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bpfdiff-asm-'));
});

describe('bpfdiff asm and disasm', () => {
  it('turn examples/seven-args.s into the kernel text of the program', async () => {
    const json = join(dir, 'seven.json');
    const asm = await run(['asm', 'examples/seven-args.s', '-o', json]);
    expect(asm).toEqual({ code: 0, stdout: '', stderr: '' });
    const doc = JSON.parse(await readFile(json, 'utf8'));
    expect(doc.funcs).toEqual([
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'f', start: 9, args: 7, linkage: 'static' },
    ]);
    const dis = await run(['disasm', json]);
    expect(dis).toEqual({ code: 0, stdout: SEVEN_ARGS_KERNEL_TEXT, stderr: '' });
  });

  it('print listings whose instructions assemble back to the same bytes', async () => {
    const listing = (await run(['disasm', 'examples/seven-args.json'])).stdout;
    const doc = JSON.parse(await readFile('examples/seven-args.json', 'utf8'));
    expect(rawToHex(assemble(listing).insns)).toBe(doc.insns);
  });

  it('print with --source a file that asm rebuilds into the very same program', async () => {
    const program = {
      format: 'bpfdiff.program/v1',
      progType: 'xdp',
      insns: rawToHex(assemble('r1 = map[id:1] ll\ncall g\nexit\ng: r0 = 0\nexit\n').insns),
      funcs: [
        { name: 'main', start: 0, args: 1, linkage: 'static' },
        { name: 'g', start: 4, args: 5, linkage: 'global', argTypes: ['scalar', 'ctx', 'mem:16', 'mem:8:nonnull', 'scalar'] },
      ],
      maps: [
        { type: 'hash', keySize: 8, valueSize: 16, maxEntries: 4 },
        { type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 },
      ],
      input: '01'.repeat(20),
    };
    const file = join(dir, 'full.json');
    await writeFile(file, JSON.stringify(program));
    const listing = join(dir, 'full.s');
    const dis = await run(['disasm', '--source', file]);
    expect(dis.code).toBe(0);
    expect(dis.stdout).toContain('.func g args=5 global types=scalar,ctx,mem:16,mem:8:nonnull,scalar\n4: (b7) r0 = 0\n');
    await writeFile(listing, dis.stdout);
    const again = await run(['asm', listing]);
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout)).toEqual(program);
  });

  it('match the committed example JSON files', async () => {
    for (const name of ['seven-args', 'thirteen-args']) {
      const r = await run(['asm', `examples/${name}.s`]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(await readFile(`examples/${name}.json`, 'utf8'));
    }
  });

  it('disassemble each program of a .jsonl file under its own header', async () => {
    const seven = JSON.parse(await readFile('examples/seven-args.json', 'utf8'));
    const thirteen = JSON.parse(await readFile('examples/thirteen-args.json', 'utf8'));
    const file = join(dir, 'both.jsonl');
    await writeFile(file, `${JSON.stringify(seven)}\n${JSON.stringify(thirteen)}\n`);
    const r = await run(['disasm', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('; program 1 of 2');
    expect(lines.slice(1, 22).join('\n') + '\n').toBe(SEVEN_ARGS_KERNEL_TEXT);
    expect(lines[22]).toBe('; program 2 of 2');
    expect(lines).toContain('12: (7a) *(u64 *)(r11 -64) = 13');
    expect(lines).toContain('; func f args=12');
  });

  it('report an assembler error with the file and line', async () => {
    const src = join(dir, 'bad.s');
    await writeFile(src, '.func main args=1\n  r0 = 0\n  r0 +== 1\n  exit\n');
    const r = await run(['asm', src]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^bpfdiff: ${src}:3: .+\\n$`));
  });

  it('refuse a bad program file with one line naming the field', async () => {
    const seven = JSON.parse(await readFile('examples/seven-args.json', 'utf8'));
    seven.funcs[1].start = 6;
    const file = join(dir, 'bad-start.json');
    await writeFile(file, JSON.stringify(seven));
    const r = await execa('node', ['bin/bpfdiff.js', 'disasm', file], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`bpfdiff: ${file}: insns[7]: call target 9 is not the start of a function (and 1 more; see bpfdiff validate)`);
  });
});
