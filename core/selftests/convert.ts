// One kernel selftest -> one bpfdiff Program, or the reason it cannot be one here. The asm
// template is the assembler's own language (LLVM's BPF syntax); the importer only fills in
// what the C compiler would: `%[name]` operands (helpers by name, maps as map[id:N],
// constants the caller evaluated, raw instructions as `.8byte`), `%=` (unique per asm
// statement) and `%%`. Called functions without SEC() are appended as subprograms, as
// libbpf does. Expected results follow test_loader.c (PRIV mode: bpfdiff loads as root).
import { AsmError, HELPER_NAMES } from '../isa/index.ts';
import type { MapDecl, Program, ProgType } from '../program/index.ts';
import { programFromAsm, validateProgram, formatIssue } from '../program/index.ts';
import { parseOperand, type CFunction, type SelftestFile } from './extract.ts';
import { paramArgType } from './param-types.ts';

/** Why a test is not imported; the summary counts tests by `reason`. */
export interface LeftOut {
  name: string;
  source: string;
  reason: string;
  detail: string;
}

export interface Expected {
  verdict: 'accept' | 'reject';
  /** __msg texts, in order (`{{...}}` parts are regular expressions, as in test_loader) */
  msgs: string[];
  notMsgs?: string[];
  retval?: number;
}

/** C expressions the caller evaluated: expression text -> value (absent: does not compile). */
type Values = ReadonlyMap<string, bigint>;

const SEC_TYPES: Array<[RegExp, ProgType]> = [
  [/^socket$/, 'socket_filter'],
  [/^(tc|classifier|tc\/(ingress|egress)|tcx\/(ingress|egress))$/, 'sched_cls'],
  [/^xdp$/, 'xdp'],
];
/** prog_flags with no effect on the verdict here (x86-64 has efficient unaligned access; the rest change the log) */
const HARMLESS_FLAGS = new Set(['BPF_F_ANY_ALIGNMENT', 'BPF_F_TEST_STATE_FREQ', 'BPF_F_TEST_RND_HI32', 'BPF_F_TEST_REG_INVARIANTS']);
const SPECIAL_FIELDS = /bpf_spin_lock|bpf_res_spin_lock|bpf_timer|bpf_wq|__kptr|bpf_list_head|bpf_list_node|bpf_rb_root|bpf_rb_node|bpf_refcount|bpf_task_work/;
const RETVAL_NAMES: Record<string, bigint> = { POINTER_VALUE: 0xbadcafen, TEST_DATA_LEN: 64n, _INT_MIN: -(1n << 31n) };

class Skip extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** Every C expression the conversion of this file may need evaluated. */
export function expressionsOf(file: SelftestFile): string[] {
  const out = new Set<string>();
  for (const f of file.functions) {
    for (const stmt of f.asm ?? []) {
      for (const text of stmt.inputs) {
        const op = parseOperand(text);
        if (op && (op.kind === 'const' || op.kind === 'imm')) out.add(op.expr);
        if (op && op.kind === 'insn') out.add(`insn:${op.expr}`);
      }
    }
    if (f.ann.retval && !/^-?(0x[0-9a-f]+|\d+)$/i.test(f.ann.retval) && !(f.ann.retval in RETVAL_NAMES)) out.add(f.ann.retval);
  }
  for (const m of file.maps) {
    for (const [k, v] of Object.entries(m.fields)) {
      if (k === 'type' || k === 'map_flags' || v.startsWith('array:')) continue;
      out.add(v.startsWith('type:') ? `sizeof(${v.slice(5)})` : v);
    }
  }
  return [...out];
}

const progTypeOf = (sec: string): ProgType | undefined => SEC_TYPES.find(([re]) => re.test(sec.replace(/^\?/, '')))?.[1];

function mapDecl(file: SelftestFile, name: string, values: Values): MapDecl {
  const m = file.maps.find((x) => x.name === name)!;
  const type = m.fields.type;
  const kind = type === 'BPF_MAP_TYPE_HASH' ? 'hash' : type === 'BPF_MAP_TYPE_ARRAY' ? 'array' : undefined;
  if (!kind) throw new Skip(`map-type:${type?.replace('BPF_MAP_TYPE_', '').toLowerCase() ?? 'none'}`, `map ${name} is ${type}; the program format has hash and array maps`);
  if (m.fields.map_flags) throw new Skip('map-flags', `map ${name} has map_flags ${m.fields.map_flags}`);
  const size = (field: string): number => {
    const v = m.fields[field];
    const expr = v === undefined ? undefined : v.startsWith('type:') ? `sizeof(${v.slice(5)})` : v;
    const n = expr === undefined ? undefined : values.get(expr);
    if (n === undefined) throw new Skip('map-size', `map ${name}: cannot evaluate ${field}`);
    return Number(n);
  };
  const valueType = m.fields.value?.startsWith('type:') ? m.fields.value.slice(5).trim() : '';
  const structName = /^struct\s+(\w+)$/.exec(valueType)?.[1];
  const decl = structName ? file.declarations.find((d) => new RegExp(`^struct\\s+${structName}\\s*\\{`).test(d)) : undefined;
  if (SPECIAL_FIELDS.test(valueType) || (decl && SPECIAL_FIELDS.test(decl))) {
    throw new Skip('map-btf', `map ${name}: value ${valueType} has fields the kernel finds through map BTF (lock, timer, kptr, ...)`);
  }
  const keySize = m.fields.key !== undefined ? size('key') : size('key_size');
  const valueSize = m.fields.value !== undefined ? size('value') : size('value_size');
  return { type: kind, keySize, valueSize, maxEntries: size('max_entries') };
}

