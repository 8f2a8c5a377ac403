// Per-feature behaviour of the interpreter: calls with stack arguments, memory and loads,
// byte swaps, atomics, division corner cases, the test-run ctx, and the failure modes.
import { describe, expect, it } from 'vitest';
import { execute, InterpStepLimit, InterpUnsupported, TestRunRejected } from './index.ts';
import type { RawInsn } from '../../isa/raw.ts';
import type { FuncDecl } from '../../program/types.ts';
import {
  ALU32, ALU64, JMP, JMP32, K, Op, Sz, X, add64, add64r, atomic, callAt, callHelper, exit, insn, ja, ldImm64, ldx, ldxsx,
  mov64, mov64r, program, st, stx,
} from './test-builders.ts';

const fn = (name: string, start: number, args: number): FuncDecl => ({ name, start, args, linkage: 'static' });

/** main(): r1..r5 = 1..5, outgoing stack args 6..n = 100*k, r6 = 77 (callee-saved); r0 = f(...) + r6 */
function callWithArgs(n: number): { insns: RawInsn[]; funcs: FuncDecl[] } {
  const main: RawInsn[] = [];
  for (let r = 1; r <= 5; r++) main.push(mov64(r, r));
  main.push(mov64(6, 77));
  for (let k = 6; k <= n; k++) {
    // alternate the register and immediate forms of the stack-argument store
    if (k % 2 === 0) main.push(st(Sz.dw, 11, -8 * (k - 5), 100 * k));
    else main.push(mov64(7, 100 * k), stx(Sz.dw, 11, -8 * (k - 5), 7));
  }
  const callIdx = main.length;
  const fStart = callIdx + 4;
  main.push(callAt(callIdx, fStart), add64r(0, 6), exit(), exit());
  const f: RawInsn[] = [mov64r(0, 1), add64r(0, 2), add64r(0, 3), add64r(0, 4), add64r(0, 5)];
  for (let k = 6; k <= n; k++) f.push(ldx(Sz.dw, 6, 11, 8 * (k - 5)), add64r(0, 6));
  f.push(exit());
  return { insns: [...main, ...f], funcs: [fn('main', 0, 1), fn('f', fStart, n)] };
}

const sumArgs = (n: number): number => 15 + Array.from({ length: n - 5 }, (_, i) => 100 * (i + 6)).reduce((a, b) => a + b, 0);

describe('bpf-to-bpf calls with stack arguments', () => {
  it('passes 7 arguments: r1-r5 and r11-8, r11-16, and keeps r6 across the call', () => {
    const { insns, funcs } = callWithArgs(7);
    const result = execute(program(insns, { funcs }));
    expect(result.retval).toBe(sumArgs(7) + 77);
    expect(result.unpredictable).toBeUndefined();
  });

  it('passes 12 arguments through all seven stack-argument slots', () => {
    const { insns, funcs } = callWithArgs(12);
    expect(execute(program(insns, { funcs })).retval).toBe(sumArgs(12) + 77);
  });

  it('gives each frame its own stack and lets a callee read the caller stack through a pointer argument', () => {
    const insns: RawInsn[] = [
      st(Sz.dw, 10, -8, 1000), // main's fp-8
      mov64r(6, 10), add64(6, -8),
      mov64(1, 0), mov64(2, 0), mov64(3, 0), mov64(4, 0), mov64(5, 0),
      stx(Sz.dw, 11, -8, 6), // arg 6 = &main.fp[-8]
      callAt(9, 13),
      ldx(Sz.dw, 1, 10, -8), add64r(0, 1), // main's slot unchanged by the callee's own fp-8
      exit(),
      // f(a..e, p): stores 5 to its own fp-8, returns *p + its fp-8
      ldx(Sz.dw, 1, 11, 8),
      st(Sz.dw, 10, -8, 5),
      ldx(Sz.dw, 0, 1, 0),
      ldx(Sz.dw, 2, 10, -8), add64r(0, 2),
      exit(),
    ];
    const result = execute(program(insns, { funcs: [fn('main', 0, 1), fn('f', 13, 6)] }));
    expect(result.retval).toBe(1000 + 5 + 1000);
    expect(result.unpredictable).toBeUndefined();
  });

  it('keeps a callee incoming arguments apart from its own outgoing ones (nested calls)', () => {
    const insns: RawInsn[] = [
      st(Sz.dw, 11, -8, 6), callAt(1, 3), exit(),
      // f: reads arg 6, passes arg6*10 as g's arg 6, returns g() + its own arg 6
      ldx(Sz.dw, 6, 11, 8),
      mov64r(7, 6), insn(ALU64 | Op.mul | K, 7, 0, 0, 10),
      stx(Sz.dw, 11, -8, 7), callAt(7, 10), add64r(0, 6), exit(),
      // g: return arg 6
      ldx(Sz.dw, 0, 11, 8), exit(),
    ];
    const funcs = [fn('main', 0, 1), fn('f', 3, 6), fn('g', 10, 6)];
    expect(execute(program(insns, { funcs })).retval).toBe(66);
  });

  it('marks a result that reads r1 after a call as not reproducible', () => {
    const insns = [mov64(1, 3), callAt(1, 4), mov64r(0, 1), exit(), mov64(0, 0), exit()];
    const result = execute(program(insns, { funcs: [fn('main', 0, 1), fn('f', 4, 1)] }));
    expect(result.unpredictable).toMatch(/clobbered/);
  });
});

