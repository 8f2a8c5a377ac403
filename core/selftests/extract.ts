// One kernel selftest file as data: its test functions (annotations, asm template, operands),
// the non-test functions they may call, its map definitions, and the C expressions (sizes,
// offsets, constants, raw instructions) that a C compiler must evaluate for the conversion.
// Mirrors what tools/testing/selftests/bpf/test_loader.c reads from the annotations.
import { asmStatements, cString, macroCalls, preprocess, splitTopLevel, stringMacro, topLevelItems, type AsmStatement, type StringMacro } from './c-source.ts';

interface Annotations {
  sec?: string;
  description?: string;
  /** __success / __failure (privileged, which is how bpfdiff loads) */
  expect?: 'success' | 'failure';
  expectUnpriv?: 'success' | 'failure';
  msgs: string[];
  notMsgs: string[];
  msgsUnpriv: string[];
  retval?: string;
  retvalUnpriv?: string;
  flags: string[];
  logLevel?: number;
  auxiliary: boolean;
  arch: string[];
  btfPath: boolean;
  other: string[];
}

export interface CFunction {
  name: string;
  isStatic: boolean;
  naked: boolean;
  /** the parameter list as written, `void` for none */
  params: string[];
  ann: Annotations;
  /** undefined: the body is C code, not asm statements */
  asm?: AsmStatement[];
}

interface MapDef {
  name: string;
  /** `__uint(type, X)` etc.: field name to its C expression */
  fields: Record<string, string>;
  /** the text of the whole definition */
  text: string;
}

export interface SelftestFile {
  functions: CFunction[];
  maps: MapDef[];
  /** names of other global variables (used through __imm_addr they need a data section map) */
  globals: string[];
  /** struct/union/enum/typedef definitions and #defines, for the C compiler */
  declarations: string[];
}

const ANN_FLAGS = new Set(['__success', '__failure', '__success_unpriv', '__failure_unpriv', '__auxiliary', '__auxiliary_unpriv', '__naked']);

function annotations(header: string): Annotations {
  const ann: Annotations = { msgs: [], notMsgs: [], msgsUnpriv: [], flags: [], auxiliary: false, arch: [], btfPath: false, other: [] };
  for (const { name, args } of macroCalls(header)) {
    switch (name) {
      case 'SEC': ann.sec = cString(args ?? ''); break;
      case '__description': ann.description = cString(args ?? ''); break;
      case '__success': ann.expect = 'success'; break;
      case '__failure': ann.expect = 'failure'; break;
      case '__success_unpriv': ann.expectUnpriv = 'success'; break;
      case '__failure_unpriv': ann.expectUnpriv = 'failure'; break;
      case '__msg': ann.msgs.push(cString(args ?? '')); break;
      case '__not_msg': ann.notMsgs.push(cString(args ?? '')); break;
      case '__msg_unpriv': ann.msgsUnpriv.push(cString(args ?? '')); break;
      case '__retval': ann.retval = (args ?? '').trim(); break;
      case '__retval_unpriv': ann.retvalUnpriv = (args ?? '').trim(); break;
      case '__flag': ann.flags.push((args ?? '').trim()); break;
      case '__log_level': ann.logLevel = Number((args ?? '').trim()); break;
      case '__auxiliary': ann.auxiliary = true; break;
      case '__arch_x86_64': ann.arch.push('X86_64'); break;
      case '__arch_arm64': ann.arch.push('ARM64'); break;
      case '__arch_riscv64': ann.arch.push('RISCV64'); break;
      case '__arch_s390x': ann.arch.push('s390x'); break;
      case '__arch_loongarch': ann.arch.push('LOONGARCH'); break;
      case '__arch': ann.arch.push(cString(args ?? '')); break;
      case '__btf_path':
      case '__btf_func_path': ann.btfPath = true; break;
      default:
        if (name.startsWith('__') && !ANN_FLAGS.has(name)) ann.other.push(args === undefined ? name : `${name}(${args.trim()})`);
    }
  }
  return ann;
}

/** `NAME(params)` at the end of a function header; params may hold parentheses (`unsigned char (*p)[16]`). */
function parameterList(header: string): { name: string; params: string; index: number } | undefined {
  const end = header.trimEnd();
  if (!end.endsWith(')')) return undefined;
  let depth = 0;
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] === ')') depth++;
    else if (end[i] === '(' && --depth === 0) {
      const name = /([A-Za-z_]\w*)\s*$/.exec(end.slice(0, i));
      return name ? { name: name[1], params: end.slice(i + 1, end.length - 1), index: name.index } : undefined;
    }
  }
  return undefined;
}

