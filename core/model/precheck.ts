// The checks the kernel runs before walking any path, one function per kernel pass, in bpf_check's
// order: subprogram discovery (add_subprog_and_kfunc), jump ranges and function ends
// (check_subprogs), func_info layout (check_btf_func), register numbers, opcodes, reserved fields
// and map references (check_and_resolve_insns, resolve_pseudo_ldimm64), reachability
// (bpf_check_cfg) and recursion (sort_subprogs_topo).
import type { RawInsn } from '../isa/raw.ts';
import type { Program } from '../program/types.ts';
import { E2BIG, EINVAL, ENOTSUPP, EPROTO, msg } from './messages.ts';
import {
  BPF_ABS, BPF_ADD, BPF_B, BPF_H, BPF_ALU, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_ATOMIC, BPF_CALL, BPF_DIV, BPF_DW, BPF_END, BPF_EXIT, BPF_IMM, BPF_IND, BPF_JA,
  BPF_JCOND, BPF_JMP, BPF_JMP32, BPF_K, BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MEMSX, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR,
  BPF_PSEUDO_BTF_ID, BPF_PSEUDO_CALL, BPF_PSEUDO_FUNC, BPF_PSEUDO_KFUNC_CALL, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, BPF_PSEUDO_MAP_VALUE, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_X, BPF_XOR,
  isGotoX, isLdImm64, isPseudoCall, isPseudoFunc, isStackArgLdx, isStackArgSt, isStackArgStx, jmpOffset, opClass, opMode, opOp, opSize, opSource, PUBLIC_OPCODES,
} from '../isa/index.ts';
import type { Profile } from './profile.ts';
import type { ArgType } from '../isa/arg-types.ts';
import { cover } from './coverage.ts';

/** A reject found by a check: errno and the kernel's reason line; or a construct the model does not cover. */
export type CheckResult = { kind: 'reject'; errno: number; message: string } | { kind: 'unknown'; what: string };

export const reject = (errno: number, message: string): CheckResult => ({ kind: 'reject', errno, message });
export const unknown = (what: string): CheckResult => ({ kind: 'unknown', what });

export interface Subprog {
  start: number;
  /** one past the last instruction */
  end: number;
  name: string;
  args: number;
  linkage: 'static' | 'global';
  /** FuncDecl.argTypes: each argument's BTF type (absent: all scalar) */
  argTypes?: readonly ArgType[];
}

interface Prechecked {
  subprogs: Subprog[];
  /** subprogram index of each instruction */
  subprogOf: Int32Array;
}

const MAX_SUBPROGS = 256;

/** a reserved-field reject; at module level, since a closure per checked insn costs more than the checks (tsx names each one) */
const r = (m: string): CheckResult => reject(EINVAL, m);

