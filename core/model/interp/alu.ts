// Concrete ALU semantics on u64 BigInt values, as the kernel runs them after the verifier's
// fixups: ___bpf_prog_run in kernel/bpf/core.c plus the division patches of
// do_misc_fixups (kernel/bpf/fixups.c) that make division by 0 and by -1 defined.
import { BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_LSH, BPF_MOD, BPF_MOV, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../../isa/index.ts';

const U64_MASK = (1n << 64n) - 1n;
export const U32_MASK = 0xffffffffn;


const asS64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const asU64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const asS32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const asU32 = (v: bigint): bigint => BigInt.asUintN(32, v);

/**
 * One ALU operation. `dst` and `src` are u64 register contents; for an immediate operand
 * the caller passes the immediate sign-extended to u64 (ALU64) or as u32 (ALU), as core.c
 * does. `off` selects signed division (1) and the movsx widths (8, 16, 32).
 * Returns the new u64 value of dst (32-bit ops zero-extend). Undefined for unknown ops.
 */
export function aluResult(op: number, is64: boolean, dst: bigint, src: bigint, off: number): bigint | undefined {
  return is64 ? alu64(op, dst, src, off) : alu32(op, asU32(dst), asU32(src), off, src);
}

function alu64(op: number, d: bigint, s: bigint, off: number): bigint | undefined {
  switch (op) {
    case BPF_ADD: return asU64(d + s);
    case BPF_SUB: return asU64(d - s);
    case BPF_MUL: return asU64(d * s);
    case BPF_OR: return d | s;
    case BPF_AND: return d & s;
    case BPF_XOR: return d ^ s;
    case BPF_LSH: return asU64(d << (s & 63n));
    case BPF_RSH: return d >> (s & 63n);
    case BPF_ARSH: return asU64(asS64(d) >> (s & 63n));
    case BPF_NEG: return asU64(-d);
    case BPF_MOV:
      switch (off) {
        case 0: return s;
        case 8: return asU64(BigInt.asIntN(8, s));
        case 16: return asU64(BigInt.asIntN(16, s));
        case 32: return asU64(asS32(s));
        default: return undefined;
      }
    case BPF_DIV:
      if (off === 0) return s === 0n ? 0n : d / s;
      if (off !== 1) return undefined;
      // fixups: x s/ 0 -> 0, x s/ -1 -> -x (so LLONG_MIN s/ -1 stays LLONG_MIN)
      if (s === 0n) return 0n;
      if (s === U64_MASK) return asU64(-d);
      return asU64(asS64(d) / asS64(s));
    case BPF_MOD:
      if (off === 0) return s === 0n ? d : d % s;
      if (off !== 1) return undefined;
      // fixups: x s% 0 -> x, x s% -1 -> 0; otherwise the remainder takes the dividend's sign
      if (s === 0n) return d;
      if (s === U64_MASK) return 0n;
      return asU64(asS64(d) % asS64(s));
    default:
      return undefined;
  }
}

/** d and s are already truncated to u32; `src64` is the full source for movsx. */
function alu32(op: number, d: bigint, s: bigint, off: number, src64: bigint): bigint | undefined {
  switch (op) {
    case BPF_ADD: return asU32(d + s);
    case BPF_SUB: return asU32(d - s);
    case BPF_MUL: return asU32(d * s);
    case BPF_OR: return d | s;
    case BPF_AND: return d & s;
    case BPF_XOR: return d ^ s;
    case BPF_LSH: return asU32(d << (s & 31n));
    case BPF_RSH: return d >> (s & 31n);
    case BPF_ARSH: return asU32(asS32(d) >> (s & 31n));
    case BPF_NEG: return asU32(-d);
    case BPF_MOV:
      switch (off) {
        case 0: return s;
        case 8: return asU32(BigInt.asIntN(8, src64));
        case 16: return asU32(BigInt.asIntN(16, src64));
        default: return undefined;
      }
    case BPF_DIV:
      if (off === 0) return s === 0n ? 0n : d / s;
      if (off !== 1) return undefined;
      if (s === 0n) return 0n;
      if (s === U32_MASK) return asU32(-d);
      return asU32(asS32(d) / asS32(s));
    case BPF_MOD:
      // the 32-bit fixup for x % 0 ends in `w = w`: the upper half is cleared
      if (off === 0) return s === 0n ? d : d % s;
      if (off !== 1) return undefined;
      if (s === 0n) return d;
      if (s === U32_MASK) return 0n;
      return asU32(asS32(d) % asS32(s));
    default:
      return undefined;
  }
}

function swapBytes(v: bigint, bytes: number): bigint {
  let out = 0n;
  for (let i = 0; i < bytes; i++) {
    out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  }
  return out;
}

/**
 * Byte-order conversion. `toBigEndian` is BPF_TO_BE of class ALU; ALU64 BPF_TO_LE is the
 * unconditional bswap and behaves like it on a little-endian host. Widths other than
 * 16/32/64 are undefined.
 */
export function endianResult(kind: 'le' | 'be' | 'bswap', width: number, v: bigint): bigint | undefined {
  if (width !== 16 && width !== 32 && width !== 64) return undefined;
  const truncated = BigInt.asUintN(width, v);
  return kind === 'le' ? truncated : swapBytes(truncated, width / 8);
}
