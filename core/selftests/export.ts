// A Program as a kernel selftest a maintainer can apply: one test in the style of
// tools/testing/selftests/bpf/progs/verifier_stack_arg.c — a SEC() program that is a __naked
// function whose body is inline BPF assembly (LLVM's BPF syntax, as test_loader.c builds it),
// each subprogram a __noinline __naked static function whose C prototype gives the BTF its
// argument count, and the expected result as __success __retval(N) or __failure __msg("...").
// The importer (convert.ts) reads this text back into the same program.
import { disassemble, HELPER_NAMES } from '../isa/index.ts';
import type { Program, ProgType } from '../program/index.ts';
import { cParam } from './param-types.ts';

/** What the test asserts: the verdict, and the reason line (reject) or return value (accept). */
export interface SelftestExpectation {
  verdict: 'accept' | 'reject';
  /** the verifier's reason line, for __msg (reject) */
  msg?: string;
  /** u32 return value of the test run, for __retval (accept) */
  retval?: number;
}

interface SelftestOptions {
  /** C name of the test function (letters, digits, underscore) */
  name: string;
  /** __description text */
  description: string;
  expected: SelftestExpectation;
  /** lines of the comment above the test (what it reproduces, where it came from) */
  comment?: string[];
}

export class SelftestExportError extends Error {
  override name = 'SelftestExportError';
}

const SECTION: Record<ProgType, string> = { sched_cls: 'tc', xdp: 'xdp', socket_filter: 'socket' };

/** A C identifier from free text: `stack-arg/unreliable.s` -> `stack_arg_unreliable_s`. */
export function cIdentifier(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'test';
  return /^\d/.test(id) ? `t_${id}` : id;
}

/** A C string literal's contents. */
function cString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The retval as test_loader compares it: an int (a u32 above INT_MAX is written negative). */
function retvalText(retval: number): string {
  return String((retval >>> 0) | 0);
}

/**
 * A listing line as LLVM's assembler reads it: no `(hh) ` opcode prefix, a 64-bit immediate
 * load marked `ll` (the kernel's log prints `r1 = 0x4000000000000000`), and `%` doubled, as
 * inline asm wants a literal % (`r1 s%%= 3`); operands and labels are added after.
 */
function llvmSpelling(text: string): string {
  const ldImm64 = text.startsWith('(18) ');
  let s = text.replace(/^\([0-9a-f]{2}\) /, '').replace(/%/g, '%%');
  if (ldImm64 && !/ ll$/.test(s)) s += ' ll';
  return s;
}

interface FuncText {
  lines: string[];
  helpers: Set<string>;
  maps: Set<number>;
}

/**
 * One function's instructions in LLVM's BPF syntax: jumps to local labels, calls of
 * subprograms by C name, helpers as `%[name]` operands, maps as `%[map_N]`, and memory
 * operands spelled `(r10 - 8)` as the kernel's selftests write them.
 */