/** check_alu_fields / check_jmp_fields / check_insn_fields; also run by 6.12's walk at each insn */
export function checkInsnFields(insn: RawInsn): CheckResult | undefined {
  const c = opClass(insn.code), o = opOp(insn.code);
  switch (c) {
    case BPF_ALU:
    case BPF_ALU64:
      switch (o) {
        case BPF_NEG:
          if (opSource(insn.code) !== BPF_K || insn.src !== 0 || insn.off !== 0 || insn.imm !== 0) return r('BPF_NEG uses reserved fields');
          return undefined;
        case BPF_END:
          if (insn.src !== 0 || insn.off !== 0 || (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) || (c === BPF_ALU64 && opSource(insn.code) !== BPF_K))
            return r('BPF_END uses reserved fields');
          return undefined;
        case BPF_MOV:
          if (opSource(insn.code) === BPF_X) {
            if (c === BPF_ALU) {
              if ((insn.off !== 0 && insn.off !== 8 && insn.off !== 16) || insn.imm) return r('BPF_MOV uses reserved fields');
            } else if (insn.off === 1) {
              if (insn.imm !== 1 && insn.imm !== 1 << 16) return r('addr_space_cast insn can only convert between address space 1 and 0');
            } else if ((insn.off !== 0 && insn.off !== 8 && insn.off !== 16 && insn.off !== 32) || insn.imm) return r('BPF_MOV uses reserved fields');
          } else if (insn.src !== 0 || insn.off !== 0) return r('BPF_MOV uses reserved fields');
          return undefined;
        case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_DIV: case BPF_OR: case BPF_AND: case BPF_LSH: case BPF_RSH: case BPF_MOD: case BPF_XOR: case BPF_ARSH: {
          const divmod = o === BPF_DIV || o === BPF_MOD;
          if (opSource(insn.code) === BPF_X) {
            if (insn.imm !== 0 || (insn.off !== 0 && insn.off !== 1) || (insn.off === 1 && !divmod)) return r('BPF_ALU uses reserved fields');
          } else if (insn.src !== 0 || (insn.off !== 0 && insn.off !== 1) || (insn.off === 1 && !divmod)) return r('BPF_ALU uses reserved fields');
          return undefined;
        }
        default:
          return r(`invalid BPF_ALU opcode ${o.toString(16)}`);
      }
    case BPF_LDX:
      if ((opMode(insn.code) !== BPF_MEM && opMode(insn.code) !== BPF_MEMSX) || insn.imm !== 0) return r('BPF_LDX uses reserved fields');
      return undefined;
    case BPF_STX:
      if (opMode(insn.code) === BPF_ATOMIC) return undefined;
      if (opMode(insn.code) !== BPF_MEM || insn.imm !== 0) return r('BPF_STX uses reserved fields');
      return undefined;
    case BPF_ST:
      if (opMode(insn.code) !== BPF_MEM || insn.src !== 0) return r('BPF_ST uses reserved fields');
      return undefined;
    case BPF_JMP:
    case BPF_JMP32:
      switch (o) {
        case BPF_CALL:
          if (opSource(insn.code) !== BPF_K || (insn.src !== BPF_PSEUDO_KFUNC_CALL && insn.off !== 0) ||
            (insn.src !== 0 && insn.src !== BPF_PSEUDO_CALL && insn.src !== BPF_PSEUDO_KFUNC_CALL) || insn.dst !== 0 || c === BPF_JMP32)
            return r('BPF_CALL uses reserved fields');
          return undefined;
        case BPF_JA:
          if (opSource(insn.code) === BPF_X) {
            if (insn.src !== 0 || insn.imm !== 0 || insn.off !== 0) return r('BPF_JA|BPF_X uses reserved fields');
          } else if (insn.src !== 0 || insn.dst !== 0 || (c === BPF_JMP && insn.imm !== 0) || (c === BPF_JMP32 && insn.off !== 0))
            return r('BPF_JA uses reserved fields');
          return undefined;
        case BPF_EXIT:
          if (opSource(insn.code) !== BPF_K || insn.imm !== 0 || insn.src !== 0 || insn.dst !== 0 || c === BPF_JMP32) return r('BPF_EXIT uses reserved fields');
          return undefined;
        case BPF_JCOND:
          if (insn.code !== (BPF_JMP | BPF_JCOND) || insn.src !== 0 || insn.dst || insn.imm) return r(`invalid may_goto imm ${insn.imm}`);
          return undefined;
        default:
          if (opSource(insn.code) === BPF_X) {
            if (insn.imm !== 0) return r('BPF_JMP/JMP32 uses reserved fields');
          } else if (insn.src !== 0) return r('BPF_JMP/JMP32 uses reserved fields');
          return undefined;
      }
    case BPF_LD: {
      const m = opMode(insn.code);
      if (m === BPF_ABS || m === BPF_IND) {
        if (insn.dst !== 0 || insn.off !== 0 || opSize(insn.code) === BPF_DW || (m === BPF_ABS && insn.src !== 0)) return r('BPF_LD_[ABS|IND] uses reserved fields');
      } else if (m !== BPF_IMM) return r('invalid BPF_LD mode');
      return undefined;
    }
    default:
      return r(`unknown insn class ${c}`);
  }
}

/** the `R%d is invalid` register-number rule of check_and_resolve_insns (stack-arg forms excepted) */
export function checkRegNumbers(insn: RawInsn, profile: Profile): CheckResult | undefined {
  const r11 = profile.features.stackArgs ? profile.features.stackArgReg : -1;
  const stackArgStore = r11 >= 0 && (isStackArgSt(insn, r11) || isStackArgStx(insn, r11));
  const stackArgLoad = r11 >= 0 && isStackArgLdx(insn, r11);
  if (insn.dst >= 11 && !stackArgStore) return reject(EINVAL, msg.regInvalid(insn.dst));
  if (insn.src >= 11 && !stackArgLoad) return reject(EINVAL, msg.regInvalid(insn.src));
  return undefined;
}

