// Exactness of the word-pair scalar core: every transfer function gives, bit for bit, what the
// BigInt implementation it replaced gives (bigint-reference/), on random abstract registers
// (arbitrary and synced ones, including empty and inconsistent arcs).
import { BPF_ADD, BPF_AND, BPF_ARSH, BPF_DIV, BPF_END, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_LSH, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../../isa/index.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Ref from './bigint-reference/index.ts';
import { adjustScalar } from './alu.ts';
import {
  boundsInsane,
  coerceRegToSize,
  coerceRegToSizeSx,
  coerceSubregToSizeSx,
  regBoundsSync,
  regWidth,
  s32max,
  s32min,
  smax,
  smin,
  u32max,
  u32min,
  umax,
  umin,
  updateRegBounds,
  zext32To64,
} from './bounds.ts';
import { refineCondOp, scalarBranchTaken, type BranchRegs } from './branch.ts';
import { C32, C64, Cnum, cnum32FromCnum64, cnum64Cnum32Intersect } from './cnum.ts';
import {
  Tnum,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumBswap,
  tnumCast,
  tnumIn,
  tnumIntersect,
  tnumIsAligned,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumOverlap,
  tnumRange,
  tnumRshift,
  tnumStep,
  tnumSub,
  tnumUnion,
  tnumXor,
} from './tnum.ts';
import { bigU, wFromBig } from './u64.ts';
import { nearPow2, u64 } from './test-arbitraries.ts';
import type { Reg } from './reg.ts';

const U64 = (1n << 64n) - 1n;
const U32 = 0xffffffffn;
const u32 = (x: bigint): bigint => x & U32;

// --- abstract values as BigInt records, turned into either implementation ---

interface TnumB {
  value: bigint;
  mask: bigint;
}
interface CnumB {
  base: bigint;
  size: bigint;
}

const toTnum = (t: TnumB): Tnum => {
  const v = wFromBig(t.value), m = wFromBig(t.mask);
  return new Tnum(v.h, v.l, m.h, m.l);
};
const toCnum = (c: CnumB): Cnum => {
  const b = wFromBig(c.base), s = wFromBig(c.size);
  return new Cnum(b.h, b.l, s.h, s.l);
};
const ofTnum = (t: Tnum): TnumB => ({ value: bigU(t.vh, t.vl), mask: bigU(t.mh, t.ml) });
const ofCnum = (c: Cnum): CnumB => ({ base: bigU(c.bh, c.bl), size: bigU(c.sh, c.sl) });

const mask64 = fc.oneof(
  u64,
  fc.integer({ min: 0, max: 64 }).map((k) => (1n << BigInt(k)) - 1n),
  fc.integer({ min: 0, max: 64 }).map((k) => U64 ^ ((1n << BigInt(k)) - 1n)),
  fc.tuple(u64, u64).map(([a, b]) => a & b),
  fc.constant(0n),
);
/** known-bits values; mostly well formed (value & mask = 0), sometimes not */
const tnumB = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(u64, mask64).map(([v, m]): TnumB => ({ value: v & ~m & U64, mask: m })) },
  { weight: 1, arbitrary: fc.tuple(u64, mask64).map(([v, m]): TnumB => ({ value: v, mask: m })) },
);

const size64 = fc.oneof(u64, fc.bigInt(0n, 300n), fc.bigInt(0n, 300n).map((d) => U64 - d), fc.bigInt(0n, 300n).map((d) => (1n << 32n) - 1n - d));
const size32 = fc.oneof(u64.map((x) => x & U32), fc.bigInt(0n, 300n), fc.bigInt(0n, 300n).map((d) => U32 - d), fc.bigInt(0n, 300n).map((d) => 0x7fffffffn - d));
const cnum64B = fc.oneof(
  { weight: 8, arbitrary: fc.record({ base: u64, size: size64 }) },
  { weight: 1, arbitrary: fc.constant({ base: U64, size: U64 }) },
  { weight: 1, arbitrary: fc.constant({ base: 0n, size: U64 }) },
);
const cnum32B = fc.oneof(
  { weight: 8, arbitrary: fc.record({ base: u64.map((x) => x & U32), size: size32 }) },
  { weight: 1, arbitrary: fc.constant({ base: U32, size: U32 }) },
  { weight: 1, arbitrary: fc.constant({ base: 0n, size: U32 }) },
);