function parseFunction(header: string, body: string, macros: ReadonlyMap<string, StringMacro>): CFunction | undefined {
  const m = parameterList(header);
  if (!m) return undefined;
  const before = header.slice(0, m.index);
  const params = m.params.trim() === '' ? ['void'] : splitTopLevel(m.params);
  return {
    name: m.name,
    isStatic: /\bstatic\b/.test(before),
    naked: /\b__naked\b|__attribute__\s*\(\(\s*naked/.test(before),
    params,
    ann: annotations(before),
    asm: asmStatements(body, macros),
  };
}

function parseMap(text: string): MapDef | undefined {
  const m = /^struct\s*\{([\s\S]*)\}\s*([A-Za-z_]\w*)\s+SEC\s*\(\s*"\.maps"\s*\)\s*(?:=[\s\S]*)?;$/.exec(text);
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  for (const { name, args } of macroCalls(m[1])) {
    if ((name === '__uint' || name === '__type' || name === '__array' || name === '__ulong') && args !== undefined) {
      const [field, ...rest] = splitTopLevel(args);
      fields[field] = `${name === '__type' ? 'type:' : name === '__array' ? 'array:' : ''}${rest.join(', ')}`;
    }
  }
  return { name: m[2], fields, text };
}

/** Read a selftest file's text. */
export function readSelftestFile(text: string): SelftestFile {
  const out: SelftestFile = { functions: [], maps: [], globals: [], declarations: [] };
  const macros = new Map<string, StringMacro>();
  for (const item of topLevelItems(preprocess(text))) {
    if (item.kind === 'function') {
      const f = parseFunction(item.header!, item.body!, macros);
      if (f) out.functions.push(f);
      continue;
    }
    const t = item.text;
    if (item.kind === 'directive') {
      const sm = stringMacro(t);
      if (sm) macros.set(sm[0], sm[1]);
      else if (/^#\s*define\b/.test(t) && !/\basm\b/.test(t)) out.declarations.push(t);
      continue;
    }
    const map = parseMap(t);
    if (map) {
      out.maps.push(map);
      continue;
    }
    if (/^(struct|union|enum)\s+\w+\s*\{[\s\S]*\}\s*;$/.test(t) || /^typedef\b/.test(t)) {
      out.declarations.push(t);
      continue;
    }
    // a global variable: `int x SEC(".data") = 1;`, `char _license[] SEC("license") = "GPL";`, `__u64 g;`
    const g = /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*(?:SEC\s*\([^)]*\)\s*)?(?:__\w+(?:\([^)]*\))?\s*)*(?:=[\s\S]*)?;$/.exec(t);
    if (g && !/^(extern|struct\s+\w+\s*;|__\w+\s*\()/.test(t) && !/\)\s*;$/.test(t)) out.globals.push(g[1]);
  }
  return out;
}

/** The C expression behind each operand: `__imm_const(n, e)` gives `n` -> `e`, etc. */
interface Operand {
  name: string;
  kind: 'imm' | 'const' | 'addr' | 'ptr' | 'insn';
  expr: string;
}

export function parseOperand(text: string): Operand | undefined {
  let m = /^__imm\s*\(\s*(\w+)\s*\)$/.exec(text);
  if (m) return { name: m[1], kind: 'imm', expr: m[1] };
  m = /^__imm_addr\s*\(\s*(\w+)\s*\)$/.exec(text);
  if (m) return { name: m[1], kind: 'addr', expr: m[1] };
  m = /^__imm_ptr\s*\(\s*(\w+)\s*\)$/.exec(text);
  if (m) return { name: m[1], kind: 'ptr', expr: m[1] };
  m = /^__imm_const\s*\(\s*(\w+)\s*,([\s\S]*)\)$/.exec(text);
  if (m) return { name: m[1], kind: 'const', expr: m[2].trim() };
  m = /^__imm_insn\s*\(\s*(\w+)\s*,([\s\S]*)\)$/.exec(text);
  if (m) return { name: m[1], kind: 'insn', expr: m[2].trim() };
  m = /^\[\s*(\w+)\s*\]\s*"i"\s*\(([\s\S]*)\)$/.exec(text);
  if (m) return { name: m[1], kind: 'const', expr: m[2].trim() };
  return undefined;
}
