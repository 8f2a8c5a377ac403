// check_helper_call: a BPF_CALL to a helper, against its prototype (helpers.ts). Arguments in
// r1-r5 are checked in order (check_func_arg, check_reg_type, check_func_arg_reg_off,
// check_helper_mem_access, check_mem_size_reg), then the helper's own effects: buffers it fills,
// the reference it releases, r0-r5 clobbered, the outgoing stack-argument slots invalidated,
// R0 from the return type, a reference acquired, packet pointers invalidated.
import { EACCES, EINVAL, fillMessage, msg } from './messages.ts';
import { checkHelperMemAccess, checkMemAccess, regTypeStr, tnumStr, type MemEnv, type RawWrite } from './memory.ts';
import { BTF_POINTER_USE, isBtfPointer } from './map-ptr-access.ts';
import { GUEST_NR_CPU_IDS, helperAvailable, helperName, helperProto, type ArgBase, type HelperArg, type HelperProto } from './helpers.ts';
import { acquireReference, clearAllPktPointers, isReferenced, refIdOf, releaseReference } from './pointers.ts';
import { reject, unknown, type CheckResult } from './precheck.ts';
import { cover, coverHelper } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import { markKnown, regBoundsSync, setURange32, setURange64, smin, umax, umin } from './scalar/bounds.ts';
import { tnumIsConst } from './scalar/tnum.ts';
import { HELPER_ID_LIMIT } from '../isa/helper-ids.ts';
import { clearCallerSaved, invalidateOutgoingStackArgs } from './calls.ts';
import { BPF_REG_SIZE, NOT_NULL_TYPE, cloneState, isPktPointer, mayBeNull, nextId, unknownScalar, type Reg, type RegType, type VState } from './state.ts';

const BPF_MAX_VAR_SIZ = 1n << 29n;
const BPF_FUNC_get_smp_processor_id = 8;
const BPF_FUNC_map_lookup_elem = 1;