interface RegB {
  varOff: TnumB;
  r64: CnumB;
  r32: CnumB;
  id: number;
  delta: number;
  synced: boolean;
}

/** ranges ending at or next to a power of two, where the shift and multiply limits sit */
const nearPow2Range: fc.Arbitrary<RegB> = fc.tuple(nearPow2, nearPow2, fc.boolean(), fc.boolean()).map(([a, b, sub32, signed]) => {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const r: CnumB = { base: lo, size: hi - lo };
  const n32 = signed ? { base: u32(-hi), size: (hi - lo) & U32 } : { base: lo & U32, size: (hi - lo) & U32 };
  return { varOff: { value: 0n, mask: U64 }, r64: sub32 ? { base: 0n, size: U64 } : r, r32: n32, id: 0, delta: 0, synced: true };
});

/** an arbitrary register, or a known one, or one narrowed the way the verifier narrows */
const regB: fc.Arbitrary<RegB> = fc.oneof(
  fc.record({ varOff: tnumB, r64: cnum64B, r32: cnum32B, id: fc.constantFrom(0, 3), delta: fc.constantFrom(0, 5), synced: fc.boolean() }),
  u64.map((v) => ({ varOff: { value: v, mask: 0n }, r64: { base: v, size: 0n }, r32: { base: v & U32, size: 0n }, id: 0, delta: 0, synced: false })),
  fc.tuple(u64, u64, u64).map(([a, b, m]) => {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    return { varOff: { value: 0n, mask: m | (U64 >> 1n) }, r64: { base: lo, size: hi - lo }, r32: { base: 0n, size: U32 }, id: 2, delta: 0, synced: true };
  }),
  nearPow2Range,
);

function newReg(b: RegB): Reg {
  const r: Reg = { type: 'scalar', varOff: toTnum(b.varOff), r64: toCnum(b.r64), r32: toCnum(b.r32), frameno: 0, id: b.id, delta: b.delta, linked32: undefined, mapIdx: -1, range: 0, fixedOff: 0, varPart: undefined, btf: undefined };
  if (b.synced) regBoundsSync(r);
  return r;
}

function refReg(b: RegB): Ref.Reg {
  const r: Ref.Reg = { type: 'scalar', varOff: { ...b.varOff }, r64: { ...b.r64 }, r32: { ...b.r32 }, frameno: 0, id: b.id, delta: b.delta, linked32: undefined, mapIdx: -1, range: 0 };
  if (b.synced) Ref.regBoundsSync(r);
  return r;
}

/** a register as plain BigInt fields, comparable with the reference */
const flat = (r: Reg | Ref.Reg | undefined) =>
  r && {
    type: r.type,
    varOff: r.varOff instanceof Tnum ? ofTnum(r.varOff) : { value: r.varOff.value, mask: r.varOff.mask },
    r64: r.r64 instanceof Cnum ? ofCnum(r.r64) : { base: r.r64.base, size: r.r64.size },
    r32: r.r32 instanceof Cnum ? ofCnum(r.r32) : { base: r.r32.base, size: r.r32.size },
    frameno: r.frameno,
    id: r.id,
    delta: r.delta,
    linked32: r.linked32,
    mapIdx: r.mapIdx,
    range: r.range,
  };

const runs = { numRuns: 3000 };

