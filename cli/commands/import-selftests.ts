// `bpfdiff import-selftests KERNEL_TREE [--out DIR]`: turns the kernel's own verifier selftests
// (tools/testing/selftests/bpf/progs/verifier_*.c and the stack-argument ones) into
// corpus/kernel-selftests/selftests.jsonl (one bpfdiff.program/v1 per line, the annotations
// in `meta.expected`) and summary.json (counts, and every test left out with its reason).
// The C constants the tests use (offsetof(struct __sk_buff, ...), sizeof of map values,
// raw instructions built with BPF_RAW_INSN) are evaluated by compiling a small host program
// with gcc against the tree's own uapi headers, so the numbers are the kernel's.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { HELPER_NAMES } from '../../core/isa/index.ts';
import { programToJson, type Program } from '../../core/program/index.ts';
import { convertTest, expressionsOf, type LeftOut } from '../../core/selftests/convert.ts';
import { readSelftestFile, type SelftestFile } from '../../core/selftests/extract.ts';
import { UserError } from '../user-error.ts';

const PROGS = 'tools/testing/selftests/bpf/progs';
export const SELFTEST_FILES = /^(verifier_.*|stack_arg.*)\.c$/;

export function register(program: Command): void {
  program
    .command('import-selftests')
    .description("import the kernel's verifier selftests as a bpfdiff.program/v1 JSONL corpus")
    .argument('<tree>', 'a kernel source tree (vm-images/fetch-source.sh 7.2 fetches Debian linux-source-7.2)')
    .option('--out <dir>', 'output folder', 'corpus/kernel-selftests')
    .action((tree: string, opts: { out: string }) => {
      const progs = join(tree, PROGS);
      if (!existsSync(progs)) throw new UserError(`${tree}: no ${PROGS} (expected a kernel source tree)`);
      const { programs, leftOut, files } = importTree(tree);
      mkdirSync(opts.out, { recursive: true });
      writeFileSync(join(opts.out, 'selftests.jsonl'), programs.map((p) => JSON.stringify(programToJson(p))).join('\n') + '\n');
      const byReason: Record<string, number> = {};
      for (const l of leftOut) byReason[l.reason] = (byReason[l.reason] ?? 0) + 1;
      const summary = {
        tree: tree.replace(/^.*\/(linux-source-[^/]+)\/?$/, '$1'),
        files,
        imported: programs.length,
        leftOutTotal: leftOut.length,
        leftOutByReason: Object.fromEntries(Object.entries(byReason).sort((a, b) => b[1] - a[1])),
        leftOut,
      };
      writeFileSync(join(opts.out, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
      process.stdout.write(`${programs.length} tests imported from ${files} files, ${leftOut.length} left out (${opts.out}/summary.json)\n`);
    });
}

export function importTree(tree: string): { programs: Program[]; leftOut: LeftOut[]; files: number } {
  const progs = join(tree, PROGS);
  const names = readdirSync(progs).filter((f) => SELFTEST_FILES.test(f)).sort();
  const programs: Program[] = [];
  const leftOut: LeftOut[] = [];
  for (const name of names) {
    const file = readSelftestFile(readFileSync(join(progs, name), 'utf8'));
    const values = evaluate(tree, file);
    for (const f of file.functions) {
      const r = convertTest(file, name, f, values);
      if (!r) continue;
      if ('program' in r) programs.push(r.program);
      else leftOut.push(r.leftOut);
    }
  }
  return { programs, leftOut, files: names.length };
}

const PRELUDE = (tree: string) => `#include <stdio.h>
#include <stddef.h>
#include <limits.h>
#include <errno.h>
#include <linux/bpf.h>
#include "${tree}/tools/include/linux/filter.h"
typedef __u8 u8; typedef __u16 u16; typedef __u32 u32; typedef __u64 u64;
typedef __s8 s8; typedef __s16 s16; typedef __s32 s32; typedef __s64 s64;
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))
#define offsetofend(TYPE, MEMBER) (offsetof(TYPE, MEMBER) + sizeof_field(TYPE, MEMBER))
#define POINTER_VALUE 0xbadcafe
#define TEST_DATA_LEN 64
#define __aligned(x) __attribute__((aligned(x)))
`;

/** Evaluate every C expression of a file by compiling a host program; what does not compile is left out. */
function evaluate(tree: string, file: SelftestFile): Map<string, bigint> {
  const exprs = expressionsOf(file).filter((e) => !HELPER_NAMES.includes(e));
  const values = new Map<string, bigint>();
  if (exprs.length === 0) return values;
  let decls = [...file.declarations];
  let live = exprs.map((_, i) => i);
  const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-import-'));
  try {
    for (let attempt = 0; attempt < 50 && live.length > 0; attempt++) {
      const prelude = PRELUDE(tree);
      const declStart = prelude.split('\n').length;
      const declLines = decls.map((d) => d.replace(/\s*\n\s*/g, ' '));
      const body = live.map((i) => {
        const e = exprs[i];
        return e.startsWith('insn:')
          ? `printf("${i} %llu\\n", *(unsigned long long *)&(${e.slice(5)}));`
          : `printf("${i} %lld\\n", (long long)(${e}));`;
      });
      const src = `${prelude}${declLines.map((l) => `${l}\n`).join('')}int main(void) {\n${body.join('\n')}\nreturn 0; }\n`;
      const exprStart = declStart + declLines.length + 1;
      writeFileSync(join(dir, 'e.c'), src);
      try {
        execFileSync('gcc', ['-w', '-I', join(tree, 'tools/include/uapi'), '-I', join(tree, 'tools/include'), '-o', join(dir, 'e'), join(dir, 'e.c')], { stdio: 'pipe' });
      } catch (err) {
        const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
        const bad = new Set([...stderr.matchAll(/e\.c:(\d+):\d+: error/g)].map((m) => Number(m[1])));
        if (bad.size === 0) throw new UserError(`gcc failed without a line: ${stderr.slice(0, 400)}`);
        const badDecls = new Set([...bad].filter((l) => l >= declStart && l < declStart + declLines.length).map((l) => l - declStart));
        const badExprs = new Set([...bad].filter((l) => l > exprStart - 1 && l < exprStart + live.length).map((l) => l - exprStart));
        if (badDecls.size === 0 && badExprs.size === 0) throw new UserError(`gcc error outside the generated lines: ${stderr.slice(0, 400)}`);
        decls = decls.filter((_, k) => !badDecls.has(k));
        live = live.filter((_, k) => !badExprs.has(k));
        continue;
      }
      const out = execFileSync(join(dir, 'e'), { encoding: 'utf8' });
      for (const line of out.trim().split('\n')) {
        const [i, v] = line.split(' ');
        if (v !== undefined) values.set(exprs[Number(i)], BigInt(v));
      }
      break;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return values;
}
