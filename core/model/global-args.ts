// Pointer arguments of functions, from their BTF types (FuncDecl.argTypes): what each argument is
// (btf_prepare_func_args, kernel/bpf/btf.c), what a caller must pass (btf_check_func_arg_match with
// check_func_arg_reg_off and check_mem_reg, kernel/bpf/verifier.c), and the state a global function
// starts from when it is verified on its own (do_check_common).
import { argKindOf } from '../isa/arg-types.ts';
import { cover } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import { checkHelperMemAccess, type MemEnv } from './memory.ts';
import { checkArgPtrOff } from './helper-call.ts';
import { EINVAL } from './messages.ts';
import { reject, type CheckResult, type Subprog } from './precheck.ts';
import { tnumIsConst } from './scalar/tnum.ts';
import { NOT_NULL_TYPE, isPktPointerAny, nextId, pointerReg, unknownScalar, type Reg, type VState } from './state.ts';

/** struct bpf_subprog_arg_info: ARG_ANYTHING, ARG_PTR_TO_CTX, ARG_PTR_TO_MEM [| PTR_MAYBE_NULL] with mem_size */
export type SubprogArg = { kind: 'anything' } | { kind: 'ctx' } | { kind: 'mem'; size: number; maybeNull: boolean };

/**
 * The argument loop of btf_prepare_func_args: ctx → ARG_PTR_TO_CTX (any linkage, since the struct
 * is named after the program type's context); mem:N → ARG_PTR_TO_MEM of N bytes, PTR_MAYBE_NULL
 * unless tagged `arg:nonnull`, for a global function only. A static function with a memory pointer
 * (or with any `arg:` tag, btf_scan_decl_tags) gets -EINVAL/-EOPNOTSUPP without a reject: its BTF
 * is unreliable.
 */
export function prepareArgTypes(s: Subprog): SubprogArg[] | 'unreliable' {
  const out: SubprogArg[] = [];
  for (let i = 0; i < s.args; i++) {
    const k = argKindOf(s.argTypes, i);
    if (k.kind === 'scalar') out.push({ kind: 'anything' });
    else if (k.kind === 'ctx') out.push({ kind: 'ctx' });
    else if (s.linkage !== 'global') {
      cover('btf_prepare_func_args:static-mem-unreliable');
      return 'unreliable';
    } else out.push({ kind: 'mem', size: k.size, maybeNull: !k.nonnull });
  }
  return out;
}

/** The register state do_check_common gives argument `i` of a global function verified on its own. */
export function calleeArgState(arg: SubprogArg): Reg {
  switch (arg.kind) {
    case 'anything':
      return unknownScalar();
    case 'ctx':
      cover('do_check_common:ctx-arg');
      return pointerReg('ptr_to_ctx', 0);
    case 'mem': {
      cover(arg.maybeNull ? 'do_check_common:mem-or-null-arg' : 'do_check_common:mem-arg');
      const r = pointerReg(arg.maybeNull ? 'mem_or_null' : 'mem', 0);
      // mem_size shares reg->range's union in the kernel, and in the model
      r.range = arg.size;
      if (arg.maybeNull) r.id = nextId();
      return r;
    }
  }
}

/** What the argument checks need of the call. */
interface ArgMatchEnv extends MemEnv {
  /** subprog_info[callee].changes_pkt_data */
  calleeChangesPktData: boolean;
  calleeIndex: number;
}

/**
 * btf_check_func_arg_match for the argument kinds above: undefined when every argument matches,
 * else the reject of the first mismatch (its line is the one the kernel logs before
 * "Caller passes invalid args into func#N" for a global callee; a static callee is then unreliable).
 */
export function checkArgMatch(st: VState, args: readonly SubprogArg[], argRegs: readonly Reg[], env: ArgMatchEnv): CheckResult | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const reg = argRegs[i]!;
    const who = i < 5 ? `R${i + 1}` : `*(R11-${(i - 4) * 8})`;
    if (arg.kind === 'anything') {
      if (reg.type !== 'scalar') return reject(EINVAL, `${who} is not a scalar`);
      continue;
    }
    // check_func_arg_reg_off(ARG_DONTCARE / ARG_PTR_TO_CTX)
    const off = checkArgPtrOff(reg, who);
    if (off) return off;
    if (arg.kind === 'ctx') {
      if (reg.type !== 'ptr_to_ctx') return reject(EINVAL, `${who} expects pointer to ctx`);
      cover('btf_check_func_arg_match:ctx');
      continue;
    }
    const e = checkMemReg(st, reg, i + 1, arg.size, env);
    if (e) return e.kind === 'reject' ? { ...e, errno: EINVAL } : e;
    if (isPktPointerAny(reg.type) && env.calleeChangesPktData)
      return reject(EINVAL, `${who} is a packet pointer, but func#${env.calleeIndex} may change packet data`);
    if (!arg.maybeNull && (NOT_NULL_TYPE[reg.type] !== undefined || (isNullScalar(reg) && env.profile.features.nonnullArgRejectsNull)))
      return reject(EINVAL, `${who} is expected to be non-NULL`);
    cover(isNullScalar(reg) ? 'btf_check_func_arg_match:mem-null' : MEM_ARG_RULES[memArgSource(reg)]);
  }
  return undefined;
}

const isNullScalar = (r: Reg): boolean => r.type === 'scalar' && tnumIsConst(r.varOff) && r.varOff.value === 0n;

const MEM_ARG_RULES: Record<ReturnType<typeof memArgSource>, CheckRuleId> = {
  stack: 'btf_check_func_arg_match:mem-stack',
  'map-value': 'btf_check_func_arg_match:mem-map-value',
  pkt: 'btf_check_func_arg_match:mem-pkt',
  mem: 'btf_check_func_arg_match:mem-mem',
  'maybe-null': 'btf_check_func_arg_match:mem-maybe-null',
};

function memArgSource(r: Reg): 'stack' | 'map-value' | 'pkt' | 'mem' | 'maybe-null' {
  if (NOT_NULL_TYPE[r.type] !== undefined) return 'maybe-null';
  if (r.type === 'ptr_to_stack') return 'stack';
  if (r.type === 'map_value') return 'map-value';
  if (r.type === 'mem') return 'mem';
  return 'pkt';
}

/**
 * check_mem_reg: NULL passes; otherwise the pointer (a may-be-NULL one as if checked) must give
 * `size` bytes to read and then to write (check_helper_mem_access twice: the write pass leaves
 * caller stack bytes misc and spilled registers unknown, as a helper's write would).
 */
function checkMemReg(st: VState, reg: Reg, regno: number, size: number, env: MemEnv): CheckResult | undefined {
  if (isNullScalar(reg)) return undefined;
  const notNull = NOT_NULL_TYPE[reg.type];
  const r = notNull !== undefined ? { ...reg, type: notNull } : reg;
  return checkHelperMemAccess(st, r, regno, size, false, true, undefined, env) ?? checkHelperMemAccess(st, r, regno, size, true, true, undefined, env);
}
