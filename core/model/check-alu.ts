// ALU instructions (check_alu_op, adjust_reg_min_max_vals and adjust_ptr_min_max_vals in
// kernel/bpf/verifier.c): operand checks, moves (with sign extension and scalar ids), scalar
// arithmetic through scalar/alu.ts, linked-register deltas, and pointer arithmetic.
import type { RawInsn } from '../isa/raw.ts';
import {
  ALU_OP_STRING, BPF_ADD, BPF_ALU64, BPF_AND, BPF_ARSH, BPF_DIV, BPF_END, BPF_K, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH,
  BPF_SUB, BPF_X, BPF_XOR, opClass, opOp, opSource,
} from '../isa/index.ts';
import { EACCES, EFAULT, EINVAL, msg } from './messages.ts';
import { cover } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import { assignScalarId, regTypeStr } from './memory.ts';
import { BTF_POINTER_USE, isBtfPointer } from './map-ptr-access.ts';
import { reject, unknown, type CheckResult } from './precheck.ts';
import { readReg, writeReg } from './reg-args.ts';
import { adjustScalar } from './scalar/alu.ts';
import {
  boundsInsane, coerceRegToSizeSx, coerceSubregToSizeSx, markKnown, markUnknown, regBoundsSync, regWidth, smax, smin, umax, umin, zext32To64,
} from './scalar/bounds.ts';
import { isRegConst, regConstValue } from './scalar/branch.ts';
import { C32, C64 } from './scalar/cnum.ts';
import { tnumAdd, tnumConst, tnumIsConst, tnumSub, U32 } from './scalar/tnum.ts';
import { cloneState, curFrame, isPktPointer, knownScalarImm, mayBeNull, nextId, unknownScalar, type Reg, type VState } from './state.ts';

const BPF_MAX_VAR_OFF = 1n << 29n;

/** the rule of each scalar operation, [64-bit, 32-bit]; DIV and MOD with off 1 are signed */
const ALU_RULES: Record<number, readonly [CheckRuleId, CheckRuleId]> = {
  [BPF_ADD]: ['check_alu_op:add', 'check_alu_op:add32'],
  [BPF_SUB]: ['check_alu_op:sub', 'check_alu_op:sub32'],
  [BPF_MUL]: ['check_alu_op:mul', 'check_alu_op:mul32'],
  [BPF_DIV]: ['check_alu_op:div', 'check_alu_op:div32'],
  [BPF_MOD]: ['check_alu_op:mod', 'check_alu_op:mod32'],
  [BPF_OR]: ['check_alu_op:or', 'check_alu_op:or32'],
  [BPF_AND]: ['check_alu_op:and', 'check_alu_op:and32'],
  [BPF_XOR]: ['check_alu_op:xor', 'check_alu_op:xor32'],
  [BPF_LSH]: ['check_alu_op:lsh', 'check_alu_op:lsh32'],
  [BPF_RSH]: ['check_alu_op:rsh', 'check_alu_op:rsh32'],
  [BPF_ARSH]: ['check_alu_op:arsh', 'check_alu_op:arsh32'],
  [BPF_NEG]: ['check_alu_op:neg', 'check_alu_op:neg32'],
};
const SIGNED_RULES: Record<number, readonly [CheckRuleId, CheckRuleId]> = {
  [BPF_DIV]: ['check_alu_op:sdiv', 'check_alu_op:sdiv32'],
  [BPF_MOD]: ['check_alu_op:smod', 'check_alu_op:smod32'],
};

function coverAluOp(insn: RawInsn, o: number, alu64: boolean): void {
  if (o === BPF_END) {
    cover(alu64 ? 'check_alu_op:bswap' : opSource(insn.code) === BPF_X ? 'check_alu_op:be' : 'check_alu_op:le');
    return;
  }
  const rules = (insn.off === 1 ? SIGNED_RULES[o] : undefined) ?? ALU_RULES[o];
  if (rules) cover(rules[alu64 ? 0 : 1]);
  if (opSource(insn.code) === BPF_X && (o === BPF_LSH || o === BPF_RSH || o === BPF_ARSH)) cover('check_alu_op:shift-by-reg');
}