describe('tnum operations match the BigInt implementation', () => {
  it('binary ones', () => {
    fc.assert(
      fc.property(tnumB, tnumB, (a, b) => {
        const na = toTnum(a), nb = toTnum(b);
        expect(ofTnum(tnumAdd(na, nb))).toEqual(Ref.tnumAdd(a, b));
        expect(ofTnum(tnumSub(na, nb))).toEqual(Ref.tnumSub(a, b));
        expect(ofTnum(tnumAnd(na, nb))).toEqual(Ref.tnumAnd(a, b));
        expect(ofTnum(tnumOr(na, nb))).toEqual(Ref.tnumOr(a, b));
        expect(ofTnum(tnumXor(na, nb))).toEqual(Ref.tnumXor(a, b));
        expect(ofTnum(tnumMul(na, nb))).toEqual(Ref.tnumMul(a, b));
        expect(ofTnum(tnumIntersect(na, nb))).toEqual(Ref.tnumIntersect(a, b));
        expect(ofTnum(tnumUnion(na, nb))).toEqual(Ref.tnumUnion(a, b));
        expect(tnumOverlap(na, nb)).toBe(Ref.tnumOverlap(a, b));
        expect(tnumIn(na, nb)).toBe(Ref.tnumIn(a, b));
      }),
      runs,
    );
  });

  it('unary ones, shifts, casts, ranges and steps', () => {
    fc.assert(
      fc.property(tnumB, fc.integer({ min: 0, max: 70 }), fc.constantFrom(0, 1, 2, 4, 8), u64, u64, (a, n, size, x, y) => {
        const na = toTnum(a);
        expect(ofTnum(tnumNeg(na))).toEqual(Ref.tnumNeg(a));
        expect(ofTnum(tnumLshift(na, n))).toEqual(Ref.tnumLshift(a, n));
        expect(ofTnum(tnumRshift(na, n))).toEqual(Ref.tnumRshift(a, n));
        expect(ofTnum(tnumArshift(na, n, 64))).toEqual(Ref.tnumArshift(a, n, 64));
        expect(ofTnum(tnumArshift(na, n, 32))).toEqual(Ref.tnumArshift(a, n, 32));
        expect(ofTnum(tnumCast(na, size))).toEqual(Ref.tnumCast(a, size));
        expect(tnumIsAligned(na, size)).toBe(Ref.tnumIsAligned(a, size));
        for (const bits of [16, 32, 64] as const) expect(ofTnum(tnumBswap(na, bits))).toEqual(Ref.tnumBswap(a, bits));
        const [lo, hi] = x < y ? [x, y] : [y, x];
        const wl = wFromBig(lo), wh = wFromBig(hi);
        expect(ofTnum(tnumRange(wl.h, wl.l, wh.h, wh.l))).toEqual(Ref.tnumRange(lo, hi));
        const step = tnumStep(na, wFromBig(x));
        expect(bigU(step.h, step.l)).toBe(Ref.tnumStep(a, x));
      }),
      runs,
    );
  });
});

