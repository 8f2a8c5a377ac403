// One program per rule: each reject message the model produces, with the kernel's exact text and errno.
import { describe, expect, it } from 'vitest';
import { PROFILES, resolveProfile, verify, type ProfileId } from './index.ts';
import { asm, raw, rawProgram } from './test-programs.ts';
import type { Program } from '../program/types.ts';

const v = (p: Program, profile: ProfileId = 'linux-7.2') => verify(p, PROFILES[profile]);
const rejects = (p: Program, message: string, errno: number, profile: ProfileId = 'linux-7.2') => {
  const o = v(p, profile);
  expect({ verdict: o.verdict, message: o.message, errno: o.errno, unknown: o.unknown }).toEqual({ verdict: 'reject', message, errno, unknown: undefined });
};

const callee7 = `
.func f args=7
  r0 = *(u64 *)(r11 +8)
  r1 = *(u64 *)(r11 +16)
  r0 += r1
  exit`;

describe('profiles', () => {
  it('maps kernel ids to profiles and says which have stack arguments', () => {
    expect(resolveProfile('7.2')?.id).toBe('linux-7.2');
    expect(resolveProfile('6.12')?.features.stackArgs).toBe(false);
    expect(resolveProfile('7.3')?.features.structuredReport).toBe(true);
    expect(resolveProfile('next')?.features.stackArgReg).toBe(11);
    expect(resolveProfile('5.10')).toBeUndefined();
  });
});

describe('checks before the walk', () => {
  it('R11 is invalid for any use of r11 that is not a stack-argument access', () => {
    rejects(asm('r11 += 1\nr0 = 0\nexit'), 'R11 is invalid', 22);
    rejects(asm('*(u32 *)(r11 -8) = 1\nr0 = 0\nexit'), 'R11 is invalid', 22);
    rejects(asm('*(u64 *)(r11 -4) = 1\nr0 = 0\nexit'), 'R11 is invalid', 22);
    rejects(asm('r0 = *(u64 *)(r11 -8)\nexit'), 'R11 is invalid', 22);
  });
  it('6.12 rejects every r11 use, when the walk reaches it', () => {
    const p = asm(`r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\n*(u64 *)(r11 -8) = 6\n*(u64 *)(r11 -16) = 7\ncall f\nexit\n${callee7}`);
    rejects(p, 'R11 is invalid', 22, 'linux-6.12');
    expect(v(p, 'linux-7.2')).toMatchObject({ verdict: 'accept', retval: 13 });
  });
  it('unknown opcode and reserved fields', () => {
    rejects(rawProgram([raw(0xf7, 0, 0, 0, 0), raw(0x95)]), 'unknown opcode f7', 22);
    rejects(rawProgram([raw(0xb7, 0, 0, 3, 0), raw(0x95)]), 'BPF_MOV uses reserved fields', 22);
    rejects(rawProgram([raw(0xb7), raw(0x07, 0, 0, 2, 1), raw(0x95)]), 'BPF_ALU uses reserved fields', 22);
    rejects(rawProgram([raw(0xb7), raw(0x95, 1)]), 'BPF_EXIT uses reserved fields', 22);
    rejects(rawProgram([raw(0x18, 0, 0, 0, 1), raw(0xb7), raw(0x95)]), 'invalid bpf_ld_imm64 insn', 22);
  });
  it('jump out of range and the last instruction', () => {
    rejects(asm('r0 = 0\nif r0 > 1 goto +5\nexit'), 'jump out of range from insn 1 to 7', 22);
    rejects(asm('r0 = 0\nexit\nr0 = 1'), 'last insn is not an exit or jmp', 22);
    rejects(rawProgram([raw(0xb7), raw(0x85, 0, 1, 0, 10), raw(0x95)]), 'call to invalid destination', 22);
  });
  it('func_info must list exactly the subprograms', () => {
    const p = asm('r0 = 0\nexit\n.func g\nr0 = 1\nexit');
    rejects(p, "number of funcs in func_info doesn't match number of subprogs", 22);
  });
  it('unreachable instructions and recursion', () => {
    rejects(asm('r0 = 0\nexit\nr0 = 1\nexit'), 'unreachable insn 2', 22);
    rejects(asm('call f\nexit\n.func f\ncall g\nexit\n.func g\ncall f\nexit'), 'recursive call from g() to f()', 22);
  });
});

