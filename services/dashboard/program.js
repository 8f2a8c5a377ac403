// What the finding page reads out of a bpfdiff.program/v1 file in the browser: the raw 8-byte
// instruction records, the call graph with its r11 stack-argument stores, and which instruction
// the verifier stopped at. Pure functions of plain data, no DOM.

import { OP_CALL, OP_LD_IMM64, OP_STACK_ARG_LDX, OP_STACK_ARG_ST, OP_STACK_ARG_STX, PSEUDO_CALL, PSEUDO_FUNC, R11 } from './isa.js';

/** the only stores r11 accepts */
const STACK_ARG_STORES = new Set([OP_STACK_ARG_STX, OP_STACK_ARG_ST]);

/** Little-endian struct bpf_insn records from hex: {code, dst, src, off, imm}. */
export function decodeInsns(hex) {
  const out = [];
  for (let p = 0; p + 16 <= hex.length; p += 16) {
    const b = [];
    for (let k = 0; k < 8; k++) b.push(parseInt(hex.slice(p + 2 * k, p + 2 * k + 2), 16));
    const off = ((b[3] << 8) | b[2]) << 16 >> 16;
    const imm = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
    out.push({ code: b[0], dst: b[1] & 0x0f, src: b[1] >> 4, off, imm });
  }
  return out;
}

export const isPseudoCall = (insn) => insn.code === OP_CALL && insn.src === PSEUDO_CALL;
export const isStackArgStore = (insn) => STACK_ARG_STORES.has(insn.code) && insn.dst === R11;
export const touchesR11 = (insn) => insn.dst === R11 || insn.src === R11;

/** Index into funcs of the function that holds instruction i (funcs sorted by start). */
export function funcOf(funcs, i) {
  let k = 0;
  for (let j = 0; j < funcs.length; j++) if (funcs[j].start <= i) k = j;
  return k;
}

/**
 * The call graph: one node per function, one edge per (caller, callee) with its call sites,
 * and for each site the r11 stores the caller made since its previous call (the stack
 * arguments that call passes).
 */
export function callGraph(program) {
  const insns = decodeInsns(program.insns);
  const funcs = program.funcs;
  const nodes = funcs.map((f, k) => ({ index: k, name: f.name, args: f.args, start: f.start, linkage: f.linkage, stackArgStores: [], calls: 0 }));
  const edges = new Map();
  const pending = funcs.map(() => []);
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i];
    const from = funcOf(funcs, i);
    if (isStackArgStore(insn)) {
      nodes[from].stackArgStores.push({ insn: i, off: insn.off });
      pending[from].push(insn.off);
    } else if (isPseudoCall(insn) || (insn.code === OP_LD_IMM64 && insn.src === PSEUDO_FUNC)) {
      const target = i + insn.imm + 1;
      const to = funcs.findIndex((f) => f.start === target);
      const key = `${from}->${to}`;
      const kind = isPseudoCall(insn) ? 'call' : 'callback';
      if (!edges.has(key)) edges.set(key, { from, to, target, kind, sites: [] });
      edges.get(key).sites.push({ insn: i, stackArgs: kind === 'call' ? pending[from] : [] });
      if (kind === 'call') {
        pending[from] = [];
        nodes[from].calls++;
      }
    }
    if (insn.code === OP_LD_IMM64) i++;
  }
  return { nodes, edges: [...edges.values()] };
}

/**
 * Layered layout: a function's layer is its longest call distance from main, so every call
 * arrow points down. BPF call graphs are acyclic (the verifier rejects recursion); a cycle in
 * a generated program is cut at the back edge so the drawing still terminates.
 */