describe('cnum operations match the BigInt implementation', () => {
  for (const [name, C, R, arb] of [
    ['32-bit', C32, Ref.C32, cnum32B],
    ['64-bit', C64, Ref.C64, cnum64B],
  ] as const) {
    it(name, () => {
      fc.assert(
        fc.property(arb, arb, u64, u64, (a, b, x, y) => {
          const na = toCnum(a), nb = toCnum(b);
          expect(ofCnum(C.intersect(na, nb))).toEqual(R.intersect(a, b));
          expect(ofCnum(C.add(na, nb))).toEqual(R.add(a, b));
          expect(ofCnum(C.negate(na))).toEqual(R.negate(a));
          expect(C.isSubset(na, nb)).toBe(R.isSubset(a, b));
          expect(C.contains(na, x)).toBe(R.contains(a, x));
          expect([C.umin(na), C.umax(na), C.smin(na), C.smax(na)]).toEqual([R.umin(a), R.umax(a), R.smin(a), R.smax(a)]);
          expect([C.isEmpty(na), C.isConst(na), C.urangeOverflow(na)]).toEqual([R.isEmpty(a), R.isConst(a), R.urangeOverflow(a)]);
          const sx = BigInt.asIntN(C.bits, x), sy = BigInt.asIntN(C.bits, y);
          expect(ofCnum(C.fromURange(x, y))).toEqual(R.fromURange(x, y));
          expect(ofCnum(C.fromSRange(sx, sy))).toEqual(R.fromSRange(sx, sy));
        }),
        runs,
      );
    });
  }

  // cnum_is_subset: the whole circle holds every arc, one that wraps past UMAX too (its end is a
  // u32/u64 sum). regsafe's range_within asks this of an old unknown scalar and a current one like
  // smin=0x80000000000003da,smax=0x7ffffffffffff3da (an odd multiple of var_off=(0x3da; 0x...f000)):
  // the model said no, kept walking a path 7.2 pruned (campaign g4/eebc1af8) and rejected it
  it('the whole circle holds a wrapping arc', () => {
    const wrap64 = C64.fromSRange(-0x7ffffffffffffc26n, 0x7ffffffffffff3dan);
    const wrap32 = C32.fromSRange(-0x7ffffc26n, 0x7ffff3dan);
    expect(C64.urangeOverflow(wrap64) && C32.urangeOverflow(wrap32)).toBe(true);
    expect([C64.isSubset(C64.UNBOUNDED, wrap64), C32.isSubset(C32.UNBOUNDED, wrap32)]).toEqual([true, true]);
    expect([Ref.C64.isSubset(Ref.C64.UNBOUNDED, ofCnum(wrap64)), Ref.C32.isSubset(Ref.C32.UNBOUNDED, ofCnum(wrap32))]).toEqual([true, true]);
    // an arc short of the circle holds no wrapping arc that sticks out of it
    expect(C64.isSubset(C64.fromURange(0n, (1n << 64n) - 2n), wrap64)).toBe(false);
    expect(C32.isSubset(C32.fromURange(0n, 0xfffffffen), wrap32)).toBe(false);
  });

  it('between the widths', () => {
    fc.assert(
      fc.property(cnum64B, cnum32B, (a, b) => {
        expect(ofCnum(cnum32FromCnum64(toCnum(a)))).toEqual(Ref.cnum32FromCnum64(a));
        expect(ofCnum(cnum64Cnum32Intersect(toCnum(a), toCnum(b)))).toEqual(Ref.cnum64Cnum32Intersect(a, b));
      }),
      runs,
    );
  });
});

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR, BPF_ARSH, BPF_END];
const JMP_OPS = [BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET, BPF_JSET | 0x08];

/** small shift counts and divisors often, so that the interesting paths run */
const srcB = fc.oneof(regB, fc.bigInt(0n, 70n).map((v) => ({ varOff: { value: v, mask: 0n }, r64: { base: v, size: 0n }, r32: { base: v, size: 0n }, id: 0, delta: 0, synced: false })));