/** check_alu_op; `pushFork` takes the other half of a scalar the kernel splits (maybe_fork_scalars);
 *  `legacy612`: scalars as 6.12 tracks them (NEG and END leave an unknown scalar, as check_reg_arg's
 *  DST_OP does there; multiplications bounded for non-negative factors only); `sync612`: bounds kept
 *  in step as 6.12's reg_bounds_sync does (Profile.features.boundsSync7x false) */
export function checkAluOp(st: VState, insn: RawInsn, pushFork: (other: VState) => void, legacy612 = false, sync612 = false): CheckResult | undefined {
  const regs = curFrame(st).regs;
  const o = opOp(insn.code);
  const alu64 = opClass(insn.code) === BPF_ALU64;
  const aluInsn = { op: o, alu32: !alu64, off: insn.off, imm: insn.imm, srcBit: opSource(insn.code) === BPF_X, legacy612, sync612 };
  if (o !== BPF_MOV) coverAluOp(insn, o, alu64);
  if (o === BPF_END || o === BPF_NEG) {
    const e = readReg(regs, insn.dst);
    if (e) return e;
    const dst = regs[insn.dst]!;
    if (dst.type === 'scalar') {
      const e2 = writeReg(insn.dst);
      if (e2) return e2;
      if (legacy612) markUnknown(dst);
      else adjustScalar(aluInsn, dst, dst);
    } else {
      // privileged: the pointer becomes an unknown scalar
      const e2 = writeReg(insn.dst);
      if (e2) return e2;
      cover('check_alu_op:neg-or-end-on-pointer');
      markUnknown(dst);
    }
    return undefined;
  }
  if (o === BPF_MOV) return checkMov(st, insn, alu64, sync612);
  // all other ALU ops
  if (opSource(insn.code) === BPF_X) {
    const e = readReg(regs, insn.src);
    if (e) return e;
  }
  const e = readReg(regs, insn.dst);
  if (e) return e;
  if ((o === BPF_MOD || o === BPF_DIV) && opSource(insn.code) === BPF_K && insn.imm === 0) return reject(EINVAL, msg.divByZero());
  if ((o === BPF_LSH || o === BPF_RSH || o === BPF_ARSH) && opSource(insn.code) === BPF_K) {
    const size = alu64 ? 64 : 32;
    if (insn.imm < 0 || insn.imm >= size) return reject(EINVAL, msg.invalidShift(insn.imm));
  }
  const e2 = writeReg(insn.dst);
  if (e2) return e2;
  const dst = regs[insn.dst]!;
  const srcReg = opSource(insn.code) === BPF_X ? regs[insn.src]! : knownScalarImm(insn.imm);
  const opName = ALU_OP_STRING[o] ?? '?';
  if (dst.type !== 'scalar' || srcReg.type !== 'scalar') {
    if (opSource(insn.code) === BPF_X && srcReg.type !== 'scalar' && dst.type !== 'scalar') {
      if (o === BPF_SUB) {
        cover('check_alu_op:ptr-minus-ptr');
        regs[insn.dst] = unknownScalar();
        return undefined;
      }
      return reject(EACCES, msg.ptrPtrProhibited(insn.dst, opName));
    }
    const ptr = dst.type !== 'scalar' ? dst : srcReg;
    const off = dst.type !== 'scalar' ? srcReg : dst;
    return adjustPtrMinMaxVals(st, insn, ptr, off, dst.type === 'scalar', sync612);
  }
  const dstUmax = umax(dst);
  if (!tnumIsConst(dst.varOff) && !tnumIsConst(srcReg.varOff)) cover('adjust_reg_min_max_vals:scalar-op-scalar');
  const fork = adjustScalar(aluInsn, dst, srcReg);
  if (fork) {
    cover('maybe_fork_scalars:fork');
    const other = cloneState(st);
    curFrame(other).regs[insn.dst] = fork;
    other.insnIdx = st.prevIdx;
    pushFork(other);
  }
  updateLinkedDelta(insn, o, alu64, dst, dstUmax, srcReg, legacy612);
  if (boundsInsane(dst)) return reject(EFAULT, `verifier bug: REG INVARIANTS VIOLATION (alu)`);
  return undefined;
}

