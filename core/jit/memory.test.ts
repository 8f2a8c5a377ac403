// Loads, stores and the stack-argument lowering (memory.ts), checked against the real 7.2.13
// images of testdata/rules/memory.s and calls.s; expected bytes written out by hand.
import { describe, it } from 'vitest';
import { expectInsns } from './testdata/fixture.ts';

describe('loads and stores (emit_ldx, emit_ldsx, emit_stx, BPF_ST)', () => {
  it('stores registers of every size, with REX for sil/dil byte stores and disp8', () =>
    expectInsns('memory', 'qemu64', [
      [6, '48897df8', '*(u64 *)(r10 -8) = r1: mov [rbp-8], rdi'],
      [7, '44896df4', '*(u32 *)(r10 -12) = r7: mov [rbp-12], r13d'],
      [8, '6644896df2', '*(u16 *)(r10 -14) = r7: mov [rbp-14], r13w'],
      [9, '44886df1', '*(u8 *)(r10 -15) = r7: mov [rbp-15], r13b'],
      [10, '408875f0', '*(u8 *)(r10 -16) = r2: mov [rbp-16], sil (needs REX)'],
      [11, '40887def', '*(u8 *)(r10 -17) = r1: mov [rbp-17], dil'],
    ]));

  it('stores immediates of every size with disp32, the DW one sign-extended from imm32', () =>
    expectInsns('memory', 'qemu64', [
      [12, '48c78538ffffff07000000', '*(u64 *)(r10 -200) = 7'],
      [13, 'c78534ffffff78563412', '*(u32 *)(r10 -204) = 0x12345678'],
      [14, '66c78532ffffff3412', '*(u16 *)(r10 -206) = 0x1234'],
      [15, 'c68531ffffff12', '*(u8 *)(r10 -207) = 0x12'],
      [16, '48c78528fffffffdffffff', '*(u64 *)(r10 -216) = -3'],
    ]));

  it('loads zero-extending (movzx, 32-bit mov) and sign-extending (movsx, movsxd)', () =>
    expectInsns('memory', 'qemu64', [
      [17, '488b45f8', 'r0 = *(u64 *)(r10 -8)'],
      [18, '8b55f4', 'r3 = *(u32 *)(r10 -12): mov edx, [rbp-12]'],
      [19, '480fb74df2', 'r4 = *(u16 *)(r10 -14): movzx rcx, word'],
      [20, '4c0fb645f1', 'r5 = *(u8 *)(r10 -15): movzx r8, byte'],
      [21, '4c8bb538ffffff', 'r8 = *(u64 *)(r10 -200): disp32'],
      [22, '4c0fbe7df1', 'r9 = *(s8 *)(r10 -15): movsx r15, byte'],
      [23, '480fbf55f2', 'r3 = *(s16 *)(r10 -14)'],
      [24, '48634df4', 'r4 = *(s32 *)(r10 -12): movsxd rcx'],
    ]));
});

describe('stack arguments (r11 lowering in do_jit)', () => {
  it('passes argument 6 in r9 and 7+ in the outgoing area at [rsp], addressed from rbp', () =>
    expectInsns('calls', 'qemu64', [
      [8, '4989c1', '*(u64 *)(r11 -8) = r0: mov r9, rax'],
      [16, '41b906000000', '*(u64 *)(r11 -8) = 6: mov r9d, 6'],
      [17, '48c745b807000000', '*(u64 *)(r11 -16) = 7: [rbp-0x48] = [rsp] (stack 8 + rbx, r13 + 0x30 area)'],
      [18, '48c745c0f8ffffff', '*(u64 *)(r11 -24) = -8: [rsp+8]'],
      [31, '48c745d80b000000', '*(u64 *)(r11 -48) = 11'],
      [32, '48895de0', '*(u64 *)(r11 -56) = r6: [rsp+0x28]'],
    ]));

  it('reads incoming argument 6 from r9 and 7+ from [rbp+16..] above the return address', () =>
    expectInsns('calls', 'qemu64', [
      [36, '4c89c8', 'six: r0 = *(u64 *)(r11 +8): mov rax, r9'],
      [39, '4c89cb', 'eight: r6 = *(u64 *)(r11 +8): mov rbx, r9'],
      [40, '4c8b6d10', 'r7 = *(u64 *)(r11 +16): mov r13, [rbp+16]'],
      [41, '4c8b7518', 'r8 = *(u64 *)(r11 +24): mov r14, [rbp+24]'],
      [47, '488b4538', 'twelve: r0 = *(u64 *)(r11 +56): mov rax, [rbp+56]'],
    ]));
});
