// Scalar ALU transfer functions: how one ALU instruction moves a scalar's tnum and ranges
// (adjust_scalar_min_max_vals and the scalar*_min_max_* helpers in kernel/bpf/verifier.c).
import { C32, C64 } from './cnum.ts';
import {
  U32,
  U64,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap,
  tnumIsConst,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumRshift,
  tnumSub,
  tnumSubreg,
  tnumSubregIsConst,
  tnumXor,
} from './tnum.ts';
import {
  coerceRegToSize,
  markKnown,
  markKnown32,
  markUnbounded,
  markUnbounded32,
  markUnbounded64,
  markUnknown,
  regBoundsSync,
  resetReg32AndTnum,
  resetReg64AndTnum,
  s32max,
  s32min,
  setKnown,
  setSRange32,
  setSRange64,
  setURange32,
  setURange64,
  smax,
  smin,
  u32max,
  u32min,
  umax,
  umin,
  updateReg32Bounds,
  updateRegBounds,
  zext32To64,
} from './bounds.ts';
import type { Reg } from './reg.ts';

export const BPF_ADD = 0x00, BPF_SUB = 0x10, BPF_MUL = 0x20, BPF_DIV = 0x30, BPF_OR = 0x40, BPF_AND = 0x50;
export const BPF_LSH = 0x60, BPF_RSH = 0x70, BPF_NEG = 0x80, BPF_MOD = 0x90, BPF_XOR = 0xa0, BPF_MOV = 0xb0;
export const BPF_ARSH = 0xc0, BPF_END = 0xd0;

export interface AluInsn {
  /** BPF_OP bits */
  op: number;
  alu32: boolean;
  /** insn->off: 1 = signed div/mod */
  off: number;
  /** BPF_END: imm (16/32/64) and whether the swap is unconditional or to-BE */
  imm: number;
  /** BPF_END: BPF_SRC bit set (to_be for ALU, bswap for ALU64) */
  srcBit: boolean;
}

function mulOverflowU(a: bigint, b: bigint, max: bigint): bigint | null {
  const p = a * b;
  return p > max ? null : p;
}

function mulOverflowS(a: bigint, b: bigint, bits: number): bigint | null {
  const p = a * b;
  const lim = 1n << BigInt(bits - 1);
  return p >= lim || p < -lim ? null : p;
}

function mul(dst: Reg, src: Reg, bits: 32 | 64): void {
  const C = bits === 32 ? C32 : C64;
  const [dsmin, dsmax, dumin, dumax] = bits === 32 ? [s32min(dst), s32max(dst), u32min(dst), u32max(dst)] : [smin(dst), smax(dst), umin(dst), umax(dst)];
  const [ssmin, ssmax, sumin, sumax] = bits === 32 ? [s32min(src), s32max(src), u32min(src), u32max(src)] : [smin(src), smax(src), umin(src), umax(src)];
  let ulo: bigint, uhi: bigint;
  const a = mulOverflowU(dumax, sumax, C.UMAX), b = mulOverflowU(dumin, sumin, C.UMAX);
  if (a === null || b === null) [ulo, uhi] = [0n, C.UMAX];
  else [ulo, uhi] = [b, a];
  const prods = [mulOverflowS(dsmin, ssmin, bits), mulOverflowS(dsmin, ssmax, bits), mulOverflowS(dsmax, ssmin, bits), mulOverflowS(dsmax, ssmax, bits)];
  let slo: bigint, shi: bigint;
  if (prods.some((p) => p === null)) [slo, shi] = [-(C.SMAX + 1n), C.SMAX];
  else {
    const ps = prods as bigint[];
    slo = ps.reduce((x, y) => (x < y ? x : y));
    shi = ps.reduce((x, y) => (x > y ? x : y));
  }
  const r = C.intersect(C.fromURange(ulo, uhi), C.fromSRange(slo, shi));
  if (bits === 32) dst.r32 = r;
  else dst.r64 = r;
}