/** adjust_ptr_min_max_vals for the pointer kinds the model covers */
function adjustPtrMinMaxVals(st: VState, insn: RawInsn, ptr: Reg, offReg: Reg, scalarDst: boolean, sync612: boolean): CheckResult | undefined {
  const regs = curFrame(st).regs;
  const dstno = insn.dst;
  const o = opOp(insn.code);
  const known = tnumIsConst(offReg.varOff);
  const sminv = smin(offReg), smaxv = smax(offReg), uminv = umin(offReg), umaxv = umax(offReg);
  const typeStr = regTypeStr(ptr);
  if ((known && (sminv !== smaxv || uminv !== umaxv)) || sminv > smaxv || uminv > umaxv) {
    cover('adjust_ptr_min_max_vals:unknown-offset');
    regs[dstno] = unknownScalar();
    return undefined;
  }
  if (opClass(insn.code) !== BPF_ALU64) {
    if (o === BPF_SUB) {
      cover('adjust_ptr_min_max_vals:ptr32-sub');
      regs[dstno] = unknownScalar();
      return undefined;
    }
    return reject(EACCES, msg.ptrArith32(dstno));
  }
  if (mayBeNull(ptr.type)) return reject(EACCES, `R${dstno} pointer arithmetic on ${typeStr} prohibited, null-check it first`);
  if (isBtfPointer(ptr)) return unknown(BTF_POINTER_USE);
  switch (ptr.type) {
    case 'ptr_to_ctx':
    case 'ptr_to_stack':
    case 'map_value':
    case 'pkt':
    case 'pkt_meta':
    case 'mem':
      break;
    default:
      // CONST_PTR_TO_MAP only takes `+= 0`
      if (ptr.type === 'map_ptr' && known && sminv === 0n && o === BPF_ADD) break;
      return reject(EACCES, `R${dstno} pointer arithmetic on ${typeStr} prohibited`);
  }
  // check_reg_sane_offset_scalar / _ptr
  const val = BigInt.asIntN(64, offReg.varOff.value);
  if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) return reject(EINVAL, msg.mathPtrConst(typeStr, val));
  if (sminv === -(1n << 63n)) return reject(EINVAL, msg.mathPtrUnbounded(typeStr));
  if (sminv >= BPF_MAX_VAR_OFF || sminv <= -BPF_MAX_VAR_OFF) return reject(EINVAL, msg.valueMakesPtrOob(sminv, typeStr));
  const pval = BigInt.asIntN(64, ptr.varOff.value);
  if ((tnumIsConst(ptr.varOff) && (pval >= BPF_MAX_VAR_OFF || pval <= -BPF_MAX_VAR_OFF)) || smin(ptr) >= BPF_MAX_VAR_OFF || smin(ptr) <= -BPF_MAX_VAR_OFF)
    return reject(EINVAL, msg.ptrOffsetNotAllowed(typeStr, tnumIsConst(ptr.varOff) ? pval : smin(ptr)));
  const d: Reg = { ...ptr, r32: C32.UNBOUNDED };
  const pkt = isPktPointer(ptr.type);
  // 6.12 kept constants in reg->off and variable parts in var_off (for its messages)
  if (known) d.fixedOff = ptr.fixedOff + Number(o === BPF_SUB ? -val : val);
  else d.varPart = (o === BPF_SUB ? tnumSub : tnumAdd)(ptr.varPart ?? tnumConst(0n), offReg.varOff);
  if (o === BPF_ADD) {
    d.r64 = C64.add(ptr.r64, offReg.r64);
    d.varOff = tnumAdd(ptr.varOff, offReg.varOff);
    // an unknown addend makes a new packet base without a checked range; any arithmetic
    // forgets AT_PKT_END / BEYOND_PKT_END
    if (pkt && !known) d.id = nextId();
    if (pkt && (!known || d.range < 0)) d.range = 0;
  } else if (o === BPF_SUB) {
    if (scalarDst) return reject(EACCES, msg.subPtrFromScalar(dstno));
    if (ptr.type === 'ptr_to_stack') return reject(EACCES, msg.subFromStackPtr(dstno));
    d.r64 = C64.add(ptr.r64, C64.negate(offReg.r64));
    d.varOff = tnumSub(ptr.varOff, offReg.varOff);
    if (pkt && !known) d.id = nextId();
    if (pkt && ((!known && sminv < 0n) || d.range < 0)) d.range = 0;
  } else if (o === BPF_AND || o === BPF_OR || o === BPF_XOR) {
    return reject(EACCES, msg.ptrBitwise(dstno, ALU_OP_STRING[o]!));
  } else {
    return reject(EACCES, msg.ptrArithOp(dstno, ALU_OP_STRING[o]!));
  }
  const dv = BigInt.asIntN(64, d.varOff.value);
  if ((tnumIsConst(d.varOff) && (dv >= BPF_MAX_VAR_OFF || dv <= -BPF_MAX_VAR_OFF)) || smin(d) >= BPF_MAX_VAR_OFF || smin(d) <= -BPF_MAX_VAR_OFF)
    return reject(EINVAL, msg.ptrOffsetNotAllowed(typeStr, tnumIsConst(d.varOff) ? dv : smin(d)));
  regBoundsSync(d, sync612);
  regs[dstno] = d;
  coverPtrArith(ptr.type, known, o, scalarDst);
  return undefined;
}