/**
 * The passes bpf_check runs before the walk, in the kernel's order; the first reject (or
 * construct the model does not cover) ends it.
 */
export function precheck(prog: Program, profile: Profile): Prechecked | CheckResult {
  const insns = prog.insns;
  if (insns.length === 0) return reject(EINVAL, '');
  const starts = addSubprogAndKfunc(insns);
  if (!Array.isArray(starts)) return starts;
  const bad = checkSubprogs(insns, starts);
  if (bad) return bad;
  const subprogs = checkBtfFunc(prog, starts);
  if (!Array.isArray(subprogs)) return subprogs;
  const badInsn = checkAndResolveInsns(prog, profile);
  if (badInsn) return badInsn;
  const seen = bpfCheckCfg(insns);
  if (!(seen instanceof Uint8Array)) return seen;
  const subprogOf = new Int32Array(insns.length);
  subprogs.forEach((s, k) => subprogOf.fill(k, s.start, s.end));
  const recursion = sortSubprogsTopo(insns, subprogs, subprogOf, seen);
  if (recursion) return recursion;
  return { subprogs, subprogOf };
}

/** add_subprog_and_kfunc: every pseudo call and function reference starts a subprogram; sorted starts */
function addSubprogAndKfunc(insns: readonly RawInsn[]): number[] | CheckResult {
  const n = insns.length;
  const starts = new Set<number>([0]);
  for (let i = 0; i < n; i++) {
    const insn = insns[i]!;
    if (insn.code === (BPF_JMP | BPF_CALL) && insn.src === BPF_PSEUDO_KFUNC_CALL) return unknown('kfunc calls');
    if (!isPseudoCall(insn) && !isPseudoFunc(insn)) continue;
    const target = i + insn.imm + 1;
    if (target >= n || target < 0) return reject(EINVAL, msg.callToInvalidDest());
    if (!starts.has(target)) {
      if (starts.size >= MAX_SUBPROGS) return reject(E2BIG, msg.tooManySubprogs());
      starts.add(target);
    }
  }
  if (starts.size > 1) cover('add_subprog_and_kfunc:subprog');
  if (starts.size >= 4) cover('add_subprog_and_kfunc:many-subprogs');
  return [...starts].sort((a, b) => a - b);
}

/** check_subprogs: jumps stay inside their subprogram, and each one ends in exit or a jump */
function checkSubprogs(insns: readonly RawInsn[], sortedStarts: number[]): CheckResult | undefined {
  const n = insns.length;
  let cur = 0;
  let subStart = sortedStarts[0]!;
  let subEnd = sortedStarts[1] ?? n;
  for (let i = 0; i < n; i++) {
    const insn = insns[i]!;
    const c = opClass(insn.code);
    if ((c === BPF_JMP || c === BPF_JMP32) && opOp(insn.code) !== BPF_CALL && opOp(insn.code) !== BPF_EXIT && !isGotoX(insn)) {
      const to = i + jmpOffset(insn) + 1;
      if (to < subStart || to >= subEnd) return reject(EINVAL, msg.jumpOutOfRange(i, to));
    }
    if (i === subEnd - 1) {
      if (insn.code !== (BPF_JMP | BPF_EXIT) && insn.code !== (BPF_JMP32 | BPF_JA) && insn.code !== (BPF_JMP | BPF_JA) && !isGotoX(insn))
        return reject(EINVAL, msg.lastInsnNotExit());
      if (insn.code !== (BPF_JMP | BPF_EXIT)) cover('check_subprogs:ends-in-ja');
      subStart = subEnd;
      cur++;
      if (cur < sortedStarts.length) subEnd = sortedStarts[cur + 1] ?? n;
    }
  }
  return undefined;
}