describe('loads, stores and sign extension', () => {
  it('zero-extends LDX and sign-extends LDX MEMSX of every size', () => {
    const cases: Array<[number, boolean, bigint]> = [
      [Sz.b, false, 0x88n], [Sz.h, false, 0x9988n], [Sz.w, false, 0xbbaa9988n], [Sz.dw, false, 0xffeeddccbbaa9988n],
      [Sz.b, true, 0xffffffffffffff88n], [Sz.h, true, 0xffffffffffff9988n], [Sz.w, true, 0xffffffffbbaa9988n],
    ];
    for (const [size, signed, expected] of cases) {
      const insns = [...ldImm64(1, 0xffeeddccbbaa9988n), stx(Sz.dw, 10, -8, 1), signed ? ldxsx(size, 0, 10, -8) : ldx(size, 0, 10, -8), exit()];
      expect(execute(program(insns)).r0).toBe(expected);
    }
  });

  it('stores only the low bytes of a narrow store', () => {
    const insns = [st(Sz.dw, 10, -8, -1), mov64(1, 0x1234), stx(Sz.h, 10, -8, 1), st(Sz.b, 10, -6, 0), ldx(Sz.dw, 0, 10, -8), exit()];
    expect(execute(program(insns)).r0).toBe(0xffffffffff001234n);
  });

  it('movsx sign-extends 8, 16 and 32 bits (ALU64) and 8, 16 bits into w (ALU)', () => {
    const movsx = (cls: number, off: number): RawInsn => insn(cls | Op.mov | X, 0, 1, off);
    const v = 0x80ff8080n;
    const run = (i: RawInsn): bigint => execute(program([...ldImm64(1, v), i, exit()])).r0;
    expect(run(movsx(ALU64, 8))).toBe(0xffffffffffffff80n);
    expect(run(movsx(ALU64, 16))).toBe(0xffffffffffff8080n);
    expect(run(movsx(ALU64, 32))).toBe(0xffffffff80ff8080n);
    expect(run(movsx(ALU32, 8))).toBe(0xffffff80n);
    expect(run(movsx(ALU32, 16))).toBe(0xffff8080n);
  });

  it('marks a read of uninitialised stack as not reproducible only when it reaches r0', () => {
    const used = execute(program([ldx(Sz.dw, 0, 10, -16), exit()]));
    expect(used.unpredictable).toMatch(/uninitialised stack/);
    const unused = execute(program([ldx(Sz.dw, 1, 10, -16), mov64(0, 1), exit()]));
    expect(unused.unpredictable).toBeUndefined();
    const branched = execute(program([ldx(Sz.dw, 1, 10, -16), mov64(0, 1), insn(JMP | 0x10 | K, 1, 0, 1, 0), mov64(0, 2), exit()]));
    expect(branched.unpredictable).toMatch(/branch/);
  });
});

describe('byte swaps', () => {
  const v = 0x0123456789abcdefn;
  const swap = (cls: number, src: number, width: number): bigint => execute(program([...ldImm64(0, v), insn(cls | Op.end | src, 0, 0, 0, width), exit()])).r0;
  it('be16/be32/be64 swap and truncate', () => {
    expect(swap(ALU32, X, 16)).toBe(0xefcdn);
    expect(swap(ALU32, X, 32)).toBe(0xefcdab89n);
    expect(swap(ALU32, X, 64)).toBe(0xefcdab8967452301n);
  });
  it('le16/le32/le64 only truncate on a little-endian machine', () => {
    expect(swap(ALU32, K, 16)).toBe(0xcdefn);
    expect(swap(ALU32, K, 32)).toBe(0x89abcdefn);
    expect(swap(ALU32, K, 64)).toBe(v);
  });
  it('bswap16/32/64 (ALU64) swap unconditionally', () => {
    expect(swap(ALU64, K, 16)).toBe(0xefcdn);
    expect(swap(ALU64, K, 32)).toBe(0xefcdab89n);
    expect(swap(ALU64, K, 64)).toBe(0xefcdab8967452301n);
  });
});