const trunc = (a: bigint, b: bigint): bigint => a / b; // BigInt division truncates toward zero like C

function sdiv(dst: Reg, src: Reg, bits: 32 | 64): void {
  const C = bits === 32 ? C32 : C64;
  const MIN = -(C.SMAX + 1n);
  let lo = bits === 32 ? s32min(dst) : smin(dst);
  let hi = bits === 32 ? s32max(dst) : smax(dst);
  const v = bits === 32 ? s32min(src) : smin(src);
  if (lo === MIN && v === -1n) {
    if (hi !== MIN) [lo, hi] = [MIN, C.SMAX];
  } else {
    const r1 = trunc(lo, v), r2 = trunc(hi, v);
    [lo, hi] = r1 < r2 ? [r1, r2] : [r2, r1];
  }
  if (bits === 32) {
    setSRange32(dst, lo, hi);
    resetReg64AndTnum(dst);
  } else {
    setSRange64(dst, lo, hi);
    resetReg32AndTnum(dst);
  }
}

function smod(dst: Reg, src: Reg, bits: 32 | 64): void {
  const v = bits === 32 ? s32min(src) : smin(src);
  const abs = v > 0n ? v : -v;
  const resMax = abs - 1n;
  const lo = bits === 32 ? s32min(dst) : smin(dst);
  const hi = bits === 32 ? s32max(dst) : smax(dst);
  if (lo >= -resMax && hi <= resMax) return;
  let nlo: bigint, nhi: bigint;
  if (lo >= 0n) [nlo, nhi] = [0n, hi < resMax ? hi : resMax];
  else if (hi <= 0n) [nlo, nhi] = [lo > -resMax ? lo : -resMax, 0n];
  else [nlo, nhi] = [-resMax, resMax];
  if (bits === 32) {
    setSRange32(dst, nlo, nhi);
    resetReg64AndTnum(dst);
  } else {
    setSRange64(dst, nlo, nhi);
    resetReg32AndTnum(dst);
  }
}

/** is_safe_to_compute_dst_reg_range */
function safeToCompute(insn: AluInsn, src: Reg): boolean {
  let srcConst: boolean;
  if (insn.alu32) srcConst = tnumSubregIsConst(src.varOff) && s32min(src) === s32max(src) && u32min(src) === u32max(src);
  else srcConst = tnumIsConst(src.varOff) && smin(src) === smax(src) && umin(src) === umax(src);
  switch (insn.op) {
    case BPF_ADD: case BPF_SUB: case BPF_NEG: case BPF_AND: case BPF_XOR: case BPF_OR: case BPF_MUL: case BPF_END:
      return true;
    case BPF_DIV: case BPF_MOD:
      return srcConst;
    case BPF_LSH: case BPF_RSH: case BPF_ARSH:
      return srcConst && umax(src) < (insn.alu32 ? 32n : 64n);
    default:
      return false;
  }
}

/**
 * adjust_scalar_min_max_vals. Mutates dst. Returns a register for a forked branch when the kernel's
 * maybe_fork_scalars splits a {-1, 0} operand of AND/OR (the fork re-runs the instruction).
 */
