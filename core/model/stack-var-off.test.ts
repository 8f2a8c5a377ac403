// Rule tests for core/model/stack-var-off.ts (variable-offset stack access). Every expected
// outcome was measured on the real Debian kernels 7.2.13 and 6.12.118 with `bpfdiff run` (both
// agree with the model; 6.12 prints reg->off apart from var_off).
import { describe, expect, it } from 'vitest';
import { resolveProfile, verify } from './index.ts';
import { asm } from './test-programs.ts';

interface Expect {
  verdict: 'accept' | 'reject';
  errno: number;
  message: string;
  retval?: number;
}
const CASES: Array<{ name: string; what: string; source: string; '7.2': Expect; '6.12': Expect }> = [
  {
    name: "callee_arg6",
    what: "a pointer into the caller's stack passed as argument 6 (r11 slot), offset by a bounded scalar in the callee, read there",
    source: `.func main args=1
        r6 = *(u32 *)(r1 +0)
        r6 &= 8
        r1 = 3
        *(u64 *)(r10 -8) = r1
        *(u64 *)(r10 -16) = r1
        r7 = r10
        r7 += -16
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = r6
        *(u64 *)(r11 -8) = r7
        call f
        exit
.func f args=6
        r6 = *(u64 *)(r11 +8)
        r6 += r5
        r0 = *(u64 *)(r6 +0)
        exit
`,
    '7.2': {"verdict": "accept", "errno": 0, "message": "", "retval": 3},
    '6.12': {"verdict": "reject", "errno": 22, "message": "R11 is invalid"},
  },
  {
    name: "callee_oob",
    what: "a callee reads through a stack pointer it moved by a bounded scalar, past the caller's frame",
    source: `.func main args=1
        r6 = *(u32 *)(r1 +0)
        r6 &= 15
        r7 = r10
        r7 += -8
        r1 = r7
        r2 = r6
        call f
        exit
.func f args=2
        r1 += r2
        r0 = *(u8 *)(r1 +0)
        exit
`,
    '7.2': {"verdict": "reject", "errno": 22, "message": "invalid variable-offset read from stack R1 var_off=(0x0; 0xffffffffffffffff) off=0 size=1"},
    '6.12': {"verdict": "reject", "errno": 22, "message": "invalid variable-offset read from stack R1 var_off=(0x0; 0xf) off=-8 size=1"},
  },
  {
    name: "clobber_spill",
    what: "a variable-offset write over a spilled pointer scrubs it: the fill is a scalar",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 8
        *(u64 *)(r10 -16) = r10
        r2 = r10
        r2 += -16
        r2 += r6
        r3 = 1
        *(u8 *)(r2 +0) = r3
        r4 = *(u64 *)(r10 -16)
        r0 = *(u64 *)(r4 -8)
        exit
`,
    '7.2': {"verdict": "reject", "errno": 13, "message": "R4 invalid mem access 'scalar'"},
    '6.12': {"verdict": "reject", "errno": 13, "message": "R4 invalid mem access 'scalar'"},
  },
  {
    name: "helper_noreg",
    what: "an atomic add (no destination register) through a variable-offset stack pointer",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 8
        r2 = r10
        r2 += -16
        r2 += r6
        r1 = 0
        lock *(u64 *)(r2 +0) += r1
        r0 = 0
        exit
`,
    '7.2': {"verdict": "reject", "errno": 13, "message": "variable offset stack pointer cannot be passed into helper function; var_off=(0xfffffffffffffff0; 0x8) off=0 size=8"},
    '6.12': {"verdict": "reject", "errno": 13, "message": "variable offset stack pointer cannot be passed into helper function; var_off=(0x0; 0x8) off=-16 size=8"},
  },
  {
    name: "misaligned",
    what: "an 8-byte read at (-32 + 0..15): strict alignment for the stack",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 15
        r2 = r10
        r2 += -32
        r2 += r6
        r0 = *(u64 *)(r2 +0)
        exit
`,
    '7.2': {"verdict": "reject", "errno": 13, "message": "misaligned stack access off (0xffffffffffffffe0; 0xf)+0 size 8"},
    '6.12': {"verdict": "reject", "errno": 13, "message": "misaligned stack access off (0x0; 0xf)+-32+0 size 8"},
  },
  {
    name: "read_oob",
    what: "a 1-byte read that may land above the frame pointer",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 15
        r2 = r10
        r2 += -16
        r2 += r6
        r0 = *(u8 *)(r2 +8)
        exit
`,
    '7.2': {"verdict": "reject", "errno": 22, "message": "invalid variable-offset read from stack R2 var_off=(0xfffffffffffffff0; 0xf) off=8 size=1"},
    '6.12': {"verdict": "reject", "errno": 22, "message": "invalid variable-offset read from stack R2 var_off=(0x0; 0xf) off=-8 size=1"},
  },
  {
    name: "rw_ok",
    what: "write and read back through the same variable offset within initialized slots",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 24
        r1 = 7
        *(u64 *)(r10 -8) = r1
        *(u64 *)(r10 -16) = r1
        *(u64 *)(r10 -24) = r1
        *(u64 *)(r10 -32) = r1
        r2 = r10
        r2 += -32
        r2 += r6
        r3 = 5
        *(u64 *)(r2 +0) = r3
        r0 = *(u64 *)(r2 +0)
        exit
`,
    '7.2': {"verdict": "accept", "errno": 0, "message": "", "retval": 5},
    '6.12': {"verdict": "accept", "errno": 0, "message": "", "retval": 5},
  },
  {
    name: "unbounded",
    what: "an unbounded scalar added to the frame pointer",
    source: `        r6 = *(u32 *)(r1 +0)
        r2 = r10
        r2 += r6
        r0 = *(u8 *)(r2 -8)
        exit
`,
    '7.2': {"verdict": "reject", "errno": 13, "message": "invalid unbounded variable-offset read from stack R2"},
    '6.12': {"verdict": "reject", "errno": 13, "message": "invalid unbounded variable-offset read from stack R2"},
  },
  {
    name: "write_oob_low",
    what: "subtracting from a stack pointer",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 0xff
        r2 = r10
        r2 += -512
        r2 -= 8
        r2 += r6
        *(u8 *)(r2 +0) = 1
        r0 = 0
        exit
`,
    '7.2': {"verdict": "reject", "errno": 13, "message": "R2 subtraction from stack pointer prohibited"},
    '6.12': {"verdict": "reject", "errno": 13, "message": "R2 subtraction from stack pointer prohibited"},
  },
  {
    name: "write_zero_keeps",
    what: "a zero written through a variable offset over zero spills keeps the constant",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 8
        r1 = 0
        *(u64 *)(r10 -8) = r1
        *(u64 *)(r10 -16) = r1
        r2 = r10
        r2 += -16
        r2 += r6
        r3 = 0
        *(u32 *)(r2 +0) = r3
        r0 = *(u64 *)(r10 -16)
        r4 = r10
        r4 += r0
        r0 = *(u8 *)(r4 -1)
        exit
`,
    '7.2': {"verdict": "accept", "errno": 0, "message": "", "retval": 0},
    '6.12': {"verdict": "accept", "errno": 0, "message": "", "retval": 0},
  },
  {
    name: "zeros",
    what: "spilled zeros are not zero bytes: a variable-offset read of them is unknown",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 8
        r1 = 0
        *(u64 *)(r10 -8) = r1
        *(u64 *)(r10 -16) = r1
        r2 = r10
        r2 += -16
        r2 += r6
        r0 = *(u64 *)(r2 +0)
        r3 = r10
        r3 += r0
        r0 = *(u64 *)(r3 -8)
        exit
`,
    '7.2': {"verdict": "reject", "errno": 22, "message": "math between fp pointer and register with unbounded min value is not allowed"},
    '6.12': {"verdict": "reject", "errno": 22, "message": "math between fp pointer and register with unbounded min value is not allowed"},
  },
  {
    name: "zeros_bytes",
    what: "bytes written as zero (not spills) read through a variable offset give a known zero",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 3
        r1 = 0
        *(u32 *)(r10 -4) = r1
        r2 = r10
        r2 += -4
        r2 += r6
        r0 = *(u8 *)(r2 +0)
        r3 = r10
        r3 += r0
        r0 = *(u8 *)(r3 -1)
        exit
`,
    '7.2': {"verdict": "accept", "errno": 0, "message": "", "retval": 0},
    '6.12': {"verdict": "accept", "errno": 0, "message": "", "retval": 0},
  },
  {
    name: "zeros_bytes_not",
    what: "one non-zero byte in range: the read is unknown, the later access out of bounds",
    source: `        r6 = *(u32 *)(r1 +0)
        r6 &= 3
        r1 = 0
        *(u32 *)(r10 -4) = r1
        *(u8 *)(r10 -2) = 7
        r2 = r10
        r2 += -4
        r2 += r6
        r0 = *(u8 *)(r2 +0)
        r3 = r10
        r3 += r0
        r0 = *(u8 *)(r3 -1)
        exit
`,
    '7.2': {"verdict": "reject", "errno": 22, "message": "invalid variable-offset read from stack R3 var_off=(0x0; 0xff) off=-1 size=1"},
    '6.12': {"verdict": "reject", "errno": 22, "message": "invalid variable-offset read from stack R3 var_off=(0x0; 0xff) off=-1 size=1"},
  },
];

describe('variable-offset stack access (check_stack_{read,write}_var_off), as measured on 7.2.13 and 6.12.118', () => {
  for (const c of CASES) {
    for (const kernel of ['7.2', '6.12'] as const) {
      it(`${c.name} on ${kernel}: ${c.what}`, () => {
        const o = verify(asm(c.source), resolveProfile(kernel)!);
        const got: Expect = { verdict: o.verdict as Expect['verdict'], errno: o.errno, message: o.message };
        if (o.verdict === 'accept') got.retval = o.retval;
        expect(got).toEqual(c[kernel]);
      });
    }
  }
});