/** compatible_reg_types: what each argument accepts, in the order the kernel lists them */
const COMPATIBLE: Record<ArgBase, { accepts: ReadonlySet<RegType>; expected: string } | undefined> = {
  anything: undefined,
  map_key: memTypes(),
  map_value: memTypes(),
  mem: memTypes(),
  const_size: { accepts: new Set(['scalar']), expected: 'scalar' },
  const_size_or_zero: { accepts: new Set(['scalar']), expected: 'scalar' },
  const_map_ptr: { accepts: new Set(['map_ptr']), expected: 'map_ptr' },
  ctx: { accepts: new Set(['ptr_to_ctx']), expected: 'ctx' },
  sock_common: { accepts: new Set(['sock_common', 'sock', 'tcp_sock']), expected: 'sock_common, sock, tcp_sock, xdp_sock' },
  // PTR_TO_BTF_ID too: the structs bpf_skc_to_* return all start with struct sock_common (btf_struct_ids_match)
  btf_id_sock_common: { accepts: new Set(['sock_common', 'sock', 'tcp_sock', 'btf_sock']), expected: 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_' },
  socket: { accepts: new Set(['sock']), expected: 'sock' },
  fixed_mem: memTypes(),
};
function memTypes(): { accepts: ReadonlySet<RegType>; expected: string } {
  return {
    accepts: new Set(['ptr_to_stack', 'pkt', 'pkt_meta', 'map_value', 'mem', 'ptr_to_ctx']),
    expected: 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_, ctx',
  };
}
/** mem_types before PTR_TO_CTX joined them (6.12) */
const MEM_TYPES_WITHOUT_CTX = {
  accepts: new Set<RegType>(['ptr_to_stack', 'pkt', 'pkt_meta', 'map_value', 'mem']),
  expected: 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_',
};

/** struct bpf_call_arg_meta, the parts the model uses */
interface CallMeta {
  fn: HelperProto;
  /** map of the ARG_CONST_MAP_PTR argument */
  mapIdx: number;
  raw: RawWrite;
  /** get_constant_map_key: the key an array lookup is known to use */
  constMapKey?: bigint;
  /** update_ref_obj: the id of the referenced object passed, 0 when none */
  refId: number;
}

const isNullScalar = (r: Reg): boolean => r.type === 'scalar' && tnumIsConst(r.varOff) && r.varOff.value === 0n;

/**
 * check_helper_call; on success the state is the one after the call and st.insnIdx is advanced.
 * `push` takes a second state to explore later (push_stack), as a cast of a referenced socket makes.
 */
export function checkHelperCall(st: VState, funcId: number, insnIdx: number, env: MemEnv, push: (other: VState) => void): CheckResult | undefined {
  if (funcId < 0 || funcId >= HELPER_ID_LIMIT) return reject(EINVAL, msg.unknownFunc(funcId));
  if (!helperAvailable(env.progType, funcId, env.profile.features.netnsCookieInSkbProgs))
    return reject(EINVAL, `program of this type cannot use helper ${helperName(funcId)}#${funcId}`);
  const fn = helperProto(funcId);
  if (!fn) return unknown(`helper ${helperName(funcId)}#${funcId}`);
  const f = st.frames[st.frames.length - 1]!;
  const regs = f.regs;
  const meta: CallMeta = { fn, mapIdx: -1, raw: { rawMode: false, accessSize: 0, regno: 0 }, refId: 0 };
  for (let i = 0; i < 5; i++) {
    const e = checkFuncArg(st, i, meta, env);
    if (e) return e;
  }
  // a buffer the helper fills is written byte by byte, which leaves the stack bytes misc
  for (let i = 0; i < meta.raw.accessSize; i++) {
    const e = checkMemAccess(st, { ...regs[meta.raw.regno]! }, { who: `R${meta.raw.regno}`, off: i, size: 1, write: true, valueRegno: -1, ldsx: false }, env);
    if (e) return e;
  }
  coverHelper(funcId);
  const releaseArg = fn.args.findIndex((a) => a.release);
  if (releaseArg >= 0) {
    const r = regs[releaseArg + 1]!;
    if (!isNullScalar(r)) releaseReference(st, refIdOf(r));
    else cover('release_reference:null');
  }
  clearCallerSaved(f);
  if (f.outArgs.some((a) => a.type !== 'not_init')) cover('check_helper_call:clobbers-stack-args');
  invalidateOutgoingStackArgs(f);
  const r0 = setReturn(fn, meta, env);
  if (mayBeNull(r0.type)) r0.id = nextId();
  regs[0] = r0;
  if (fn.ptrCast && meta.refId !== 0) {
    const e = castReferenced(st, r0, meta.refId, insnIdx, env, push);
    if (e) return e;
  } else if (fn.acquire) r0.id = acquireReference(st, insnIdx);
  else if (fn.ptrCast) cover('check_helper_call:ptr-cast-unreferenced');
  if (fn.changesPktData) clearAllPktPointers(st);
  st.insnIdx = insnIdx + 1;
  return undefined;
}

/**
 * check_helper_call, is_ptr_cast_function of a referenced socket (7.x): R0 is the same object, so
 * it shares the reference id and a release of either invalidates both; a cast may still fail, so
 * the NULL result is explored as its own branch from the next insn (R0 a known zero). 6.12 keeps
 * R0 may-be-NULL with its fresh id and gives it the reference as ref_obj_id (release_reference
 * invalidates every register of that ref_obj_id)
 */
function castReferenced(st: VState, r0: Reg, refId: number, insnIdx: number, env: MemEnv, push: (other: VState) => void): CheckResult | undefined {
  if (!env.profile.features.ptrCastSharesRefId) {
    cover('check_helper_call:ptr-cast-ref-obj-id');
    r0.refObjId = refId;
    return undefined;
  }
  cover('check_helper_call:ptr-cast-referenced');
  const branch = cloneState(st);
  const nullR0 = unknownScalar();
  markKnown(nullR0, 0n);
  branch.frames[branch.frames.length - 1]!.regs[0] = nullR0;
  branch.insnIdx = insnIdx + 1;
  push(branch);
  r0.type = NOT_NULL_TYPE[r0.type] ?? r0.type;
  r0.id = refId;
  return undefined;
}

function setReturn(fn: HelperProto, meta: CallMeta, env: MemEnv): Reg {
  const r0 = unknownScalar();
  switch (fn.ret) {
    case 'integer':
      if (fn.id === BPF_FUNC_get_smp_processor_id) {
        // do_refine_retval_range
        cover('check_helper_call:ret-refined');
        setURange64(r0, 0n, BigInt(GUEST_NR_CPU_IDS - 1));
        setURange32(r0, 0n, BigInt(GUEST_NR_CPU_IDS - 1));
        regBoundsSync(r0);
      }
      return r0;
    case 'void':
      cover('check_helper_call:ret-void');
      r0.type = 'not_init';
      return r0;
    case 'map_value_or_null': {
      markKnown(r0, 0n);
      r0.mapIdx = meta.mapIdx;
      const map = env.maps[meta.mapIdx]!;
      // an array lookup with a constant key below max_entries cannot fail (can_elide_value_nullness)
      const elide = env.profile.features.constKeyArrayLookupNotNull && fn.id === BPF_FUNC_map_lookup_elem && map.type === 'array' && meta.constMapKey !== undefined &&
        meta.constMapKey >= 0n && meta.constMapKey < BigInt(map.maxEntries);
      r0.type = elide ? 'map_value' : 'map_value_or_null';
      cover(elide ? 'check_helper_call:ret-map-value-not-null' : 'check_helper_call:ret-map-value-or-null');
      return r0;
    }
    case 'socket_or_null':
      cover('check_helper_call:ret-socket-or-null');
      markKnown(r0, 0n);
      r0.type = 'sock_or_null';
      return r0;
    case 'sock_common_or_null':
      cover('check_helper_call:ret-sock-common-or-null');
      markKnown(r0, 0n);
      r0.type = 'sock_common_or_null';
      return r0;
    case 'tcp_sock_or_null':
      cover('check_helper_call:ret-tcp-sock-or-null');
      markKnown(r0, 0n);
      r0.type = 'tcp_sock_or_null';
      return r0;
    case 'btf_sock_or_null':
      cover('check_helper_call:ret-btf-sock-or-null');
      markKnown(r0, 0n);
      r0.type = 'btf_sock_or_null';
      r0.btf = fn.retBtf;
      return r0;
  }
}

/** the rule of each argument kind */
const ARG_RULES: Record<Exclude<ArgBase, 'anything'>, CheckRuleId> = {
  const_map_ptr: 'check_func_arg:const-map-ptr',
  map_key: 'check_func_arg:map-key',
  map_value: 'check_func_arg:map-value',
  ctx: 'check_func_arg:ctx',
  mem: 'check_func_arg:mem',
  const_size: 'check_func_arg:const-size',
  const_size_or_zero: 'check_func_arg:const-size-or-zero',
  sock_common: 'check_func_arg:sock-common',
  btf_id_sock_common: 'check_func_arg:sock-common',
  socket: 'check_func_arg:socket',
  fixed_mem: 'check_func_arg:fixed-size-mem',
};

/** check_func_arg for argument `i` (register i + 1) */
function checkFuncArg(st: VState, i: number, meta: CallMeta, env: MemEnv): CheckResult | undefined {
  const arg: HelperArg | undefined = meta.fn.args[i];
  if (!arg) return undefined; // ARG_DONTCARE
  const regno = i + 1;
  const regs = st.frames[st.frames.length - 1]!.regs;
  const reg = regs[regno]!;
  if (reg.type === 'not_init') return reject(EACCES, msg.notReadOk(regno));
  if (arg.base === 'anything') {
    // privileged: pointers may be passed as numbers
    cover(reg.type === 'scalar' ? 'check_func_arg:anything' : 'check_func_arg:pointer-as-anything');
    return undefined;
  }
  if (isPktPointer(reg.type) && !(env.progType !== 'socket_filter' && meta.fn.pktAccess)) return reject(EACCES, 'helper access to the packet is not allowed');
  if (isPktPointer(reg.type)) cover('check_func_arg:pkt-pointer');
  const isNull = isNullScalar(reg);
  if (isNull && arg.maybeNull) cover('check_func_arg:null-for-maybe-null');
  cover(arg.uninit ? 'check_func_arg:uninit-mem' : ARG_RULES[arg.base]);
  if (!(isNull && arg.maybeNull)) {
    const e = checkRegType(reg, regno, arg, env) ?? checkFuncArgRegOff(reg, regno, arg);
    if (e) return e;
  }
  if (arg.release && !isNull && !isReferenced(st, reg))
    return reject(EINVAL, fillMessage(env.profile.messages.releaseUnreferenced, { helper: meta.fn.name, reg: `R${regno}` }));
  if (isReferenced(st, reg)) meta.refId = refIdOf(reg);
  if (reg.type === 'btf_sock') cover('check_func_arg:btf-sock');
  switch (arg.base) {
    case 'const_map_ptr':
      meta.mapIdx = reg.mapIdx;
      return undefined;
    case 'map_key': {
      const map = env.maps[meta.mapIdx]!;
      const e = checkHelperMemAccess(st, reg, regno, map.keySize, false, false, undefined, env);
      if (e) return e;
      if (map.type === 'array') meta.constMapKey = constantMapKey(st, reg, map.keySize);
      if (meta.constMapKey !== undefined) cover('get_constant_map_key:const');
      return undefined;
    }
    case 'map_value':
      if (arg.maybeNull && isNull) return undefined;
      meta.raw.rawMode = !!arg.uninit;
      return checkHelperMemAccess(st, reg, regno, env.maps[meta.mapIdx]!.valueSize, !!arg.write, false, meta.raw, env);
    case 'mem':
      // the access is checked with the size argument that follows
      meta.raw.rawMode = !!arg.uninit;
      return undefined;
    case 'fixed_mem': {
      // MEM_ALIGNED: check_ptr_alignment with strict alignment; only the aligned stack case is modelled
      if (arg.aligned && (reg.type !== 'ptr_to_stack' || !tnumIsConst(reg.varOff) || BigInt.asIntN(64, reg.varOff.value) % BigInt(arg.size!) !== 0n))
        return unknown('an ARG_PTR_TO_FIXED_SIZE_MEM | MEM_ALIGNED argument other than an aligned stack slot');
      meta.raw.rawMode = !!arg.uninit;
      return checkHelperMemAccess(st, reg, regno, arg.size!, !!arg.write, false, meta.raw, env);
    }
    case 'const_size':
    case 'const_size_or_zero':
      return checkMemSizeReg(st, regs[regno - 1]!, reg, regno, !!meta.fn.args[i - 1]?.write, arg.base === 'const_size_or_zero', meta, env);
    default:
      return undefined;
  }
}

/** check_reg_type */
function checkRegType(reg: Reg, regno: number, arg: HelperArg, env: MemEnv): CheckResult | undefined {
  const compatible = (arg.base === 'map_key' || arg.base === 'map_value' || arg.base === 'mem' || arg.base === 'fixed_mem') && !env.profile.features.ctxAsHelperMemory
    ? MEM_TYPES_WITHOUT_CTX : COMPATIBLE[arg.base];
  if (!compatible) return undefined;
  // an argument that may be NULL takes the pointer that may be NULL too
  const type = arg.maybeNull ? (NOT_NULL_TYPE[reg.type] ?? reg.type) : reg.type;
  if (compatible.accepts.has(type)) return undefined;
  if (isBtfPointer(reg)) return unknown(BTF_POINTER_USE);
  return reject(EACCES, `R${regno} type=${regTypeStr(reg)} expected=${compatible.expected}`);
}

/** check_func_arg_reg_off → __check_ptr_off_reg: only memory pointers may carry an offset */
function checkFuncArgRegOff(reg: Reg, regno: number, arg: HelperArg): CheckResult | undefined {
  if (arg.release && (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n))
    return reject(EINVAL, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
  return checkArgPtrOff(reg, `R${regno}`);
}

/** the rest of __check_func_arg_reg_off: memory pointers and scalars pass, others go through __check_ptr_off_reg (`who` names the argument) */
export function checkArgPtrOff(reg: Reg, who: string): CheckResult | undefined {
  switch (reg.type) {
    case 'ptr_to_stack':
    case 'pkt':
    case 'pkt_meta':
    case 'map_value':
    case 'mem':
    case 'scalar':
      return undefined;
  }
  const t = regTypeStr(reg);
  if (!tnumIsConst(reg.varOff)) return reject(EACCES, `variable ${t} access var_off=${tnumStr(reg.varOff)} disallowed`);
  const off = BigInt.asIntN(64, reg.varOff.value);
  if (smin(reg) < 0n) return reject(EACCES, `negative offset ${t} ptr ${who} off=${off} disallowed`);
  if (off !== 0n) return reject(EACCES, `dereference of modified ${t} ptr ${who} off=${off} disallowed`);
  return undefined;
}

/** check_mem_size_reg: the size argument bounds the access through the pointer argument before it */
function checkMemSizeReg(
  st: VState, memReg: Reg, sizeReg: Reg, regno: number, write: boolean, zeroOk: boolean, meta: CallMeta, env: MemEnv,
): CheckResult | undefined {
  // a variable size never fills the buffer in raw mode: the program must initialise all of it
  const raw = tnumIsConst(sizeReg.varOff) ? meta.raw : undefined;
  if (smin(sizeReg) < 0n) return reject(EACCES, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
  if (umin(sizeReg) === 0n && !zeroOk)
    return reject(EACCES, `R${regno} invalid zero-sized read: u64=[${BigInt.asIntN(64, umin(sizeReg))},${BigInt.asIntN(64, umax(sizeReg))}]`);
  if (umax(sizeReg) >= BPF_MAX_VAR_SIZ) return reject(EACCES, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
  cover(raw ? 'check_mem_size_reg:const' : 'check_mem_size_reg:var');
  return checkHelperMemAccess(st, memReg, regno - 1, Number(umax(sizeReg)), write, zeroOk, raw, env);
}

/** get_constant_map_key: a key on the stack that is known zero bytes or a spilled constant of the key's size */
function constantMapKey(st: VState, key: Reg, keySize: number): bigint | undefined {
  if (key.type !== 'ptr_to_stack' || !tnumIsConst(key.varOff)) return undefined;
  const stackOff = Number(BigInt.asIntN(64, key.varOff.value));
  const slot = -stackOff - 1;
  const s = st.frames[key.frameno]!.stack[Math.floor(slot / BPF_REG_SIZE)];
  if (!s) return undefined;
  const off = slot % BPF_REG_SIZE;
  let zeros = 0;
  for (let i = off; i >= 0 && s.types[i] === 'zero'; i--) zeros++;
  if (zeros >= keySize) return 0n;
  if (s.types[BPF_REG_SIZE - 1] !== 'spill' || s.spilled.type !== 'scalar') return undefined;
  let spill = 0;
  for (let i = off; i >= 0 && s.types[i] === 'spill'; i--) spill++;
  if (spill !== keySize || !tnumIsConst(s.spilled.varOff)) return undefined;
  return BigInt.asIntN(64, s.spilled.varOff.value);
}