describe('arguments from BTF', () => {
  it('more than 12 parameters', () => {
    const p = asm(`r1 = 1\ncall f\nexit\n.func f args=12\nr0 = 0\nexit`);
    p.funcs[1]!.args = 13;
    // the count is kept in the 4-bit arg_cnt before the check fails: 13 still wants 8 stack slots
    rejects(p, 'callee expects 13 args, stack arg1 is not initialized', 14);
    // 20 wraps to 4 in arg_cnt, so no slot is checked and the parameter-count line stays last
    p.funcs[1]!.args = 20;
    rejects(p, 'kernel supports at most 12 parameters, function f has 20', 14);
  });
  it('global functions take at most 5 arguments', () => {
    const p = asm(`r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\n*(u64 *)(r11 -8) = 6\ncall g\nexit\n.func g args=6 global\nr0 = 0\nexit`);
    rejects(p, "Caller passes invalid args into func#1 ('g')", 22);
  });
  it('a global function gets scalars only', () => {
    rejects(asm(`r1 = r10\ncall g\nexit\n.func g args=1 global\nr0 = r1\nexit`), "Caller passes invalid args into func#1 ('g')", 22);
    expect(v(asm(`r1 = 7\ncall g\nexit\n.func g args=1 global\nr0 = r1\nexit`))).toMatchObject({ verdict: 'accept', retval: 7 });
  });
});

describe('registers and ALU', () => {
  it('reading a register never written', () => {
    rejects(asm('r0 = r2\nexit'), 'R2 !read_ok', 13);
    rejects(asm('exit'), 'R0 !read_ok', 13);
  });
  it('frame pointer is read only', () => rejects(asm('r10 = 0\nr0 = 0\nexit'), 'frame pointer is read only', 13));
  it('division by a zero immediate and bad shifts', () => {
    rejects(asm('r0 = 1\nr0 /= 0\nexit'), 'div by zero', 22);
    rejects(asm('r0 = 1\nr0 <<= 64\nexit'), 'invalid shift 64', 22);
    rejects(asm('w0 = 1\nw0 s>>= 32\nexit'), 'invalid shift 32', 22);
  });
  it('pointer arithmetic rules', () => {
    rejects(asm('r1 = r10\nr1 -= 8\nr0 = 0\nexit'), 'R1 subtraction from stack pointer prohibited', 13);
    rejects(asm('r1 = r10\nw1 += 8\nr0 = 0\nexit'), 'R1 32-bit pointer arithmetic prohibited', 13);
    rejects(asm('r1 = r10\nr1 &= 8\nr0 = 0\nexit'), 'R1 bitwise operator &= on pointer prohibited', 13);
    rejects(asm('r1 = r10\nr1 *= 8\nr0 = 0\nexit'), 'R1 pointer arithmetic with *= operator prohibited', 13);
    rejects(asm('r1 = r10\nr2 = r10\nr1 += r2\nr0 = 0\nexit'), 'R1 pointer += pointer prohibited', 13);
  });
  it('dereferencing a scalar', () => rejects(asm('r1 = 0\nr0 = *(u64 *)(r1 +0)\nexit'), "R1 invalid mem access 'scalar'", 13));
});

describe('stack', () => {
  it('bounds of the 512-byte stack', () => {
    rejects(asm('*(u64 *)(r10 -520) = 1\nr0 = 0\nexit'), 'invalid write to stack R10 off=-520 size=8', 13);
    rejects(asm('r0 = *(u64 *)(r10 +0)\nexit'), 'invalid read from stack R10 off=0 size=8', 13);
  });
  it('alignment of stack accesses', () => rejects(asm('*(u64 *)(r10 -12) = 1\nr0 = 0\nexit'), 'misaligned stack access off 0+-12 size 8', 13));
  it('spilled registers keep their type and bounds', () => {
    expect(v(asm('r1 = r10\n*(u64 *)(r10 -8) = r1\nr2 = *(u64 *)(r10 -8)\nr0 = *(u64 *)(r2 -8)\nr0 = 3\nexit'))).toMatchObject({ verdict: 'accept', retval: 3 });
    rejects(asm('r1 = 5\n*(u64 *)(r10 -8) = r1\nr2 = *(u64 *)(r10 -8)\nr0 = *(u64 *)(r2 +0)\nexit'), "R2 invalid mem access 'scalar'", 13);
  });
  it('pointer spills must be 8 bytes', () => rejects(asm('r1 = r10\n*(u32 *)(r10 -8) = r1\nr0 = 0\nexit'), 'invalid size of register spill', 13));
  it('combined stack of a call chain', () => {
    const p = asm('*(u64 *)(r10 -256) = 0\ncall f\nr0 = 0\nexit\n.func f\n*(u64 *)(r10 -264) = 0\nr0 = 0\nexit');
    rejects(p, 'combined stack size of 2 calls is 528. Too large', 13);
  });
});