describe('atomics', () => {
  const FETCH = 0x01;
  /** fp-8 = 0x1_0000_00f0; r1 = operand; <atomic>; r0 = fp-8 or the fetched register */
  const run = (size: number, op: number, operand: bigint, result: 'mem' | 'r1' | 'r0', r0 = 0n): bigint => {
    const insns = [...ldImm64(2, 0x1000000f0n), stx(Sz.dw, 10, -8, 2), ...ldImm64(1, operand), ...ldImm64(0, r0), atomic(size, 10, 1, -8, op)];
    insns.push(result === 'mem' ? ldx(Sz.dw, 0, 10, -8) : mov64r(0, result === 'r1' ? 1 : 0), exit());
    return execute(program(insns)).r0;
  };
  it('add/or/and/xor on 64 bits, with and without fetch', () => {
    expect(run(Sz.dw, 0x00, 0x10n, 'mem')).toBe(0x100000100n);
    expect(run(Sz.dw, 0x40, 0x0fn, 'mem')).toBe(0x1000000ffn);
    expect(run(Sz.dw, 0x50, 0x30n, 'mem')).toBe(0x30n);
    expect(run(Sz.dw, 0xa0, 0xffn, 'mem')).toBe(0x10000000fn);
    expect(run(Sz.dw, 0x00 | FETCH, 0x10n, 'r1')).toBe(0x1000000f0n);
    expect(run(Sz.dw, 0xa0 | FETCH, 0xffn, 'r1')).toBe(0x1000000f0n);
  });
  it('32-bit atomics touch only the low word and zero-extend the fetched value', () => {
    expect(run(Sz.w, 0x00, 0xffffff10n, 'mem')).toBe(0x100000000n); // carry does not reach the high word
    expect(run(Sz.w, 0x00 | FETCH, 1n, 'r1')).toBe(0xf0n);
  });
  it('xchg and cmpxchg', () => {
    expect(run(Sz.dw, 0xe1, 7n, 'r1')).toBe(0x1000000f0n);
    expect(run(Sz.dw, 0xe1, 7n, 'mem')).toBe(7n);
    expect(run(Sz.dw, 0xf1, 9n, 'mem', 0x1000000f0n)).toBe(9n); // matched: stored
    expect(run(Sz.dw, 0xf1, 9n, 'mem', 5n)).toBe(0x1000000f0n); // no match: unchanged
    expect(run(Sz.dw, 0xf1, 9n, 'r0', 5n)).toBe(0x1000000f0n); // r0 = old value either way
    expect(run(Sz.w, 0xf1, 9n, 'r0', 0xf0n)).toBe(0xf0n);
    expect(run(Sz.w, 0xf1, 9n, 'mem', 0xf0n)).toBe(0x100000009n);
  });
  it('load-acquire and store-release of every size', () => {
    const acq = execute(program([...ldImm64(1, 0x8877665544332211n), stx(Sz.dw, 10, -8, 1), atomic(Sz.h, 0, 10, -8, 0x100), exit()]));
    expect(acq.r0).toBe(0x2211n);
    const rel = execute(program([st(Sz.dw, 10, -8, 0), mov64(1, 0x1ff), atomic(Sz.b, 10, 1, -8, 0x110), ldx(Sz.dw, 0, 10, -8), exit()]));
    expect(rel.r0).toBe(0xffn);
  });
});