describe('register transfer functions match the BigInt implementation', () => {
  it('bounds sync and the coercions', () => {
    fc.assert(
      fc.property(regB, fc.constantFrom(1, 2, 4, 8), (b, size) => {
        const fns: [(r: Reg) => unknown, (r: Ref.Reg) => unknown][] = [
          [regBoundsSync, Ref.regBoundsSync],
          [updateRegBounds, Ref.updateRegBounds],
          [zext32To64, Ref.zext32To64],
          [(r) => coerceRegToSize(r, size), (r) => Ref.coerceRegToSize(r, size)],
          [(r) => coerceRegToSizeSx(r, size), (r) => Ref.coerceRegToSizeSx(r, size)],
          [(r) => coerceSubregToSizeSx(r, size), (r) => Ref.coerceSubregToSizeSx(r, size)],
          [boundsInsane, Ref.boundsInsane],
          [regWidth, Ref.regWidth],
          [(r) => [umin(r), umax(r), smin(r), smax(r), u32min(r), u32max(r), s32min(r), s32max(r)], (r) => [Ref.umin(r), Ref.umax(r), Ref.smin(r), Ref.smax(r), Ref.u32min(r), Ref.u32max(r), Ref.s32min(r), Ref.s32max(r)]],
        ];
        for (const [mine, theirs] of fns) {
          const n = newReg(b), r = refReg(b);
          expect(mine(n)).toEqual(theirs(r));
          expect(flat(n)).toEqual(flat(r));
        }
      }),
      runs,
    );
  });

  it('ALU operations (adjust_scalar_min_max_vals)', () => {
    fc.assert(
      fc.property(regB, srcB, fc.constantFrom(...ALU_OPS), fc.boolean(), fc.integer({ min: 0, max: 1 }), fc.constantFrom(16, 32, 64), fc.boolean(), fc.boolean(),
        (d, s, op, alu32, off, imm, srcBit, same) => {
          const insn = { op, alu32, off, imm, srcBit };
          const nd = newReg(d), rd = refReg(d);
          const ns = same ? nd : newReg(s), rs = same ? rd : refReg(s);
          const nf = adjustScalar(insn, nd, ns);
          const rf = Ref.adjustScalar(insn, rd, rs);
          expect(flat(nd), `op ${op.toString(16)} alu32=${alu32}`).toEqual(flat(rd));
          expect(flat(ns)).toEqual(flat(rs));
          expect(flat(nf)).toEqual(flat(rf));
        }),
      { numRuns: 10000 },
    );
  });

  it('shifts, multiplies and divisions by constants, on ranges at powers of two', () => {
    const known = (v: bigint): RegB => ({ varOff: { value: v, mask: 0n }, r64: { base: v, size: 0n }, r32: { base: v & U32, size: 0n }, id: 0, delta: 0, synced: false });
    fc.assert(
      fc.property(nearPow2Range, fc.oneof(fc.bigInt(0n, 64n), nearPow2).map(known), fc.constantFrom(BPF_LSH, BPF_RSH, BPF_ARSH, BPF_MUL, BPF_DIV, BPF_MOD), fc.boolean(), fc.integer({ min: 0, max: 1 }),
        (d, s, op, alu32, off) => {
          const insn = { op, alu32, off, imm: 0, srcBit: false };
          const nd = newReg(d), rd = refReg(d);
          adjustScalar(insn, nd, newReg(s));
          Ref.adjustScalar(insn, rd, refReg(s));
          expect(flat(nd), `op ${op.toString(16)} alu32=${alu32}`).toEqual(flat(rd));
        }),
      { numRuns: 10000 },
    );
  });

  it('branch refinement and branch prediction', () => {
    fc.assert(
      fc.property(regB, regB, fc.constantFrom(...JMP_OPS), fc.boolean(), fc.boolean(), (a, c, op, jmp32, same) => {
        const n1 = newReg(a), r1 = refReg(a);
        const n2 = same ? n1 : newReg(c), r2 = same ? r1 : refReg(c);
        refineCondOp(n1, n2, op, jmp32);
        Ref.refineCondOp(r1, r2, op, jmp32);
        expect(flat(n1)).toEqual(flat(r1));
        expect(flat(n2)).toEqual(flat(r2));
        if (op === (BPF_JSET | 0x08)) return;
        const m1 = newReg(a), q1 = refReg(a), m2 = same ? m1 : newReg(c), q2 = same ? q1 : refReg(c);
        const nb: BranchRegs = { true1: { ...m1 }, true2: { ...m2 }, false1: { ...m1 }, false2: { ...m2 } };
        const rb: Ref.BranchRegs = { true1: { ...q1 }, true2: { ...q2 }, false1: { ...q1 }, false2: { ...q2 } };
        expect(scalarBranchTaken(m1, m2, same, op, jmp32, nb)).toBe(Ref.scalarBranchTaken(q1, q2, same, op, jmp32, rb));
        for (const k of ['true1', 'true2', 'false1', 'false2'] as const) expect(flat(nb[k])).toEqual(flat(rb[k]));
      }),
      { numRuns: 4000 },
    );
  });
});
