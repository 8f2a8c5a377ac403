// ALU rules of the JIT model (alu.ts), each checked against the image the real 7.2.13 kernel
// produced for testdata/rules/alu.s and shifts.s; the expected bytes are written out by hand.
import { describe, it } from 'vitest';
import { expectInsns } from './testdata/fixture.ts';

describe('ALU (emit_mov_imm32, emit_mov_imm64, the ALU cases of do_jit)', () => {
  it('moves immediates in the shortest form the kernel picks', () =>
    expectInsns('alu', 'qemu64', [
      [3, '31db', 'r6 = 0: xor ebx, ebx'],
      [4, '41bd05000000', 'r7 = 5: mov r13d, 5'],
      [5, '49c7c6ffffffff', 'r8 = -1: mov r14, -1 (sign-extended imm32)'],
      [6, '41bfffffffff', 'w9 = -1: mov r15d, 0xffffffff'],
      [7, 'b8ffffff7f', 'r0 = 0x7fffffff ll: a u32 becomes mov eax'],
      [9, '48c7c1feffffff', 'r4 = -2 ll: an s32 becomes mov rcx, imm32'],
      [11, '49b88877665544332211', 'r5 = 0x1122334455667788 ll: movabs r8'],
    ]));

  it('uses imm8, the short rax form, or imm32 for add/sub/and/or/xor, with REX for r8..r15', () =>
    expectInsns('alu', 'qemu64', [
      [13, '4883c001', 'r0 += 1: add rax, imm8'],
      [14, '480500100000', 'r0 += 0x1000: add rax, imm32 (short form)'],
      [15, '4881c300100000', 'r6 += 0x1000: add rbx, imm32'],
      [16, '4183ed64', 'w7 -= 100: sub r13d, imm8'],
      [17, '4921f6', 'r8 &= r2: and r14, rsi'],
      [18, '4109d7', 'w9 |= w3: or r15d, edx'],
      [19, '4c31eb', 'r6 ^= r7: xor rbx, r13'],
    ]));

  it('multiplies with imul and divides through rax/rdx, saving what it clobbers', () =>
    expectInsns('alu', 'qemu64', [
      [20, '486bc003', 'r0 *= 3: imul rax, rax, 3'],
      [21, '69db45230100', 'w6 *= 0x12345: imul ebx, ebx, imm32'],
      [22, '4d0fafee', 'r7 *= r8: imul r13, r14'],
      [26, '50524989d34889f031d249f7f34889c65a58', 'r2 /= r3: push rax; push rdx; mov r11, rdx; mov rax, rsi; xor edx, edx; div r11; mov rsi, rax; pop rdx; pop rax'],
      [27, '5049c7c30700000089d031d241f7f358', 'w3 %= 7: push rax; mov r11, 7; mov eax, edx; xor edx, edx; div r11d; pop rax'],
      [28, '5249c7c30a00000031d249f7f35a', 'r0 /= 10: push rdx; mov r11, 10; xor edx, edx; div r11; pop rdx'],
      [36, '50524889d8489949f7fd4889c35a58', 'r6 s/= r7: cqo; idiv r13'],
      [43, '50524489f09941f7ff4189d65a58', 'w8 s%= w9: cdq; idiv r15d; mov r14d, edx'],
    ]));

  it('negates, swaps bytes and sign-extends', () =>
    expectInsns('alu', 'qemu64', [
      [46, '48f7db', 'r6 = -r6: neg rbx'],
      [47, '41f7dd', 'w7 = -w7: neg r13d'],
      [48, '66c1ce080fb7f6', 'be16: ror si, 8; movzx esi, si'],
      [49, '0fca', 'be32: bswap edx'],
      [50, '490fcd', 'be64: bswap r13'],
      [51, '0fb7db', 'le16: movzx ebx, bx'],
      [52, '4589f6', 'le32: mov r14d, r14d'],
      [53, '490fcf', 'bswap64: bswap r15'],
      [54, '480fbec6', 'r0 = (s8)r2: movsx rax, sil'],
      [55, '410fbfdd', 'w6 = (s16)w7: movsx ebx, r13w'],
      [56, '4c63f2', 'r8 = (s32)r3: movsxd r14, edx'],
    ]));
});

describe('shifts (emit_shiftx with BMI2, else through cl)', () => {
  it('shifts by immediates with d1 for 1 and c1 otherwise', () =>
    expectInsns('shifts', 'qemu64', [
      [6, '48d1e0', 'r0 <<= 1: shl rax, 1'],
      [7, '48c1e803', 'r0 >>= 3: shr rax, 3'],
      [8, '48c1f802', 'r0 s>>= 2: sar rax, 2'],
      [9, 'c1e005', 'w0 <<= 5: shl eax, 5'],
    ]));

  it('without BMI2 (qemu64) moves the count into rcx, saving it, or swaps through r11 when rcx is the destination', () =>
    expectInsns('shifts', 'qemu64', [
      [10, '514889d148d3e059', 'r0 <<= r3: push rcx; mov rcx, rdx; shl rax, cl; pop rcx'],
      [11, '514889d1d3e859', 'w0 >>= w3: shr eax, cl'],
      [12, '514889d149d3fd59', 'r7 s>>= r3: sar r13, cl'],
      [13, '48d3e0', 'r0 <<= r4: the count is already in rcx'],
      [14, '4989cb4889d149d3eb4c89d9', 'r4 >>= r3: mov r11, rcx; mov rcx, rdx; shr r11, cl; mov rcx, r11'],
      [15, '4989cb4889f149d3fb4c89d9', 'r4 s>>= r2'],
    ]));

  it('with BMI2 (Haswell) uses shlx/shrx/sarx, except when the count is already in rcx', () =>
    expectInsns('shifts', 'Haswell', [
      [10, 'c4e2e9f7c0', 'r0 <<= r3: shlx rax, rax, rdx'],
      [11, 'c4e26bf7c0', 'w0 >>= w3: shrx eax, eax, edx'],
      [12, 'c442eaf7ed', 'r7 s>>= r3: sarx r13, r13, rdx'],
      [13, '48d3e0', 'r0 <<= r4: shl rax, cl'],
      [14, 'c4e2ebf7c9', 'r4 >>= r3: shrx rcx, rcx, rdx'],
      [15, 'c4e2caf7c9', 'r4 s>>= r2: sarx rcx, rcx, rsi'],
    ]));
});

describe('per-CPU address (BPF_MOV64_PERCPU_REG from the inlined bpf_get_smp_processor_id)', () => {
  it("adds gs:[&this_cpu_off], the build's own link-time address", () => {
    expectInsns('percpu', 'qemu64', [[1, '654803042528' + '40e283', 'add rax, gs:[0xffffffff83e24028]']]);
    expectInsns('percpu', 'qemu64', [[1, '654803042530' + 'c0e383', 'add rax, gs:[0xffffffff83e3c030]']], '7.3');
  });
});
