// Every ALU instruction, 32- and 64-bit, immediate and register forms, run through the
// interpreter and compared with a reference written from RFC 9669's prose (with the kernel's
// defined results for division by zero and by -1), using plain mathematics on BigInts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execute } from './index.ts';
import { ALU32, ALU64, K, Op, X, exit, insn, ldImm64, mov64r, program } from './test-builders.ts';

type OpName = 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'mod' | 'smod' | 'or' | 'and' | 'xor' | 'lsh' | 'rsh' | 'arsh' | 'neg' | 'mov' | 'movsx8' | 'movsx16' | 'movsx32';

const wrap = (v: bigint, bits: number): bigint => ((v % (1n << BigInt(bits))) + (1n << BigInt(bits))) % (1n << BigInt(bits));
const toSigned = (v: bigint, bits: number): bigint => (v >= 1n << BigInt(bits - 1) ? v - (1n << BigInt(bits)) : v);
const absBig = (v: bigint): bigint => (v < 0n ? -v : v);
/** quotient rounded toward zero, computed from magnitudes */
const truncDiv = (a: bigint, b: bigint): bigint => {
  const q = absBig(a) / absBig(b);
  return (a < 0n) !== (b < 0n) ? -q : q;
};

/** the reference: dst and src already narrowed to `bits`; returns the full 64-bit register */
function reference(op: OpName, bits: number, dst: bigint, src: bigint): bigint {
  const d = wrap(dst, bits);
  const s = wrap(src, bits);
  const sd = toSigned(d, bits);
  const ss = toSigned(s, bits);
  const shift = s % BigInt(bits);
  switch (op) {
    case 'add': return wrap(d + s, bits);
    case 'sub': return wrap(d - s, bits);
    case 'mul': return wrap(d * s, bits);
    case 'div': return s === 0n ? 0n : d / s;
    case 'sdiv': return s === 0n ? 0n : wrap(truncDiv(sd, ss), bits);
    case 'mod': return s === 0n ? d : d - (d / s) * s;
    case 'smod': return s === 0n ? d : wrap(sd - truncDiv(sd, ss) * ss, bits);
    case 'or': return d | s;
    case 'and': return d & s;
    case 'xor': return d ^ s;
    case 'lsh': return wrap(d * 2n ** shift, bits);
    case 'rsh': return d / 2n ** shift;
    case 'arsh': {
      // floor division by 2^shift is an arithmetic shift
      const q = sd >= 0n ? sd / 2n ** shift : -((-sd + 2n ** shift - 1n) / 2n ** shift);
      return wrap(q, bits);
    }
    case 'neg': return wrap(-d, bits);
    case 'mov': return s;
    case 'movsx8': return wrap(toSigned(wrap(src, 8), 8), bits);
    case 'movsx16': return wrap(toSigned(wrap(src, 16), 16), bits);
    case 'movsx32': return wrap(toSigned(wrap(src, 32), 32), bits);
  }
}

const encoding: Record<OpName, { op: number; off: number }> = {
  add: { op: Op.add, off: 0 }, sub: { op: Op.sub, off: 0 }, mul: { op: Op.mul, off: 0 },
  div: { op: Op.div, off: 0 }, sdiv: { op: Op.div, off: 1 }, mod: { op: Op.mod, off: 0 }, smod: { op: Op.mod, off: 1 },
  or: { op: Op.or, off: 0 }, and: { op: Op.and, off: 0 }, xor: { op: Op.xor, off: 0 },
  lsh: { op: Op.lsh, off: 0 }, rsh: { op: Op.rsh, off: 0 }, arsh: { op: Op.arsh, off: 0 },
  neg: { op: Op.neg, off: 0 }, mov: { op: Op.mov, off: 0 },
  movsx8: { op: Op.mov, off: 8 }, movsx16: { op: Op.mov, off: 16 }, movsx32: { op: Op.mov, off: 32 },
};

const edges = [0n, 1n, 2n, 3n, 7n, 31n, 32n, 63n, 64n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffff80000000n, 0xffffffffffffffffn, 0xfffffffffffffffen];
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(...edges));
const imm32 = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 31, 32, 63));

/** r1 = a; r2 = b; <op> r1, r2|imm; r0 = r1; exit */
function run(op: OpName, is64: boolean, a: bigint, operand: { reg: bigint } | { imm: number }): bigint {
  const { op: code, off } = encoding[op];
  const cls = is64 ? ALU64 : ALU32;
  const aluInsn = 'reg' in operand ? insn(cls | code | X, 1, 2, off) : insn(cls | code | K, 1, 0, off, operand.imm);
  const insns = [...ldImm64(1, a), ...ldImm64(2, 'reg' in operand ? operand.reg : 0n), aluInsn, mov64r(0, 1), exit()];
  return execute(program(insns)).r0;
}

const ops32: OpName[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'xor', 'lsh', 'rsh', 'arsh', 'neg', 'mov', 'movsx8', 'movsx16'];
const ops64: OpName[] = [...ops32, 'movsx32'];
const isShift = (op: OpName): boolean => op === 'lsh' || op === 'rsh' || op === 'arsh';
const isMovsx = (op: OpName): boolean => op.startsWith('movsx');

describe('ALU instructions match the BigInt reference', () => {
  for (const [is64, ops] of [[true, ops64], [false, ops32]] as const) {
    const bits = is64 ? 64 : 32;
    for (const op of ops) {
      if (!isMovsx(op)) {
        it(`${bits}-bit ${op} with an immediate`, () => {
          // shift immediates beyond the width are rejected by the verifier; keep to valid ones
          const imms = isShift(op) ? fc.integer({ min: 0, max: bits - 1 }) : imm32;
          fc.assert(fc.property(u64, imms, (a, imm) => {
            // ALU64 sign-extends the immediate; ALU (32-bit) uses its low 32 bits
            const src = is64 ? wrap(BigInt(imm), 64) : wrap(BigInt(imm), 32);
            if (op === 'neg') expect(run(op, is64, a, { imm: 0 })).toBe(reference(op, bits, a, 0n));
            else expect(run(op, is64, a, { imm })).toBe(reference(op, bits, a, src));
          }));
        });
      }
      // NEG has only the BPF_K encoding (0x84/0x87); 0x8c/0x8f are invalid opcodes
      if (op === 'neg') continue;
      it(`${bits}-bit ${op} with a register`, () => {
        fc.assert(fc.property(u64, u64, (a, b) => {
          const expected = isMovsx(op) ? reference(op, bits, 0n, b) : reference(op, bits, a, b);
          expect(run(op, is64, a, { reg: b })).toBe(expected);
        }));
      });
    }
  }
});
