// Soundness of the scalar abstraction: whatever the model's tnum and ranges say about a register must
// hold for the concrete value the interpreter computes.
import { BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../isa/index.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aluResult, execute } from './interp/index.ts';
import { check, PROFILES, type Reg } from './index.ts';
import { adjustScalar } from './scalar/alu.ts';
import { regBoundsSync } from './scalar/bounds.ts';
import { refineCondOp } from './scalar/branch.ts';
import { C32, C64 } from './scalar/cnum.ts';
import { tnumIn, tnumConst } from './scalar/tnum.ts';
import { knownScalar, unknownScalar } from './state.ts';
import { rawToHex } from '../isa/raw.ts';
import { asm } from './test-programs.ts';

/** the concrete u64 value is one the register's abstraction admits */
export function admits(r: Reg, v: bigint): boolean {
  const u = BigInt.asUintN(64, v);
  return tnumIn(r.varOff, tnumConst(u)) && C64.contains(r.r64, u) && C32.contains(r.r32, u & C32.UMAX);
}

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_ARSH];
const JMP_OPS = [BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET];

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt(-300n, 300n).map((x) => BigInt.asUintN(64, x)),
  fc.constantFrom(0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 63n, (1n << 64n) - 1n, (1n << 63n) - 1n),
);

function holds(op: number, jmp32: boolean, a: bigint, b: bigint): boolean {
  const m = jmp32 ? C32.UMAX : C64.UMAX;
  const bits = jmp32 ? 32 : 64;
  const ua = a & m, ub = b & m, sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
  switch (op) {
    case BPF_JEQ: return ua === ub;
    case BPF_JNE: return ua !== ub;
    case BPF_JGT: return ua > ub;
    case BPF_JGE: return ua >= ub;
    case BPF_JLT: return ua < ub;
    case BPF_JLE: return ua <= ub;
    case BPF_JSGT: return sa > sb;
    case BPF_JSGE: return sa >= sb;
    case BPF_JSLT: return sa < sb;
    case BPF_JSLE: return sa <= sb;
    default: return (ua & ub) !== 0n;
  }
}

/** an abstract register known to hold `v`, narrowed by conditions `v` satisfies */
function narrowed(v: bigint, conds: { op: number; k: bigint; jmp32: boolean }[]): Reg {
  const r = unknownScalar();
  for (const c of conds) {
    const k = knownScalar(c.k);
    const op = holds(c.op, c.jmp32, v, c.k) ? c.op : c.op === BPF_JSET ? (BPF_JSET | 0x08) : reverse(c.op);
    refineCondOp(r, k, op, c.jmp32);
    regBoundsSync(r);
  }
  return r;
}

function reverse(op: number): number {
  return ({ [BPF_JEQ]: BPF_JNE, [BPF_JNE]: BPF_JEQ, [BPF_JGT]: BPF_JLE, [BPF_JGE]: BPF_JLT, [BPF_JLT]: BPF_JGE, [BPF_JLE]: BPF_JGT,
    [BPF_JSGT]: BPF_JSLE, [BPF_JSGE]: BPF_JSLT, [BPF_JSLT]: BPF_JSGE, [BPF_JSLE]: BPF_JSGT } as Record<number, number>)[op]!;
}

const cond = fc.record({ op: fc.constantFrom(...JMP_OPS), k: u64, jmp32: fc.boolean() });

describe('scalar bounds contain the concrete value', () => {
  it('after branch refinement and one ALU op (interpreter ALU semantics)', () => {
    fc.assert(
      fc.property(u64, u64, fc.array(cond, { maxLength: 3 }), fc.array(cond, { maxLength: 3 }), fc.constantFrom(...ALU_OPS), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1 }),
        (a, b, ca, cb, op, alu64, srcConst, off) => {
          const sdiv = (op === BPF_DIV || op === BPF_MOD) && off === 1;
          const dst = narrowed(a, ca);
          const src = srcConst ? knownScalar(b) : narrowed(b, cb);
          expect(admits(dst, a)).toBe(true);
          expect(admits(src, b)).toBe(true);
          // shifts past the width are rejected (constant) or leave the register unknown
          const insn = { op, alu32: !alu64, off: sdiv ? 1 : 0, imm: 0, srcBit: false };
          const concrete = aluResult(op, alu64, a, op === BPF_NEG ? 0n : b, sdiv ? 1 : 0);
          if (concrete === undefined) return;
          const fork = adjustScalar(insn, dst, op === BPF_NEG ? dst : src);
          const ok = admits(dst, concrete) || (fork !== undefined && admits(fork, a));
          expect(ok, `op ${op.toString(16)} alu64=${alu64} a=${a} b=${b}`).toBe(true);
        }),
      { numRuns: 3000 },
    );
  });

  it('refinement keeps the value on the edge it takes', () => {
    fc.assert(
      fc.property(u64, u64, fc.constantFrom(...JMP_OPS), fc.boolean(), fc.array(cond, { maxLength: 2 }), (a, b, op, jmp32, ca) => {
        const r1 = narrowed(a, ca);
        const r2 = knownScalar(b);
        const taken = holds(op, jmp32, a, b);
        refineCondOp(r1, r2, taken ? op : op === BPF_JSET ? BPF_JSET | 0x08 : reverse(op), jmp32);
        regBoundsSync(r1);
        expect(admits(r1, a)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('for whole programs: R0 at exit admits what the interpreter returns', () => {
    const line = fc.oneof(
      fc.record({ op: fc.constantFrom('+=', '-=', '*=', '|=', '&=', '^=', '/=', '%='), w: fc.constantFrom('r', 'w'), d: fc.integer({ min: 6, max: 8 }), s: fc.oneof(fc.integer({ min: 6, max: 8 }), fc.integer({ min: -70000, max: 70000 }).map((x) => `${x}`)) })
        .map(({ op, w, d, s }) => (typeof s === 'number' ? `${w}${d} ${op} ${w}${s}` : `${w}${d} ${op} ${s === '0' && (op === '/=' || op === '%=') ? '1' : s}`)),
      fc.record({ op: fc.constantFrom('<<=', '>>=', 's>>='), w: fc.constantFrom('r', 'w'), d: fc.integer({ min: 6, max: 8 }), k: fc.integer({ min: 0, max: 31 }) }).map(({ op, w, d, k }) => `${w}${d} ${op} ${k}`),
      fc.record({ c: fc.constantFrom('>', '<', '>=', '<=', 's>', 's<', '==', '!=', '&'), d: fc.integer({ min: 6, max: 8 }), k: fc.integer({ min: -3000, max: 70000 }) }).map(({ c, d, k }) => `if r${d} ${c} ${k} goto +1\nr${d} += 1`),
      fc.integer({ min: 6, max: 8 }).map((d) => `r${d} = -r${d}`),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), fc.uint8Array({ minLength: 14, maxLength: 200 }), (lines, input) => {
        const src = `r6 = *(u32 *)(r1 +16)\nr7 = *(u32 *)(r1 +0)\nr8 = r6\nr8 ^= r7\n${lines.join('\n')}\nr0 = r6\nr0 += r7\nr0 ^= r8\nexit`;
        const prog = asm(src);
        prog.input = input;
        const res = check(prog, PROFILES['linux-7.2'], { collectExitR0: true });
        if (res.result) return; // rejects and unknowns are another test's business
        const run = execute(prog, input);
        const fits = res.exitR0!.some((r) => admits(r, run.r0));
        expect(fits, `${rawToHex(prog.insns)}\n${src}\nr0=${run.r0}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