export function adjustScalar(insn: AluInsn, dst: Reg, srcIn: Reg): Reg | undefined {
  const src = { ...srcIn };
  let fork: Reg | undefined;
  if (!safeToCompute(insn, src)) {
    markUnknown(dst);
    return undefined;
  }
  const { alu32, op } = insn;
  switch (op) {
    case BPF_ADD:
      dst.r32 = C32.add(dst.r32, src.r32);
      dst.r64 = C64.add(dst.r64, src.r64);
      dst.varOff = tnumAdd(dst.varOff, src.varOff);
      break;
    case BPF_SUB:
      dst.r32 = C32.add(dst.r32, C32.negate(src.r32));
      dst.r64 = C64.add(dst.r64, C64.negate(src.r64));
      dst.varOff = tnumSub(dst.varOff, src.varOff);
      break;
    case BPF_NEG: {
      const old = { ...dst };
      markKnown(dst, 0n);
      dst.r32 = C32.add(dst.r32, C32.negate(old.r32));
      dst.r64 = C64.add(dst.r64, C64.negate(old.r64));
      dst.varOff = tnumNeg(old.varOff);
      break;
    }
    case BPF_MUL:
      dst.varOff = tnumMul(dst.varOff, src.varOff);
      mul(dst, src, 32);
      mul(dst, src, 64);
      break;
    case BPF_DIV:
      if ((alu32 && u32min(src) === 0n) || (!alu32 && umin(src) === 0n)) {
        setKnown(dst, 0n);
        break;
      }
      if (alu32) {
        if (insn.off === 1) sdiv(dst, src, 32);
        else {
          const v = u32min(src);
          setURange32(dst, u32min(dst) / v, u32max(dst) / v);
          resetReg64AndTnum(dst);
        }
      } else if (insn.off === 1) sdiv(dst, src, 64);
      else {
        const v = umin(src);
        setURange64(dst, umin(dst) / v, umax(dst) / v);
        resetReg32AndTnum(dst);
      }
      break;
    case BPF_MOD:
      if ((alu32 && u32min(src) === 0n) || (!alu32 && umin(src) === 0n)) break;
      if (alu32) {
        if (insn.off === 1) smod(dst, src, 32);
        else {
          const resMax = u32min(src) - 1n;
          if (u32max(dst) > resMax) {
            setURange32(dst, 0n, u32max(dst) < resMax ? u32max(dst) : resMax);
            resetReg64AndTnum(dst);
          }
        }
      } else if (insn.off === 1) smod(dst, src, 64);
      else {
        const resMax = umin(src) - 1n;
        if (umax(dst) > resMax) {
          setURange64(dst, 0n, umax(dst) < resMax ? umax(dst) : resMax);
          resetReg32AndTnum(dst);
        }
      }
      break;
    case BPF_AND:
    case BPF_OR: {
      if (tnumIsConst(src.varOff)) fork = maybeFork(dst);
      const isAnd = op === BPF_AND;
      dst.varOff = isAnd ? tnumAnd(dst.varOff, src.varOff) : tnumOr(dst.varOff, src.varOff);
      // 32-bit half
      const srcK32 = tnumSubregIsConst(src.varOff), dstK32 = tnumSubregIsConst(dst.varOff);
      const v32 = tnumSubreg(dst.varOff);
      if (srcK32 && dstK32) markKnown32(dst, v32.value);
      else if (isAnd) setURange32(dst, v32.value, u32max(dst) < u32max(src) ? u32max(dst) : u32max(src));
      else setURange32(dst, u32min(dst) > u32min(src) ? u32min(dst) : u32min(src), v32.value | v32.mask);
      // 64-bit half
      if (tnumIsConst(src.varOff) && tnumIsConst(dst.varOff)) markKnown(dst, dst.varOff.value);
      else {
        if (isAnd) setURange64(dst, dst.varOff.value, umax(dst) < umax(src) ? umax(dst) : umax(src));
        else setURange64(dst, umin(dst) > umin(src) ? umin(dst) : umin(src), dst.varOff.value | dst.varOff.mask);
        updateRegBounds(dst);
      }
      break;
    }
    case BPF_XOR: {
      dst.varOff = tnumXor(dst.varOff, src.varOff);
      const v32 = tnumSubreg(dst.varOff);
      if (tnumSubregIsConst(src.varOff) && tnumSubregIsConst(dst.varOff)) markKnown32(dst, v32.value);
      else setURange32(dst, v32.value, v32.value | v32.mask);
      if (tnumIsConst(src.varOff) && tnumIsConst(dst.varOff)) markKnown(dst, dst.varOff.value);
      else setURange64(dst, dst.varOff.value, dst.varOff.value | dst.varOff.mask);
      break;
    }
    case BPF_LSH:
      if (alu32) {
        const lo = u32min(src), hi = u32max(src);
        const sub = tnumSubreg(dst.varOff);
        lsh32(dst, lo, hi);
        dst.varOff = tnumSubreg(tnumLshift(sub, Number(lo)));
        markUnbounded64(dst);
        updateReg32Bounds(dst);
      } else {
        const lo = umin(src), hi = umax(src);
        lsh64(dst, lo, hi);
        lsh32(dst, lo, hi);
        dst.varOff = tnumLshift(dst.varOff, Number(lo));
        updateRegBounds(dst);
      }
      break;
    case BPF_RSH:
      if (alu32) {
        const lo = u32min(src), hi = u32max(src);
        dst.varOff = tnumRshift(tnumSubreg(dst.varOff), Number(lo));
        setURange32(dst, u32min(dst) >> hi, u32max(dst) >> lo);
        markUnbounded64(dst);
        updateReg32Bounds(dst);
      } else {
        const lo = umin(src), hi = umax(src);
        dst.varOff = tnumRshift(dst.varOff, Number(lo));
        setURange64(dst, umin(dst) >> hi, umax(dst) >> lo);
        markUnbounded32(dst);
        updateRegBounds(dst);
      }
      break;
    case BPF_ARSH:
      if (alu32) {
        const s = u32min(src);
        setSRange32(dst, s32min(dst) >> s, s32max(dst) >> s);
        dst.varOff = tnumArshift(tnumSubreg(dst.varOff), Number(s), 32);
        markUnbounded64(dst);
        updateReg32Bounds(dst);
      } else {
        const s = umin(src);
        setSRange64(dst, smin(dst) >> s, smax(dst) >> s);
        dst.varOff = tnumArshift(dst.varOff, Number(s), 64);
        markUnbounded32(dst);
        updateRegBounds(dst);
      }
      break;
    case BPF_END: {
      // scalar_byte_swap on a little-endian machine
      const needSwap = !alu32 || insn.srcBit;
      if (needSwap || insn.imm === 16 || insn.imm === 32) {
        dst.id = 0;
        dst.delta = 0;
      }
      if (needSwap) {
        dst.varOff = tnumBswap(dst.varOff, insn.imm as 16 | 32 | 64);
        markUnbounded(dst);
      }
      if (insn.imm === 16 || insn.imm === 32) coerceRegToSize(dst, insn.imm / 8);
      break;
    }
    default:
      break;
  }
  if (alu32 && op !== BPF_END) zext32To64(dst);
  regBoundsSync(dst);
  return fork;
}