function coverPtrArith(type: Reg['type'], known: boolean, o: number, scalarDst: boolean): void {
  if (o === BPF_SUB) cover('adjust_ptr_min_max_vals:sub');
  if (scalarDst) cover('adjust_ptr_min_max_vals:scalar-plus-ptr');
  switch (type) {
    case 'ptr_to_stack':
      return cover(known ? 'adjust_ptr_min_max_vals:stack-const' : 'adjust_ptr_min_max_vals:stack-var');
    case 'ptr_to_ctx':
      return cover('adjust_ptr_min_max_vals:ctx-const');
    case 'map_value':
      return cover(known ? 'adjust_ptr_min_max_vals:map-value-const' : 'adjust_ptr_min_max_vals:map-value-var');
    case 'pkt':
    case 'pkt_meta':
      return cover(known ? 'adjust_ptr_min_max_vals:pkt-const' : 'adjust_ptr_min_max_vals:pkt-var');
    case 'map_ptr':
      return cover('adjust_ptr_min_max_vals:map-ptr-zero');
    case 'mem':
      return cover('adjust_ptr_min_max_vals:mem');
  }
}

/** BPF_MOV: a copy keeps the scalar id when no bits change (sign or zero extension otherwise drops it) */
/**
 * The value `mov dst, imm` gives: sign-extended to 64 bits, or zero-extended from 32. Written
 * without a conditional between two BigInt conversions: Node 20's TurboFan aborts the process
 * ("Phi of kRepTagged (SignedBigInt64) cannot be changed to kRepWord64") when it optimizes
 * checkMov with such a phi inlined (seen on long model runs, e.g. scripts/jit-agreement.ts).
 */
function movImmValue(imm: number, alu64: boolean): bigint {
  return BigInt.asUintN(alu64 ? 64 : 32, BigInt(imm));
}

/** 2^(off-1) for movsx's off 8/16/32: below it, sign extension changes nothing */
const SEXT_LIMIT: Record<number, bigint> = { 8: 1n << 7n, 16: 1n << 15n, 32: 1n << 31n };

function checkMov(st: VState, insn: RawInsn, alu64: boolean, sync612: boolean): CheckResult | undefined {
  const regs = curFrame(st).regs;
  if (opSource(insn.code) === BPF_X) {
    if (insn.off === 1 && alu64) return unknown('arena address-space casts');
    const e = readReg(regs, insn.src);
    if (e) return e;
  }
  const e = writeReg(insn.dst);
  if (e) return e;
  if (opSource(insn.code) === BPF_X) {
    const s = regs[insn.src]!;
    coverMov(s.type === 'scalar', alu64, insn.off);
    if (alu64) {
      if (insn.off === 0) {
        assignScalarId(st, s);
        regs[insn.dst] = { ...s };
      } else if (s.type === 'scalar') {
        const noSext = umax(s) < SEXT_LIMIT[insn.off]!;
        if (noSext) assignScalarId(st, s);
        const d = { ...s };
        if (!noSext) {
          d.id = 0;
          d.delta = 0;
        }
        coerceRegToSizeSx(d, insn.off >> 3);
        regs[insn.dst] = d;
      } else {
        regs[insn.dst] = unknownScalar();
      }
    } else {
      let d: Reg;
      if (s.type === 'scalar') {
        if (insn.off === 0) {
          const u32ok = regWidth(s) <= 32;
          if (u32ok) assignScalarId(st, s);
          d = { ...s };
          if (!u32ok) {
            d.id = 0;
            d.delta = 0;
          }
        } else {
          const noSext = umax(s) < SEXT_LIMIT[insn.off]!;
          if (noSext) assignScalarId(st, s);
          d = { ...s };
          if (!noSext) {
            d.id = 0;
            d.delta = 0;
          }
          coerceSubregToSizeSx(d, insn.off >> 3);
        }
      } else {
        d = unknownScalar();
      }
      zext32To64(d);
      regBoundsSync(d, sync612);
      regs[insn.dst] = d;
    }
  } else {
    cover(alu64 ? 'check_alu_op:mov-imm' : 'check_alu_op:mov32-imm');
    const d = unknownScalar();
    markKnown(d, movImmValue(insn.imm, alu64));
    regs[insn.dst] = d;
  }
  return undefined;
}