/** check_btf_func (kernel/bpf/check_btf.c): the func_info records (prog.funcs) match the subprograms */
function checkBtfFunc(prog: Program, sortedStarts: number[]): Subprog[] | CheckResult {
  if (prog.funcs.length !== sortedStarts.length) return reject(EINVAL, msg.funcInfoCountMismatch());
  for (let i = 0; i < sortedStarts.length; i++) {
    if (prog.funcs[i]!.start !== sortedStarts[i]) return reject(EINVAL, msg.funcInfoLayoutMismatch());
    if (i > 0) cover(prog.funcs[i]!.linkage === 'global' ? 'check_btf_func:global-func' : 'check_btf_func:static-func');
  }
  return sortedStarts.map((start, i) => ({
    start,
    end: sortedStarts[i + 1] ?? prog.insns.length,
    name: prog.funcs[i]!.name,
    args: prog.funcs[i]!.args,
    linkage: prog.funcs[i]!.linkage,
    argTypes: prog.funcs[i]!.argTypes,
  }));
}

/** check_and_resolve_insns: register numbers, LD_IMM64 pairs and their pseudo sources, known opcodes, reserved fields */
function checkAndResolveInsns(prog: Program, profile: Profile): CheckResult | undefined {
  const insns = prog.insns;
  const n = insns.length;
  for (let i = 0; i < n; i++) {
    const insn = insns[i]!;
    if (profile.features.insnFieldsCheckedBeforeWalk) {
      const bad = checkRegNumbers(insn, profile);
      if (bad) return bad;
    }
    if (isLdImm64(insn)) {
      const next = insns[i + 1];
      if (i === n - 1 || !next || next.code !== 0 || next.dst !== 0 || next.src !== 0 || next.off !== 0) return reject(EINVAL, msg.invalidLdImm64());
      if (insn.off !== 0) return reject(EINVAL, msg.ldImm64Reserved());
      if (insn.src === 0) {
        cover('check_and_resolve_insns:ld-imm64-const');
        i++;
        continue;
      }
      if (insn.src === BPF_PSEUDO_FUNC) return unknown('bpf_ld_imm64 of a function pointer (callbacks)');
      if (insn.src === BPF_PSEUDO_BTF_ID) return unknown('bpf_ld_imm64 of a BTF id');
      const bad = resolvePseudoLdimm64(prog, insn, next);
      if (bad) return bad;
      i++;
      continue;
    }
    // 1- and 2-byte atomics came with load-acquire/store-release (6.15): 6.12's table has none
    const narrowAtomic = opClass(insn.code) === BPF_STX && opMode(insn.code) === BPF_ATOMIC && (opSize(insn.code) === BPF_B || opSize(insn.code) === BPF_H);
    if (!PUBLIC_OPCODES.has(insn.code) || (narrowAtomic && !profile.features.atomicLoadStore)) return reject(EINVAL, msg.unknownOpcode(insn.code));
    if (profile.features.insnFieldsCheckedBeforeWalk) {
      const bad = checkInsnFields(insn);
      if (bad) return bad;
    }
  }
  return undefined;
}

/**
 * bpf_check_cfg (kernel/bpf/cfg.c): everything must be reachable from insn 0 (privileged:
 * back-edges allowed), and no jump lands in the middle of an LD_IMM64. Returns what was reached.
 */
function bpfCheckCfg(insns: readonly RawInsn[]): Uint8Array | CheckResult {
  const n = insns.length;
  const seen = new Uint8Array(n);
  const stack = [0];
  seen[0] = 1;
  const visit = (t: number, w: number): CheckResult | undefined => {
    if (w < 0 || w >= n) return reject(EINVAL, msg.jumpOutOfRange(t, w));
    if (w <= t) cover('bpf_check_cfg:back-edge');
    if (!seen[w]) {
      seen[w] = 1;
      stack.push(w);
    }
    return undefined;
  };
  while (stack.length) {
    const t = stack.pop()!;
    const insn = insns[t]!;
    const c = opClass(insn.code);
    let bad: CheckResult | undefined;
    if (isLdImm64(insn)) bad = visit(t, t + 2);
    else if (c === BPF_JMP || c === BPF_JMP32) {
      const o = opOp(insn.code);
      if (o === BPF_EXIT) continue;
      if (o === BPF_CALL) {
        bad = visit(t, t + 1);
        if (!bad && insn.src === BPF_PSEUDO_CALL) {
          cover('bpf_check_cfg:call-edge');
          bad = visit(t, t + insn.imm + 1);
        }
      } else if (o === BPF_JA) {
        if (opSource(insn.code) === BPF_X) return unknown('indirect jumps (gotox)');
        bad = visit(t, t + jmpOffset(insn) + 1);
      } else if (o === BPF_JCOND) {
        return unknown('may_goto');
      } else {
        bad = visit(t, t + 1) ?? visit(t, t + insn.off + 1);
      }
    } else bad = visit(t, t + 1);
    if (bad) return bad;
  }
  for (let i = 0; i < n; i++) {
    if (!seen[i]) return reject(EINVAL, msg.unreachable(i));
    if (isLdImm64(insns[i]!)) {
      if (seen[i + 1]) return reject(EINVAL, `jump into the middle of ldimm64 insn ${i}`);
      i++;
    }
  }
  return seen;
}