describe('division and modulo corner cases', () => {
  const divide = (cls: number, op: number, off: number, a: bigint, b: bigint): bigint =>
    execute(program([...ldImm64(0, a), ...ldImm64(1, b), insn(cls | op | X, 0, 1, off), exit()])).r0;
  it('division by zero gives 0 and modulo by zero keeps the dividend', () => {
    expect(divide(ALU64, Op.div, 0, 42n, 0n)).toBe(0n);
    expect(divide(ALU64, Op.mod, 0, 42n, 0n)).toBe(42n);
    expect(divide(ALU64, Op.div, 1, 42n, 0n)).toBe(0n);
    expect(divide(ALU64, Op.mod, 1, -42n & ((1n << 64n) - 1n), 0n)).toBe(BigInt.asUintN(64, -42n));
  });
  it('32-bit modulo by zero keeps the low word and clears the high one', () => {
    expect(divide(ALU32, Op.mod, 0, 0x1234500000007n, 0n)).toBe(7n);
    expect(divide(ALU32, Op.mod, 1, 0x12345fffffff9n, 0x100000000n)).toBe(0xfffffff9n); // divisor's low word is 0
  });
  it('signed INT_MIN / -1 is INT_MIN and INT_MIN % -1 is 0', () => {
    expect(divide(ALU64, Op.div, 1, 1n << 63n, (1n << 64n) - 1n)).toBe(1n << 63n);
    expect(divide(ALU64, Op.mod, 1, 1n << 63n, (1n << 64n) - 1n)).toBe(0n);
    expect(divide(ALU32, Op.div, 1, 0x80000000n, 0xffffffffn)).toBe(0x80000000n);
    expect(divide(ALU32, Op.mod, 1, 0x80000000n, 0xffffffffn)).toBe(0n);
  });
  it('signed division truncates toward zero and the remainder takes the dividend sign', () => {
    expect(divide(ALU64, Op.div, 1, BigInt.asUintN(64, -7n), 2n)).toBe(BigInt.asUintN(64, -3n));
    expect(divide(ALU64, Op.mod, 1, BigInt.asUintN(64, -7n), 2n)).toBe(BigInt.asUintN(64, -1n));
    expect(divide(ALU32, Op.mod, 1, 7n, BigInt.asUintN(32, -2n))).toBe(1n);
  });
});

describe('jumps', () => {
  it('gotol (JMP32 JA) jumps by imm, JMP JA by off', () => {
    const insns = [mov64(0, 1), insn(JMP32 | 0x00, 0, 0, 0, 1), mov64(0, 2), ja(1), mov64(0, 3), exit()];
    expect(execute(program(insns)).retval).toBe(1);
  });
  it('JMP32 compares the low 32 bits, signed and unsigned', () => {
    // r1 = 0x1_ffffffff: as w1 it is -1 (signed) and 0xffffffff (unsigned)
    const test = (cls: number, op: number, imm: number): number =>
      execute(program([...ldImm64(1, 0x1ffffffffn), mov64(0, 0), insn(cls | op | K, 1, 0, 1, imm), exit(), mov64(0, 1), exit()])).retval;
    expect(test(JMP32, 0xc0, 0)).toBe(1); // w1 s< 0
    expect(test(JMP, 0xc0, 0)).toBe(0); // r1 s< 0 is false
    expect(test(JMP32, 0x10, -1)).toBe(1); // w1 == 0xffffffff
    expect(test(JMP, 0x10, -1)).toBe(0); // r1 != 0xffff_ffff_ffff_ffff
  });
  it('stops a runaway loop with a clear error', () => {
    expect(() => execute(program([ja(-1), exit()]), undefined, { maxSteps: 1000 })).toThrow(InterpStepLimit);
    expect(() => execute(program([ja(-1), exit()]), undefined, { maxSteps: 1000 })).toThrow(/step limit of 1000/);
  });
});