function functionBody(program: Program, f: number, cNames: readonly string[], listing: ReadonlyArray<{ index: number; text: string }>): FuncText {
  const start = program.funcs[f].start;
  const end = f + 1 < program.funcs.length ? program.funcs[f + 1].start : program.insns.length;
  // the listing's `(hh) ` opcode prefix is for reading logs; the assembler needs none
  const mine = listing.filter((l) => l.index >= start && l.index < end).map((l) => ({ index: l.index, text: llvmSpelling(l.text) }));
  // (inline asm: a literal % is %%, as in `r1 s%%= 3`; operands and labels are added below)
  const funcAt = new Map(program.funcs.map((d, i) => [d.start, i]));
  const targets = new Map<number, string>();
  const helpers = new Set<string>();
  const maps = new Set<number>();
  const out: string[] = [];
  const jump = /^(.*\b(?:goto|gotol|may_goto)) pc([+-]\d+)$/;
  for (const { index, text } of mine) {
    const m = jump.exec(text);
    if (m) {
      const to = index + 1 + Number(m[2]);
      if (!targets.has(to)) targets.set(to, `l${targets.size}_%=`);
    }
  }
  for (const { index, text } of mine) {
    const label = targets.get(index);
    if (label) out.push(`${label}:`);
    let s = text;
    const j = jump.exec(s);
    const call = /^call pc([+-]\d+)$/.exec(s);
    const helper = /^call (\w+)#(\d+)$/.exec(s);
    if (j) s = `${j[1]} ${targets.get(index + 1 + Number(j[2]))}`;
    else if (call) {
      const callee = funcAt.get(index + 1 + Number(call[1]));
      if (callee === undefined) throw new SelftestExportError(`insn ${index}: call pc${call[1]} does not reach the start of a function`);
      s = `call ${cNames[callee]}`;
    } else if (helper) {
      if (!HELPER_NAMES.includes(helper[1])) throw new SelftestExportError(`insn ${index}: ${text}: only helpers known by name can be written as a selftest operand`);
      helpers.add(helper[1]);
      s = `call %[${helper[1]}]`;
    } else if (/map\[id:(\d+)\]/.test(s)) {
      if (!/^r\d+ = map\[id:\d+\] ll$/.test(s) && !/^r\d+ = map\[id:\d+\]$/.test(s)) throw new SelftestExportError(`insn ${index}: ${text}: only a map's address (src 1) has a selftest form here`);
      const id = Number(/map\[id:(\d+)\]/.exec(s)![1]);
      maps.add(id);
      s = s.replace(/map\[id:\d+\]( ll)?$/, `%[map_${id}] ll`);
    } else if (/\b(func|map)\[(pc|idx)/.test(s) || /#\d+ off=/.test(s)) {
      throw new SelftestExportError(`insn ${index}: ${text}: no selftest form for this pseudo instruction`);
    }
    s = s.replace(/\((r\d+) ([+-])(\d+)\)/g, '($1 $2 $3)');
    out.push(s);
  }
  const after = targets.get(end);
  if (after) throw new SelftestExportError(`function ${program.funcs[f].name}: a jump leaves the function (to insn ${end})`);
  return { lines: out, helpers, maps };
}

function asmBlock(body: FuncText, indent = '\t'): string[] {
  const ops = [...[...body.helpers].sort().map((h) => `__imm(${h})`), ...[...body.maps].sort((a, b) => a - b).map((m) => `__imm_addr(map_${m})`)];
  const lines = body.lines.map((l) => (l.endsWith(':') ? `${indent}"${l}"` : `${indent}\t"${cString(l)};"`));
  return [
    `${indent}asm volatile (`,
    ...lines,
    ops.length === 0 ? `${indent}\t::: __clobber_all` : `${indent}\t:: ${ops.join(',\n' + indent + '\t   ')}\n${indent}\t: __clobber_all`,
    `${indent});`,
  ];
}

function annotation(e: SelftestExpectation): string[] {
  if (e.verdict === 'accept') return [e.retval === undefined ? '__success' : `__success __retval(${retvalText(e.retval)})`];
  return e.msg ? ['__failure', `__msg("${cString(e.msg)}")`] : ['__failure'];
}

/**
 * The selftest as the text of a progs/verifier_*.c file: the includes, the maps, the
 * subprograms and the test, guarded like verifier_stack_arg.c when it uses stack arguments.
 */
export function exportSelftest(program: Program, opts: SelftestOptions): string {
  const name = cIdentifier(opts.name);
  if (program.funcs[0]?.start !== 0) throw new SelftestExportError('funcs[0]: the main function must start at insn 0');
  const cNames = program.funcs.map((f, i) => (i === 0 ? name : `${name}_${cIdentifier(f.name)}`));
  const listing = disassemble(program.insns);
  const bodies = program.funcs.map((_, i) => functionBody(program, i, cNames, listing));
  const stackArgs = program.funcs.some((f) => f.args > 5) || listing.some((l) => /\(r11 [+-]/.test(l.text));
  const out: string[] = ['// SPDX-License-Identifier: GPL-2.0', '', '#include <linux/bpf.h>', '#include <bpf/bpf_helpers.h>', '#include "bpf_misc.h"', ''];
  program.maps.forEach((m, i) => {
    if (!bodies.some((b) => b.maps.has(i))) return;
    out.push(
      'struct {',
      `\t__uint(type, ${m.type === 'hash' ? 'BPF_MAP_TYPE_HASH' : 'BPF_MAP_TYPE_ARRAY'});`,
      `\t__uint(max_entries, ${m.maxEntries});`,
      `\t__uint(key_size, ${m.keySize});`,
      `\t__uint(value_size, ${m.valueSize});`,
      `} map_${i} SEC(".maps");`,
      '',
    );
  });
  if (stackArgs) out.push('#if (defined(__TARGET_ARCH_x86) || defined(__TARGET_ARCH_arm64)) && \\', '\tdefined(__BPF_FEATURE_STACK_ARGUMENT)', '');
  program.funcs.forEach((f, i) => {
    if (i === 0) return;
    const params = f.args === 0 ? 'void' : Array.from({ length: f.args }, (_, k) => cParam(f.argTypes, k, program.progType)).join(', ');
    out.push('__noinline __used __naked', `${f.linkage === 'global' ? '' : 'static '}long ${cNames[i]}(${params})`, '{', ...asmBlock(bodies[i]), '}', '');
  });
  if (opts.comment?.length) out.push('/*', ...opts.comment.map((l) => (l ? ` * ${l.replace(/\*\//g, '* /')}` : ' *')), ' */');
  out.push(`SEC("${SECTION[program.progType]}")`, `__description("${cString(opts.description)}")`, ...annotation(opts.expected), `__naked void ${name}(void)`, '{', ...asmBlock(bodies[0]), '}', '');
  if (stackArgs) out.push('#endif', '');
  out.push('char _license[] SEC("license") = "GPL";', '');
  return out.join('\n');
}