/** sort_subprogs_topo: a DFS over the reachable calls of the call graph finds recursion */
function sortSubprogsTopo(insns: readonly RawInsn[], subprogs: Subprog[], subprogOf: Int32Array, seen: Uint8Array): CheckResult | undefined {
  const color = new Uint8Array(subprogs.length);
  const callees = subprogs.map((s) => {
    const out: number[] = [];
    for (let i = s.end - 1; i >= s.start; i--) {
      const insn = insns[i]!;
      if (isPseudoCall(insn) && seen[i]) out.push(subprogOf[i + insn.imm + 1]!);
    }
    return out;
  });
  for (let root = 0; root < subprogs.length; root++) {
    if (color[root]) continue;
    color[root] = 1;
    const dfs: number[] = [root];
    while (dfs.length) {
      const curSub = dfs[dfs.length - 1]!;
      let pushed = false;
      for (const callee of callees[curSub]!) {
        if (color[callee] === 2) continue;
        if (color[callee] === 1) return reject(EINVAL, msg.recursiveCall(subprogs[curSub]!.name, subprogs[callee]!.name));
        if (dfs.length >= 2) cover('sort_subprogs_topo:call-chain');
        color[callee] = 1;
        dfs.push(callee);
        pushed = true;
        break;
      }
      if (!pushed) {
        color[curSub] = 2;
        dfs.pop();
      }
    }
  }
  return undefined;
}

/**
 * resolve_pseudo_ldimm64 (check_and_resolve_insns in 7.2) for map references: src 1 (BPF_PSEUDO_MAP_FD, imm = index into
 * Program.maps, which the loader turns into the map's fd) and src 2 (BPF_PSEUDO_MAP_VALUE, the
 * value of a one-element array at offset next.imm). src 5 and 6 name maps through fd_array,
 * which bpfdiff never passes.
 */
function resolvePseudoLdimm64(prog: Program, insn: RawInsn, next: RawInsn): CheckResult | undefined {
  if (insn.src !== BPF_PSEUDO_MAP_FD && insn.src !== BPF_PSEUDO_MAP_VALUE && insn.src !== BPF_PSEUDO_MAP_IDX && insn.src !== BPF_PSEUDO_MAP_IDX_VALUE) return reject(EINVAL, msg.unrecognizedLdImm64());
  if ((insn.src === BPF_PSEUDO_MAP_FD || insn.src === BPF_PSEUDO_MAP_IDX) && next.imm !== 0) return reject(EINVAL, msg.unrecognizedLdImm64());
  if (insn.src === BPF_PSEUDO_MAP_IDX || insn.src === BPF_PSEUDO_MAP_IDX_VALUE) return reject(EPROTO, 'fd_idx without fd_array is invalid');
  const map = prog.maps[insn.imm];
  if (!map) return unknown(`bpf_ld_imm64 of map index ${insn.imm}, which the program does not declare`);
  if (insn.src === BPF_PSEUDO_MAP_FD) {
    cover('resolve_pseudo_ldimm64:map-fd');
    return undefined;
  }
  // array_map_direct_value_addr; hash maps have no direct value access
  if (map.type !== 'array') return reject(EINVAL, 'no direct value access support for this map type');
  const off = next.imm >>> 0;
  if (map.maxEntries !== 1) return reject(ENOTSUPP, `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`);
  if (off >= map.valueSize) return reject(EINVAL, `invalid access to map value pointer, value_size=${map.valueSize} off=${off}`);
  cover('resolve_pseudo_ldimm64:map-value');
  return undefined;
}

export const isCheckResult = (x: Prechecked | CheckResult): x is CheckResult => 'kind' in x;