export function layers(graph) {
  const n = graph.nodes.length;
  const depth = new Array(n).fill(-1);
  depth[0] = 0;
  for (let round = 0; round < n; round++) {
    let changed = false;
    for (const e of graph.edges) {
      if (e.to < 0 || depth[e.from] < 0 || e.from === e.to) continue;
      if (depth[e.to] < depth[e.from] + 1 && depth[e.from] + 1 < n) {
        depth[e.to] = depth[e.from] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  // functions nothing calls (dead or global entry points) sit in the last layer
  const max = Math.max(0, ...depth);
  const rows = [];
  depth.forEach((d, k) => {
    const row = d < 0 ? max + 1 : d;
    (rows[row] ??= []).push(k);
  });
  return rows.filter(Boolean);
}

/**
 * Which side of a divergence to read for "where": the kernel's outcome when it refused or
 * crashed (its log, if kept, is exact), else the model's when the model refused.
 */
export function refusingSide(example) {
  if (!example) return undefined;
  const stopped = (o) => o && o.verdict !== 'accept' && (o.log || o.message);
  if (stopped(example.actual)) return { outcome: example.actual, who: 'kernel' };
  if (stopped(example.model)) return { outcome: example.model, who: 'model' };
  return undefined;
}

const R11_LOAD = (x) => x.code === OP_STACK_ARG_LDX && x.src === R11;

/**
 * The instruction the verifier stopped at, and how we know. In order of trust:
 *  1. a kept verifier log: the last `N: (hh) ...` line before the reason line;
 *  2. an instruction the reason line names (`jump out of range from insn 5 to 9`);
 *  3. for the stack-argument reasons, the instruction the rule is about: the r11 access at
 *     the offset named, the call whose stack argument is missing, the r11 load after a store
 *     or call, a function's last r11 store; for `R11 is invalid`, the first r11 access.
 * Returns {index, how} or undefined (retval differences, reasons that name no place).
 */
export function divergingInsn(outcome, program) {
  if (!outcome) return undefined;
  const message = (outcome.message ?? '').trim();
  if (outcome.log) {
    const lines = outcome.log.split('\n');
    let end = lines.length;
    if (message) {
      const at = lines.map((l) => l.trim()).lastIndexOf(message);
      if (at >= 0) end = at;
    }
    for (let i = end - 1; i >= 0; i--) {
      const m = /^(\d+): \([0-9a-f]{2}\)/.exec(lines[i]);
      if (m) return { index: Number(m[1]), how: 'the last instruction in the verifier log before its reason line' };
    }
  }
  const named = /\binsn (?:idx )?#?(\d+)\b/.exec(message);
  if (named) return { index: Number(named[1]), how: 'the instruction the reason line names' };
  if (!program) return undefined;
  const insns = decodeInsns(program.insns);
  const funcs = program.funcs;
  const found = (index, how) => (index !== undefined && index >= 0 ? { index, how } : undefined);
  const callTo = (k) => insns.findIndex((x, i) => isPseudoCall(x) && i + x.imm + 1 === funcs[k]?.start);

  const expects = /^callee expects (\d+) args, stack arg\d+ is not initialized/.exec(message);
  if (expects) {
    const callee = funcs.findIndex((f, k) => k > 0 && f.args === Number(expects[1]));
    return found(callee > 0 ? callTo(callee) : -1, 'the first call to a function taking that many arguments');
  }
  const passes = /^Caller passes invalid args into func#(\d+)/.exec(message);
  if (passes) return found(callTo(Number(passes[1])), 'the first call to the function the reason line names');
  const writes = /^func#(\d+) writes \d+ stack arg slots/.exec(message);
  if (writes) {
    const k = Number(writes[1]);
    const end = k + 1 < funcs.length ? funcs[k + 1].start : insns.length;
    let last = -1;
    for (let i = funcs[k]?.start ?? insns.length; i < end; i++) if (isStackArgStore(insns[i])) last = i;
    return found(last, "the function's last r11 store");
  }
  if (/^r11 load must be before/.test(message)) {
    const seen = funcs.map(() => false);
    for (let i = 0; i < insns.length; i++) {
      const k = funcOf(funcs, i);
      if (R11_LOAD(insns[i]) && seen[k]) return { index: i, how: 'the first r11 load after an r11 store or call in its function' };
      if (isStackArgStore(insns[i]) || isPseudoCall(insns[i])) seen[k] = true;
    }
    return undefined;
  }
  if (/stack arg|\bR11\b|\br11\b/i.test(message)) {
    const off = /\boff(?:set)?[ =](-?\d+)\b/.exec(message);
    for (let i = 0; i < insns.length; i++) {
      if (!touchesR11(insns[i])) continue;
      if (!off || insns[i].off === Number(off[1])) return { index: i, how: off ? 'the first r11 access at the offset the reason line names' : 'the first r11 access' };
    }
  }
  return undefined;
}

/** The verifier log's tail that leads to the reason: what a kernel developer reads first. */
export function logExcerpt(log, message, lines = 24) {
  const all = log.replace(/\s+$/, '').split('\n');
  let end = all.length;
  const processed = all.findIndex((l) => /^processed \d+ insns/.test(l));
  if (processed >= 0) end = processed + 1;
  const start = Math.max(0, end - lines);
  return { text: all.slice(start, end).join('\n'), skipped: start, message };
}

/** File name of a finding's program download, used by the reproduce command too. */
export function programFileName(id, which) {
  return `bpfdiff-${id}-${which}.json`;
}

/** The file text `bpfdiff asm` writes: one field a line, each array entry on its own line. */
export function programFileText(program) {
  const fields = Object.entries(program).map(([key, value]) => {
    const name = JSON.stringify(key);
    if (!Array.isArray(value)) return `  ${name}: ${JSON.stringify(value)}`;
    return `  ${name}: [\n${value.map((entry) => `    ${JSON.stringify(entry)}`).join(',\n')}\n  ]`;
  });
  return `{\n${fields.join(',\n')}\n}\n`;
}