describe('the test-run context', () => {
  const ipv4 = (): Uint8Array => {
    const p = new Uint8Array(64);
    p[12] = 0x08; p[13] = 0x00; p[14] = 0x45; p[23] = 17;
    return p;
  };
  it('sched_cls: len, protocol, ifindex and packet bytes through data/data_end', () => {
    const len = execute(program([ldx(Sz.w, 0, 1, 0), exit()], { input: ipv4() }));
    expect(len.retval).toBe(64);
    expect(execute(program([ldx(Sz.w, 0, 1, 16), exit()], { input: ipv4() })).retval).toBe(0x0008);
    expect(execute(program([ldx(Sz.w, 0, 1, 40), exit()])).retval).toBe(1);
    const span = execute(program([ldx(Sz.w, 2, 1, 76), ldx(Sz.w, 3, 1, 80), mov64r(0, 3), insn(ALU64 | Op.sub | X, 0, 2), exit()]));
    expect(span).toMatchObject({ retval: 64, unpredictable: undefined });
    const byte = execute(program([ldx(Sz.w, 2, 1, 76), ldx(Sz.b, 0, 2, 23), exit()], { input: ipv4() }));
    expect(byte.retval).toBe(17);
  });
  it('socket_filter: len excludes the Ethernet header and LD_ABS reads from the network header', () => {
    expect(execute(program([ldx(Sz.w, 0, 1, 0), exit()], { progType: 'socket_filter', input: ipv4() })).retval).toBe(50);
    const ldAbs = insn(0x20 | 0x10, 0, 0, 0, 9); // ldb [9]: IPv4 protocol
    expect(execute(program([mov64r(6, 1), ldAbs, exit()], { progType: 'socket_filter', input: ipv4() })).retval).toBe(17);
    const beyond = insn(0x20 | 0x00, 0, 0, 0, 1000);
    expect(execute(program([mov64(0, 5), beyond, mov64(0, 9), exit()], { progType: 'socket_filter' })).retval).toBe(0);
  });
  it('xdp: data_end - data and ingress_ifindex of the loopback device', () => {
    const span = execute(program([ldx(Sz.w, 2, 1, 0), ldx(Sz.w, 3, 1, 4), mov64r(0, 3), insn(ALU64 | Op.sub | X, 0, 2), exit()], { progType: 'xdp', input: new Uint8Array(100) }));
    expect(span.retval).toBe(100);
    expect(execute(program([ldx(Sz.w, 0, 1, 12), exit()], { progType: 'xdp' })).retval).toBe(1);
  });
  it('refuses a packet shorter than an Ethernet header like the kernel does', () => {
    expect(() => execute(program([mov64(0, 0), exit()]), new Uint8Array(10))).toThrow(TestRunRejected);
  });
  it('marks an address returned in r0 as not reproducible', () => {
    expect(execute(program([mov64r(0, 10), exit()])).unpredictable).toMatch(/address/);
  });
});

describe('r11 and address provenance', () => {
  it('faults on any use of r11 other than stack-argument stores and loads', () => {
    const bad = [insn(ALU64 | Op.add | K, 11, 0, 0, 1), stx(Sz.w, 11, -8, 1), st(Sz.dw, 11, -4, 1), ldx(Sz.w, 0, 11, 8), ldx(Sz.dw, 0, 11, -8), mov64r(0, 11)];
    for (const i of bad) expect(() => execute(program([mov64(1, 0), i, mov64(0, 0), exit()]))).toThrow(/r11/);
  });
  it('an address spilled to the stack and reloaded still points where it did', () => {
    const insns = [st(Sz.dw, 10, -16, 321), mov64r(1, 10), add64(1, -16), stx(Sz.dw, 10, -8, 1), ldx(Sz.dw, 2, 10, -8), ldx(Sz.dw, 0, 2, 0), exit()];
    expect(execute(program(insns))).toMatchObject({ retval: 321, unpredictable: undefined });
  });
  it('part of a spilled address is not reproducible', () => {
    const insns = [stx(Sz.dw, 10, -8, 10), ldx(Sz.w, 0, 10, -8), exit()];
    expect(execute(program(insns)).unpredictable).toMatch(/partial read of an address/);
  });
  it('JSET tests bits; LD_IND adds the register to the offset', () => {
    const jset = (imm: number): number => execute(program([mov64(1, 0b1010), mov64(0, 0), insn(JMP | 0x40 | K, 1, 0, 1, imm), exit(), mov64(0, 1), exit()])).retval;
    expect(jset(0b0010)).toBe(1);
    expect(jset(0b0101)).toBe(0);
    const input = new Uint8Array(64).map((_, i) => i);
    const ldInd = insn(0x40 | 0x08, 0, 7, 0, 2); // ldh [r7 + 2]
    expect(execute(program([mov64r(6, 1), mov64(7, 10), ldInd, exit()], { input })).retval).toBe((12 << 8) | 13);
  });
});

describe('results and helpers', () => {
  it('retval is the low 32 bits of r0', () => {
    const result = execute(program([mov64(0, -1), exit()]));
    expect(result).toMatchObject({ retval: 0xffffffff, r0: (1n << 64n) - 1n });
  });
  it('throws InterpUnsupported naming an unknown helper', () => {
    expect(() => execute(program([callHelper(14), exit()]))).toThrow(InterpUnsupported);
    expect(() => execute(program([callHelper(14), exit()]))).toThrow(/helper bpf_get_current_pid_tgid#14/);
  });
  it('a random number makes r0 unpredictable', () => {
    expect(execute(program([callHelper(7), exit()])).unpredictable).toMatch(/bpf_get_prandom_u32/);
  });
});