const MOVSX_RULES: Record<number, CheckRuleId> = { 8: 'check_alu_op:movsx8', 16: 'check_alu_op:movsx16', 32: 'check_alu_op:movsx32' };
const MOVSX32_RULES: Record<number, CheckRuleId> = { 8: 'check_alu_op:movsx32-8', 16: 'check_alu_op:movsx32-16' };

function coverMov(scalar: boolean, alu64: boolean, off: number): void {
  if (off !== 0) {
    const r = (alu64 ? MOVSX_RULES : MOVSX32_RULES)[off];
    if (r) cover(r);
    if (!scalar) cover('check_alu_op:movsx-pointer');
    return;
  }
  if (scalar) cover(alu64 ? 'check_alu_op:mov-reg' : 'check_alu_op:mov32-reg');
  else cover(alu64 ? 'check_alu_op:mov-pointer' : 'check_alu_op:mov32-pointer');
}

/**
 * linked registers: rX += const keeps the link with a delta (adjust_reg_min_max_vals). 7.x also
 * links through rX -= const and 32-bit adds and subtracts (BPF_ADD_CONST32); 6.12 only through a
 * 64-bit add of 0..S32_MAX
 */
function updateLinkedDelta(insn: RawInsn, o: number, alu64: boolean, dst: Reg, dstUmax: bigint, srcReg: Reg, legacy612: boolean): void {
  const isConstSrc = isRegConst(srcReg, !alu64);
  const selfOp = opSource(insn.code) === BPF_X && insn.src === insn.dst;
  if (legacy612) {
    if (o === BPF_ADD && alu64 && dst.id && isConstSrc && !selfOp) {
      const val = regConstValue(srcReg, false);
      if (dst.delta !== 0 || dst.linked32 !== undefined || val > 0x7fffffffn) {
        dst.id = 0;
        dst.delta = 0;
        dst.linked32 = undefined;
      } else {
        cover('adjust_reg_min_max_vals:linked-delta');
        dst.delta = Number(val);
        dst.linked32 = false;
      }
    } else {
      dst.id = 0;
      dst.delta = 0;
      dst.linked32 = undefined;
    }
    return;
  }
  if ((o === BPF_ADD || o === BPF_SUB) && dst.id && isConstSrc && !selfOp) {
    const val = regConstValue(srcReg, !alu64);
    let offv = Number(BigInt.asIntN(32, val));
    const bad = (!alu64 && dstUmax > U32) || (alu64 && (BigInt.asIntN(64, val) < -(1n << 31n) || BigInt.asIntN(64, val) >= 1n << 31n));
    if (bad || (o === BPF_SUB && offv === -(2 ** 31)) || dst.id < 0) {
      dst.id = 0;
      dst.delta = 0;
    } else {
      if (o === BPF_SUB) offv = -offv;
      if (dst.delta !== 0 || dst.linked32 !== undefined) {
        dst.id = 0;
        dst.delta = 0;
        dst.linked32 = undefined;
      } else {
        cover('adjust_reg_min_max_vals:linked-delta');
        dst.delta = offv;
        dst.linked32 = !alu64;
      }
    }
  } else {
    dst.id = 0;
    dst.delta = 0;
    dst.linked32 = undefined;
  }
}