describe('context', () => {
  it('allowed offsets and sizes per program type', () => {
    expect(v(asm('r0 = *(u32 *)(r1 +0)\nexit'))).toMatchObject({ verdict: 'accept' });
    rejects(asm('r0 = *(u64 *)(r1 +0)\nexit'), 'invalid bpf_context access off=0 size=8', 13);
    rejects(asm('r0 = *(u32 *)(r1 +2)\nexit'), 'invalid bpf_context access off=2 size=4', 13);
    rejects(asm('.type socket_filter\nr0 = *(u32 *)(r1 +72)\nexit'), 'invalid bpf_context access off=72 size=4', 13);
    rejects(asm('.type xdp\nr0 = *(u32 *)(r1 +20)\nexit'), 'invalid bpf_context access off=20 size=4', 13);
    rejects(asm('*(u32 *)(r1 +0) = 1\nr0 = 0\nexit'), 'invalid bpf_context access off=0 size=4', 13);
    expect(v(asm('*(u32 *)(r1 +8) = 1\nr0 = 0\nexit'))).toMatchObject({ verdict: 'accept' });
  });
  it('only the unmodified ctx pointer may be dereferenced', () => {
    rejects(asm('r1 += 4\nr0 = *(u32 *)(r1 +0)\nexit'), 'dereference of modified ctx ptr R1 off=4 disallowed', 13);
  });
  it('data and data_end load packet pointers', () => {
    expect(v(asm('r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr0 = 0\nexit'))).toMatchObject({ verdict: 'accept', retval: 0 });
  });
});

