// What a user sees for malformed instruction records and for source lines that do not assemble.
import { describe, expect, it } from 'vitest';
import { assemble, AsmError, decode, disassemble, IsaError, rawFromHex } from './index.ts';

function errorOf<E extends Error>(cls: new (...a: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (e) {
    if (e instanceof cls) return e;
    throw e;
  }
  throw new Error('expected an error, got none');
}

describe('IsaError names the instruction index and what is wrong', () => {
  it.each<[string, number, string]>([
    ['b700000000000000ff00000000000000', 1, 'unknown opcode 0xff'],
    ['b7000000000000001801000005000000', 1, 'truncated LD_IMM64: the second slot is missing'],
    ['18010000050000000700000000000000', 0, 'LD_IMM64 second slot must have code, dst_reg, src_reg and off all zero'],
    ['18710000000000000000000000000000', 0, 'LD_IMM64 src_reg 7 is not a known pseudo source (0..6)'],
    ['18110000000000000000000005000000', 0, 'reserved field set: LD_IMM64 map fd with a non-zero second imm'],
    ['b701010005000000', 0, 'reserved field set: BPF_MOV immediate form uses src_reg or off'],
    ['bf12000001000000', 0, 'reserved field set: BPF_MOV register form uses imm'],
    ['0f12000005000000', 0, 'reserved field set: BPF_ALU register form uses imm'],
    ['0712010005000000', 0, 'reserved field set: BPF_ALU off 1 (only sdiv/smod use off = 1)'],
    ['8701000001000000', 0, 'reserved field set: BPF_NEG uses src_reg, off or imm'],
    ['d401000008000000', 0, 'BPF_END width 8 (expected 16, 32 or 64)'],
    ['df01000010000000', 0, 'unknown opcode 0xdf'],
    ['7910000000000001', 0, 'reserved field set: BPF_LDX uses imm'],
    ['db12000002000000', 0, 'BPF_ATOMIC uses invalid atomic opcode 0x2'],
    ['bf0c000000000000', 0, 'dst_reg r12 out of range (r0..r11)'],
    ['8501000001000000', 0, 'reserved field set: BPF_CALL uses dst_reg'],
    ['8530000001000000', 0, 'BPF_CALL src_reg 3 (expected 0 helper, 1 subprogram, 2 kfunc)'],
    ['9500000001000000', 0, 'reserved field set: BPF_EXIT uses dst_reg, src_reg, off or imm'],
    ['0500000001000000', 0, 'reserved field set: BPF_JA uses imm (use gotol for a 32-bit offset)'],
  ])('%s', (hex, index, reason) => {
    const err = errorOf(IsaError, () => decode(rawFromHex(hex)));
    expect(err.index).toBe(index);
    expect(err.message).toBe(`insn ${index}: ${reason}`);
  });

  it('disassemble refuses a truncated LD_IMM64 too', () => {
    expect(errorOf(IsaError, () => disassemble(rawFromHex('1801000005000000'))).message).toBe(
      'insn 0: truncated LD_IMM64: the second slot is missing',
    );
  });

  it('kernel-internal forms decode only when asked for', () => {
    const percpu = rawFromHex('bf00ffff00000000');
    expect(() => decode(percpu)).toThrow(IsaError);
    expect(decode(percpu, { internal: true })).toEqual([{ kind: 'mov_percpu_addr', dst: 0, src: 0 }]);
    expect(disassemble(percpu)[0].text).toBe('(bf) r0 = &(void __percpu *)(r0)');
  });
});

describe('AsmError names the 1-based line and what was expected', () => {
  it.each<[string, string]>([
    ['r1 =', "line 1: expected an instruction, got 'r1 ='"],
    ['frobnicate r1', "line 1: expected an instruction, got 'frobnicate r1'"],
    ['(b7) r1 = 0x5', 'line 1: opcode (b7) does not match the instruction, which encodes as (18)'],
    ['goto nowhere', "line 1: undefined label 'nowhere'"],
    ['r1 += w2', 'line 1: mixed register widths: r… with w2'],
    ['call bpf_map_lookup_elem#2', 'line 1: helper bpf_map_lookup_elem has id 1, not 2'],
    ['call nothing', "line 1: call target 'nothing' is neither a function, a label nor a helper name"],
    ['r12 = 1', 'line 1: register r12 does not exist (r0..r11)'],
    ['*(u64 *)(r10 -40000) = 1', 'line 1: offset -40000 does not fit 16 bits'],
    ['r1 = 4294967296', 'line 1: immediate 4294967296 does not fit 32 bits'],
    ['r1 = be16 r2', 'line 1: byte swap must name the same register on both sides'],
    ['.map hash 8', 'line 1: .map expects hash|array KEYSIZE VALUESIZE MAXENTRIES'],
    ['.func 1x', 'line 1: .func expects a C identifier name: .func NAME [args=N] [global]'],
    ['.func f args=16777216', ".func option 'args=16777216': expected args=0..16777215, global, static or types=T1,T2,..."],
    ['.type kprobe', 'line 1: .type expects one of socket_filter|sched_cls|xdp'],
    ['.input abc', 'line 1: .input expects an even number of hex digits'],
    ['.section text', 'line 1: unknown directive .section (expected .type, .map, .input or .func)'],
    ['a:\na:\nexit', 'line 2: label a is defined twice'],
    ['; a comment\n\n// another\n  r0 = 0\n  r0 = *(u64 *)(r1 +0) = 3', "line 5: expected a value after 'r0 =', got '*(u64 *)(r1 +0) = 3'"],
  ])('%j', (source, message) => {
    const err = errorOf(AsmError, () => assemble(source));
    expect(err.message).toContain(message);
    expect(err.line).toBe(Number(/^line (\d+)/.exec(message)?.[1] ?? err.line));
  });

  it('a jump too far for a 16-bit offset says to use gotol', () => {
    const source = ['goto far', ...Array(40000).fill('r0 = 0'), 'far:', 'exit'].join('\n');
    expect(errorOf(AsmError, () => assemble(source)).message).toBe('line 1: jump offset 40000 does not fit 16 bits (use gotol)');
    expect(() => assemble(source.replace('goto far', 'gotol far'))).not.toThrow();
  });
});

describe('labels', () => {
  it('accepts LLVM local labels that start with a dot', () => {
    const out = assemble('if r1 > 5 goto .LBB0_2\nr0 = 1\n.LBB0_2:\nexit');
    expect(disassemble(out.insns).map((l) => l.text)).toEqual(['(25) if r1 > 0x5 goto pc+1', '(b7) r0 = 1', '(95) exit']);
  });
});

describe('pseudo LD_IMM64 as an unprivileged verifier log prints it', () => {
  it('hides map and BTF pointers as 0x0 and keeps a func reference raw', () => {
    const raw = assemble('r1 = map[id:3]\nr2 = map[id:0][0]+8\nr3 = btf_id[7]\nr4 = func[pc-4]\nr5 = 0x10').insns;
    expect(disassemble(raw, { pseudoLoads: 'unprivileged' }).map((l) => l.text)).toEqual([
      '(18) r1 = 0x0',
      '(18) r2 = 0x0',
      '(18) r3 = 0x0',
      '(18) r4 = 0xfffffffc',
      '(18) r5 = 0x10',
    ]);
  });
});
