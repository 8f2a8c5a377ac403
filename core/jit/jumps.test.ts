// Jumps and the jump-size passes (jumps.ts, compile.ts): real 7.2.13 bytes of
// testdata/rules/jumps.s, and the kernel's rel8 limit of 123 on synthetic programs.
import { describe, expect, it } from 'vitest';
import { assemble } from '../isa/index.ts';
import { rawToBytes } from '../isa/raw.ts';
import { jitProgram } from './compile.ts';
import { expectInsns } from './testdata/fixture.ts';

describe('conditional jumps (emit_cond_jmp)', () => {
  it('compares with test for 0, cmp imm8/imm32, test imm for jset, cmp reg, in 64 and 32 bits', () =>
    expectInsns('jumps', 'qemu64', [
      [5, '4885f67404', 'if r2 == 0: test rsi, rsi; je +4'],
      [7, '4883fe107704', 'if r2 > 0x10: cmp rsi, 16; ja'],
      [9, '4881fe452301007c04', 'if r2 s< 0x12345: cmp rsi, imm32; jl'],
      [11, '48f7c6040000007504', 'if r2 & 0x4: test rsi, 4; jne'],
      [13, '39d67504', 'if w2 != w3: cmp esi, edx; jne'],
    ]));

  it('uses rel32 forms past the rel8 range, forward and backward', () =>
    expectInsns('jumps', 'qemu64', [
      [15, '4839f20f8da6000000', 'if r3 s>= r2 goto far (166 bytes on): jge rel32'],
      [39, '83f9030f8253ffffff', 'if w4 < 3 goto e (back 173 bytes): jb rel32'],
      [40, 'eb11', 'goto out: jmp rel8'],
    ]));

  it('makes every exit after the first a jump to the epilogue', () =>
    expectInsns('jumps', 'qemu64', [
      [44, 'c9c3cc', 'the first exit: leave; ret; int3'],
      [45, 'ebfb', 'the second exit: jmp back 5 bytes to the leave'],
    ]));
});

describe('jump sizes (is_imm8_jmp_offset, the passes of bpf_int_jit_compile)', () => {
  // `r0 *= 0x11111` is 7 bytes (imul rax, rax, imm32), `r0 += 1` 4 bytes
  const jumpOver = (muls: number, adds: number) => {
    const body = [...Array(muls).fill('r0 *= 0x11111'), ...Array(adds).fill('r0 += 1')];
    const program = assemble(['r0 = r1', 'if r1 == 0x1 goto out', ...body, 'out: exit'].join('\n'));
    const res = jitProgram(rawToBytes(program.insns), [{ start: 0, stackDepth: 0 }]);
    return res.image.slice(2 * res.insnOffsets[1]!, 2 * res.insnOffsets[2]!);
  };

  it('keeps a forward jump of 123 bytes short and makes one of 124 long', () => {
    expect(jumpOver(17, 1)).toBe('4883ff01747b'); // 119 + 4 = 123: je rel8
    expect(jumpOver(16, 3)).toBe('4883ff010f847c000000'); // 112 + 12 = 124: je rel32
  });

  it('drops a jump to the next instruction', () => {
    const program = assemble(['r0 = 0', 'goto pc+0', 'r0 += 1', 'exit'].join('\n'));
    const res = jitProgram(rawToBytes(program.insns), [{ start: 0, stackDepth: 0 }]);
    expect(res.insnOffsets[1]).toBe(res.insnOffsets[2]);
    expect(res.passes[0]).toBeGreaterThanOrEqual(2);
  });
});