function lsh32(dst: Reg, lo: bigint, hi: bigint): void {
  if (hi > 31n || u32max(dst) > 1n << (31n - hi)) setURange32(dst, 0n, U32);
  else setURange32(dst, (u32min(dst) << lo) & U32, (u32max(dst) << hi) & U32);
}

function lsh64(dst: Reg, lo: bigint, hi: bigint): void {
  let s = C64.UNBOUNDED;
  if (lo === 32n && hi === 32n) s = C64.fromSRange(s32min(dst) << 32n, s32max(dst) << 32n);
  let u = C64.UNBOUNDED;
  if (!(umax(dst) > ((1n << (63n - hi)) & U64))) u = C64.fromURange((umin(dst) << lo) & U64, (umax(dst) << hi) & U64);
  dst.r64 = C64.intersect(u, s);
}

/** maybe_fork_scalars: the pushed branch sees dst = 0, this path continues with dst = -1 */
function maybeFork(dst: Reg): Reg | undefined {
  let alu32: boolean;
  if (smin(dst) === -1n && smax(dst) === 0n) alu32 = false;
  else if (s32min(dst) === -1n && s32max(dst) === 0n) alu32 = true;
  else return undefined;
  const other = { ...dst };
  if (alu32) {
    markKnown32(other, 0n);
    markKnown32(dst, U32);
  } else {
    markKnown(other, 0n);
    markKnown(dst, U64);
  }
  return other;
}