function retvalOf(text: string | undefined, values: Values): number | undefined {
  if (text === undefined) return undefined;
  let v: bigint | undefined;
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(text)) v = text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
  else v = RETVAL_NAMES[text] ?? values.get(text);
  if (v === undefined) throw new Skip('retval', `cannot evaluate __retval(${text})`);
  return Number(BigInt.asUintN(32, v));
}

/** Assembler lines of one function's asm, operands filled in; collects called functions and maps. */
function functionLines(f: CFunction, index: number, file: SelftestFile, values: Values, callees: string[], maps: string[]): string[] {
  const lines: string[] = [];
  const ops = new Map<string, ReturnType<typeof parseOperand>>();
  for (const stmt of f.asm!) for (const text of stmt.inputs) {
    const op = parseOperand(text);
    if (!op) throw new Skip('operand', `${f.name}: operand ${text} is not an __imm form`);
    ops.set(op.name, op);
  }
  const fnames = new Set(file.functions.map((x) => x.name));
  const fill = (name: string): string => {
    const op = ops.get(name);
    if (!op) throw new Skip('operand', `${f.name}: %[${name}] has no operand`);
    switch (op.kind) {
      case 'imm':
      case 'const': {
        if (HELPER_NAMES.includes(op.expr)) return op.expr;
        if (fnames.has(op.expr)) return op.expr;
        const v = values.get(op.expr);
        if (v !== undefined) return v.toString();
        if (/^bpf_\w+$|^\w+$/.test(op.expr) && op.kind === 'imm') throw new Skip('kfunc', `${f.name}: calls ${op.expr}, which is not a helper (a kfunc needs kernel BTF)`);
        throw new Skip('constant', `${f.name}: cannot evaluate ${op.expr}`);
      }
      case 'addr':
        if (file.maps.some((m) => m.name === op.expr)) {
          if (!maps.includes(op.expr)) maps.push(op.expr);
          return `map[id:${maps.indexOf(op.expr)}]`;
        }
        if (fnames.has(op.expr)) {
          if (!callees.includes(op.expr)) callees.push(op.expr);
          return `func[${op.expr}]`;
        }
        throw new Skip('global-variable', `${f.name}: takes the address of ${op.expr} (a global variable needs a data section map)`);
      case 'ptr':
        throw new Skip('operand', `${f.name}: __imm_ptr(${op.expr}) is a register operand`);
      case 'insn': {
        const v = values.get(`insn:${op.expr}`);
        if (v === undefined) throw new Skip('constant', `${f.name}: cannot evaluate the instruction ${op.expr}`);
        return `0x${BigInt.asUintN(64, v).toString(16)}`;
      }
    }
  };
  const pieces: string[] = [];
  for (const stmt of f.asm!) {
    if (stmt.macro) throw new Skip('asm-macro', `${f.name}: the asm text is built with C macros (${stmt.macro})`);
    const text = stmt.template
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/%(%|=|\[(\w+)\])/g, (_m, what: string, name: string | undefined) => (what === '%' ? '%' : what === '=' ? String(index) : fill(name!)));
    pieces.push(...text.split(/[;\n]/));
  }
  for (let s of localLabels(pieces.map((p) => p.replace(/#.*$/, '').trim()).filter((p) => p !== ''), index)) {
    // labels, several may share a line: `l21_0:l22_0: r1 = 0`
    let lm: RegExpExecArray | null;
    while ((lm = /^([A-Za-z_.$][\w.$]*):\s*(.*)$/.exec(s))) {
      lines.push(`${lm[1]}:`);
      s = lm[2].trim();
    }
    if (s === '') continue;
    // C integer suffixes LLVM accepts (`0xffffffff00000000LL ll`)
    s = s.replace(/\b((?:0x[0-9a-fA-F]+|\d+))(?:ULL|LL|UL|U|L)\b/gi, '$1');
    // LLVM: `rN = IMM` without `ll` is always a mov of a sign-extended 32-bit immediate, whatever the spelling
    const mov = /^(r\d+)\s*=\s*(-?0x[0-9a-fA-F]+)$/.exec(s);
    if (mov) s = `${mov[1]} = ${movImm(mov[2], f.name)}`;
    const call = /^call\s+([A-Za-z_]\w*)$/.exec(s);
    if (call && !HELPER_NAMES.includes(call[1]) && fnames.has(call[1]) && !callees.includes(call[1])) callees.push(call[1]);
    // a function's address through __imm: `r2 = cb ll`
    const addr = /^(r\d+)\s*=\s*([A-Za-z_]\w*)\s+ll$/.exec(s);
    if (addr && fnames.has(addr[2])) {
      if (!callees.includes(addr[2])) callees.push(addr[2]);
      s = `${addr[1]} = func[${addr[2]}] ll`;
    }
    lines.push(s);
  }
  return joinDataDirectives(lines);
}

function movImm(text: string, where: string): string {
  let v = text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
  if (v >= (1n << 64n) - (1n << 31n) && v < 1n << 64n) v -= 1n << 64n;
  if (v < -(1n << 31n) || v >= 1n << 32n) throw new Skip('asm', `${where}: mov immediate ${text} does not fit 32 bits`);
  return BigInt.asIntN(32, v).toString();
}

/** GNU as numeric local labels (`1:`, `goto 1f`, `goto 1b`) as unique names. */
function localLabels(stmts: string[], index: number): string[] {
  const split = stmts.map((s) => {
    const labels: string[] = [];
    let rest = s;
    let m: RegExpExecArray | null;
    while ((m = /^([A-Za-z_.$\d][\w.$]*):\s*(.*)$/.exec(rest))) {
      labels.push(m[1]);
      rest = m[2];
    }
    return { labels, rest };
  });
  const defs: Array<{ at: number; n: string }> = [];
  split.forEach((x, at) => x.labels.forEach((l) => /^\d+$/.test(l) && defs.push({ at, n: l })));
  if (defs.length === 0) return stmts;
  const nameOf = (k: number) => `.Lnum${defs[k].n}_${index}_${k}`;
  return split.map((x, at) => {
    const labels = x.labels.map((l) => (/^\d+$/.test(l) ? nameOf(defs.findIndex((d) => d.at === at && d.n === l)) : l));
    const rest = x.rest.replace(/\b(\d+)([fb])\b/g, (whole, n: string, dir: string) => {
      const k = dir === 'f' ? defs.findIndex((d) => d.n === n && d.at > at) : defs.findLastIndex((d) => d.n === n && d.at <= at);
      return k < 0 ? whole : nameOf(k);
    });
    return [...labels.map((l) => `${l}:`), rest].join(' ');
  });
}

/** Consecutive `.byte`/`.short`/`.long` directives that make up one 8-byte record, as `.8byte`. */
function joinDataDirectives(lines: string[]): string[] {
  const out: string[] = [];
  const sizes: Record<string, number> = { '.byte': 1, '.short': 2, '.half': 2, '.long': 4, '.word': 4 };
  let bytes: number[] = [];
  for (const line of lines) {
    const m = /^(\.byte|\.short|\.half|\.long|\.word)\s+(-?(?:0x[0-9a-fA-F]+|\d+))$/.exec(line);
    if (!m) {
      if (bytes.length > 0) throw new Skip('asm', `data directives that do not make whole 8-byte records`);
      out.push(line);
      continue;
    }
    const n = sizes[m[1]];
    let v = BigInt.asUintN(n * 8, m[2].startsWith('-') ? -BigInt(m[2].slice(1)) : BigInt(m[2]));
    for (let i = 0; i < n; i++, v >>= 8n) bytes.push(Number(v & 0xffn));
    if (bytes.length === 8) {
      out.push(`.8byte 0x${bytes.map((b) => b.toString(16).padStart(2, '0')).reverse().join('')}`);
      bytes = [];
    }
  }
  return out;
}

/** Convert one test function of a file; `undefined` when it is not a test (no SEC, or not a program section). */
export function convertTest(file: SelftestFile, source: string, test: CFunction, values: Values): { program: Program } | { leftOut: LeftOut } | undefined {
  const { ann } = test;
  if (ann.sec === undefined || ann.sec === '.maps' || ann.sec === 'license') return undefined;
  try {
    return { program: convert(file, source, test, values) };
  } catch (e) {
    if (e instanceof Skip) return { leftOut: { name: test.name, source, reason: e.reason, detail: e.detail } };
    throw e;
  }
}

function convert(file: SelftestFile, source: string, test: CFunction, values: Values): Program {
  const { ann } = test;
  if (!test.asm || !test.naked) throw new Skip('c-code', 'the test is C code; it needs clang to become BPF');
  if (ann.auxiliary) throw new Skip('auxiliary', 'an __auxiliary program (used by other tests, not a test itself)');
  if (ann.arch.length > 0 && !ann.arch.includes('X86_64')) throw new Skip('arch', `only for ${ann.arch.join(', ')}`);
  if (ann.btfPath) throw new Skip('btf', 'loads BTF from another object (__btf_path)');
  const progType = progTypeOf(ann.sec!);
  if (!progType) throw new Skip(`prog-type:${ann.sec!.replace(/^\?/, '').split('/')[0]}`, `SEC("${ann.sec}"): bpfdiff loads and test-runs socket_filter, sched_cls and xdp`);
  const flags = ann.flags.filter((fl) => !HARMLESS_FLAGS.has(fl.replace(/^!/, '')));
  if (flags.length > 0) throw new Skip('prog-flags', `needs prog_flags ${flags.join(', ')}`);
  if (ann.expect === undefined && ann.expectUnpriv !== undefined && ann.msgs.length === 0 && ann.retval === undefined) {
    throw new Skip('unpriv-only', 'annotated only for unprivileged loading; bpfdiff loads as root');
  }

  const callees: string[] = [];
  const mapNames: string[] = [];
  const lines = [`.type ${progType}`, `.func main args=1`, ...functionLines(test, 0, file, values, callees, mapNames)];
  const funcs: Array<{ name: string; args: number; linkage: 'static' | 'global' }> = [];
  for (let k = 0; k < callees.length; k++) {
    const f = file.functions.find((x) => x.name === callees[k])!;
    if (!f.asm || !f.naked) throw new Skip('calls-c-function', `calls ${f.name}, which is C code`);
    if (f.ann.sec !== undefined) throw new Skip('calls-c-function', `calls ${f.name}, which is a program of its own`);
    const params = f.params[0] === 'void' ? [] : f.params;
    // a global function's BTF types decide what the kernel checks: those bpfdiff can encode are kept
    const types = params.map(paramArgType);
    if (!f.isStatic && types.some((t) => t === undefined)) throw new Skip('global-func-btf', `global ${f.name} takes pointers other than the ctx or unsigned char (*)[N]`);
    const typed = !f.isStatic && types.some((t) => t !== 'scalar') ? ` types=${types.join(',')}` : '';
    lines.push(`.func ${f.name} args=${params.length}${f.isStatic ? '' : ' global'}${typed}`);
    funcs.push({ name: f.name, args: params.length, linkage: f.isStatic ? 'static' : 'global' });
    lines.push(...functionLines(f, k + 1, file, values, callees, mapNames));
  }
  const maps = mapNames.map((n) => mapDecl(file, n, values));
  for (const m of maps) lines.push(`.map ${m.type} ${m.keySize} ${m.valueSize} ${m.maxEntries}`);

  let program: Program;
  try {
    // validated below, where a problem is a reason to skip the test rather than an error
    program = programFromAsm(lines.join('\n'), { progType, validate: false });
  } catch (e) {
    if (e instanceof AsmError) throw new Skip('asm', `${e.reason}: '${lines[e.line - 1]}'`);
    throw e;
  }
  const expected: Expected = { verdict: ann.expect === 'failure' ? 'reject' : 'accept', msgs: ann.msgs };
  if (ann.notMsgs.length > 0) expected.notMsgs = ann.notMsgs;
  // test_loader does not compare a retval annotated POINTER_VALUE (the program returns a pointer)
  const retval = ann.retval === 'POINTER_VALUE' ? undefined : retvalOf(ann.retval, values);
  if (retval !== undefined) expected.retval = retval;
  program.meta = {
    name: test.name,
    source,
    ...(ann.description === undefined ? {} : { description: ann.description }),
    sec: ann.sec,
    expected,
    ...(ann.expectUnpriv || ann.msgsUnpriv.length > 0 || ann.retvalUnpriv
      ? { unpriv: { verdict: ann.expectUnpriv === 'failure' ? 'reject' : ann.expectUnpriv === 'success' ? 'accept' : undefined, msgs: ann.msgsUnpriv, retval: ann.retvalUnpriv } }
      : {}),
    ...(ann.flags.length > 0 ? { flags: ann.flags } : {}),
    ...(ann.logLevel === undefined ? {} : { logLevel: ann.logLevel }),
  };
  const issues = validateProgram(program);
  if (issues.length > 0) throw new Skip('invalid', issues.map(formatIssue).join('; '));
  void funcs;
  return program;
}