describe('calls and stack arguments', () => {
  const args5 = 'r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\n';
  it('a 7-argument call returns through the caller', () => {
    expect(v(asm(`${args5}*(u64 *)(r11 -8) = 600\n*(u64 *)(r11 -16) = 700\ncall f\nexit\n${callee7}`))).toMatchObject({ verdict: 'accept', retval: 1300 });
  });
  it('writing past 7 slots', () => rejects(asm(`${args5}*(u64 *)(r11 -64) = 1\ncall f\nexit\n${callee7}`), 'stack arg write offset -64 exceeds max 7 stack args', 22));
  it('reading a slot the function does not have', () => {
    rejects(asm(`${args5}*(u64 *)(r11 -8) = 6\ncall f\nexit\n.func f args=6\nr0 = *(u64 *)(r11 +16)\nexit`), 'invalid read from stack arg off 16 depth 8', 13);
  });
  it('r11 loads come before stores and calls', () => {
    rejects(asm(`${args5}*(u64 *)(r11 -8) = 6\ncall f\nexit\n.func f args=6\ncall g\nr0 = *(u64 *)(r11 +8)\nexit\n.func g\nr0 = 0\nexit`), 'r11 load must be before any r11 store or call insn', 22);
  });
  it('every slot the callee needs is initialised, again after each call', () => {
    rejects(asm(`${args5}*(u64 *)(r11 -16) = 7\ncall f\nexit\n${callee7}`), 'callee expects 7 args, stack arg1 is not initialized', 14);
    rejects(asm(`${args5}*(u64 *)(r11 -8) = 6\n*(u64 *)(r11 -16) = 7\ncall f\nr1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\ncall f\nexit\n${callee7}`), 'callee expects 7 args, stack arg1 is not initialized', 14);
  });
  it('writing more slots than any call needs', () => {
    rejects(asm(`${args5}*(u64 *)(r11 -8) = 6\n*(u64 *)(r11 -16) = 7\n*(u64 *)(r11 -24) = 8\ncall f\nexit\n${callee7}`), 'func#0 writes 3 stack arg slots, but calls only require 2', 22);
  });
  it('stack pointers passed as arguments keep their type', () => {
    const deref = `.func f args=7\nr1 = *(u64 *)(r11 +16)\nr0 = *(u64 *)(r1 +0)\nexit`;
    expect(v(asm(`*(u64 *)(r10 -8) = 42\nr6 = r10\nr6 += -8\n${args5}*(u64 *)(r11 -8) = 6\n*(u64 *)(r11 -16) = r6\ncall f\nexit\n${deref}`))).toMatchObject({ verdict: 'accept', retval: 42 });
    rejects(asm(`${args5}*(u64 *)(r11 -8) = 6\n*(u64 *)(r11 -16) = 7\ncall f\nexit\n${deref}`), "R1 invalid mem access 'scalar'", 13);
  });
  it('r1-r5 are clobbered by a call, r6-r9 kept', () => {
    rejects(asm('r1 = 1\ncall f\nr0 = r1\nexit\n.func f args=1\nr0 = 0\nexit'), 'R1 !read_ok', 13);
    expect(v(asm('r6 = 9\ncall f\nr0 = r6\nexit\n.func f\nr0 = 0\nexit'))).toMatchObject({ verdict: 'accept', retval: 9 });
  });
  // MAX_CALL_FRAMES is 8 on 6.12 and 16 from 7.2 (include/linux/bpf_verifier.h); a chain of
  // main and f1..fN has N+1 frames
  const chain = (n: number): Program => {
    let src = 'call f1\nr0 = 0\nexit\n';
    for (let i = 1; i <= n; i++) src += `.func f${i}\n${i < n ? `call f${i + 1}\n` : ''}r0 = 0\nexit\n`;
    return asm(src);
  };
  it('at most 8 frames on 6.12', () => {
    expect(v(chain(7), 'linux-6.12')).toMatchObject({ verdict: 'accept' });
    rejects(chain(8), 'the call stack of 9 frames is too deep', 7, 'linux-6.12');
  });
  it('at most 16 frames from 7.2 (the real 7.2.13 accepts 9)', () => {
    expect(v(chain(8))).toMatchObject({ verdict: 'accept', retval: 0 });
    expect(v(chain(15))).toMatchObject({ verdict: 'accept', retval: 0 });
    rejects(chain(16), 'the call stack of 17 frames is too deep', 7);
    rejects(chain(16), 'the call stack of 17 frames is too deep', 7, 'linux-7.3');
  });
});

describe('branches and loops', () => {
  it('dead branches are not explored', () => {
    expect(v(asm('r1 = 5\nif r1 > 7 goto +2\nr0 = 0\nexit\nr0 = *(u64 *)(r1 +0)\nexit'))).toMatchObject({ verdict: 'accept' });
  });
  it('both edges are refined', () => {
    // r2 in [0, 15] after the mask; the false edge of r2 > 7 bounds it to [0, 7]: fp-8..fp-1 is fine
    const ok = asm('call bpf_get_prandom_u32\nr2 = r0\nr2 &= 15\nif r2 > 7 goto +5\nr3 = r10\nr3 += -8\nr3 += r2\nr0 = 0\nexit\nr0 = 1\nexit');
    expect(v(ok)).toMatchObject({ verdict: 'accept' });
  });
  it('bounded loops run to their end', () => {
    expect(v(asm('r0 = 0\nr1 = 0\nl: r0 += r1\nr1 += 1\nif r1 < 10 goto l\nexit'))).toMatchObject({ verdict: 'accept', retval: 45 });
  });
  it('a loop that makes no progress', () => rejects(asm('r0 = 0\nl: r1 = 0\nif r0 == 0 goto l\nexit'), 'infinite loop detected at insn 1', 22));
});

describe('7.3 structured reports', () => {
  it('carries the report category and title next to the unchanged reason line', () => {
    const p = asm(`r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\n*(u64 *)(r11 -16) = 7\ncall f\nexit\n${callee7}`);
    expect(v(p, 'linux-7.3')).toMatchObject({ verdict: 'reject', message: 'callee expects 7 args, stack arg1 is not initialized', report: 'Register Type Safety: Missing stack argument' });
    expect(v(p, 'linux-7.2').report).toBeUndefined();
    expect(v(asm('r0 = r3\nexit'), 'linux-7.3').report).toBe('Register Type Safety: Unreadable register');
    expect(v(asm('r0 = 0\nexit\nr0 = 1\nexit'), 'linux-7.3').report).toBe('Program Structure: Unreachable instruction');
  });
});
