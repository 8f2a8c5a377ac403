// The BTF blob and func_info of a program with a 7-argument static function, compared with
// bytes written by hand from Documentation/bpf/btf.rst (struct btf_header, struct btf_type,
// the INT u32, struct btf_param) and struct bpf_func_info, all little-endian.
import { describe, expect, it } from 'vitest';
import { BtfError, buildProgramBtf } from './index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const le32 = (...words: number[]): string => words.map((w) => Buffer.from(new Uint32Array([w]).buffer).toString('hex')).join('');
const strs = (...s: string[]): string => Buffer.from(s.join('\0') + '\0').toString('hex');

describe('buildProgramBtf', () => {
  it('encodes main(a1) and a static f(a1..a7) exactly as btf.rst lays it out', () => {
    const { btf, funcInfo } = buildProgramBtf([
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'f', start: 9, args: 7, linkage: 'static' },
    ]);
    // string section: offset 0 "", 1 "long", 6 "a1", 9 "main", 14 "a2", 17 "a3", 20 "a4",
    // 23 "a5", 26 "a6", 29 "a7", 32 "f"; 34 bytes
    const strings = strs('', 'long', 'a1', 'main', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'f');
    const types = [
      // [1] INT "long": name_off 1, info kind 1 << 24, size 8, then BTF_INT_SIGNED << 24 | bits 64
      '01000000', '00000001', '08000000', '40000001',
      // [2] FUNC_PROTO: name_off 0, info kind 13 << 24 | vlen 1, returns type 1; param {a1, 1}
      '00000000', '0100000d', '01000000', '06000000', '01000000',
      // [3] FUNC "main": name_off 9, info kind 12 << 24 | linkage 0 (static), type 2
      '09000000', '0000000c', '02000000',
      // [4] FUNC_PROTO: vlen 7, returns 1; params a1 a2 .. a7 (offsets 6 14 17 20 23 26 29), all type 1
      '00000000', '0700000d', '01000000',
      '06000000', '01000000', '0e000000', '01000000', '11000000', '01000000', '14000000', '01000000',
      '17000000', '01000000', '1a000000', '01000000', '1d000000', '01000000',
      // [5] FUNC "f": name_off 32, static, type 4
      '20000000', '0000000c', '04000000',
    ].join('');
    const header = [
      '9feb', '01', '00', // magic 0xeB9F, version 1, flags 0
      '18000000', // hdr_len 24
      '00000000', '80000000', // type_off 0, type_len 128
      '80000000', '22000000', // str_off 128, str_len 34
    ].join('');
    expect(types.length / 2).toBe(128);
    expect(strings.length / 2).toBe(34);
    expect(hex(btf)).toBe(header + types + strings);
    // func_info: {insn_off 0, type_id 3 (main)}, {insn_off 9, type_id 5 (f)}
    expect(hex(funcInfo)).toBe('00000000' + '03000000' + '09000000' + '05000000');
  });

  it('shares one FUNC_PROTO between functions with the same args and marks global linkage', () => {
    const { btf, funcInfo } = buildProgramBtf([
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'g', start: 4, args: 1, linkage: 'global' },
    ]);
    // types: [1] long, [2] proto(a1), [3] FUNC main, [4] FUNC g -> proto 2 with linkage 1
    expect(hex(btf.subarray(24 + 16 + 20 + 12, 24 + 16 + 20 + 24))).toBe(le32(14) + '0100000c' + le32(2));
    expect(hex(funcInfo)).toBe(le32(0, 3, 4, 4));
  });

  it('can give main a pointer to the program type context struct', () => {
    const { btf } = buildProgramBtf([{ name: 'main', start: 0, args: 1, linkage: 'global' }], { ctx: 'xdp' });
    const types = hex(btf.subarray(24, 24 + btf[12]));
    // [2] STRUCT "xdp_md" size 0 no members, [3] PTR -> 2, [4] FUNC_PROTO(a1: type 3)
    expect(types).toContain(le32(6) + '00000004' + le32(0) + le32(0) + '00000002' + le32(2) + le32(0) + '0100000d' + le32(1, 13, 3));
    expect(hex(btf)).toContain(strs('', 'long', 'xdp_md', 'a1', 'main'));
  });

  it('refuses names the kernel would refuse and an unsorted function table', () => {
    expect(() => buildProgramBtf([{ name: 'bad-name', start: 0, args: 1, linkage: 'static' }])).toThrow(
      new BtfError("FUNC name 'bad-name' is not a valid C identifier"),
    );
    expect(() =>
      buildProgramBtf([
        { name: 'main', start: 0, args: 1, linkage: 'static' },
        { name: 'f', start: 0, args: 1, linkage: 'static' },
      ]),
    ).toThrow('funcs[1].start 0: functions must start at 0 and be sorted by start');
  });
});

describe('buildProgramBtf with argument types', () => {
  it('encodes ctx as a pointer to the context struct, mem:N as a pointer to u8[N], and nonnull as a decl tag', () => {
    const { btf, funcInfo } = buildProgramBtf(
      [
        { name: 'main', start: 0, args: 1, linkage: 'static' },
        { name: 'g', start: 4, args: 3, linkage: 'global', argTypes: ['ctx', 'mem:16', 'mem:8:nonnull'] },
      ],
      { progType: 'sched_cls' },
    );
    // strings: 0 "", 1 long, 6 a1, 9 main, 14 __sk_buff, 24 u8, 27 u32, 31 a2, 34 a3, 37 g, 39 arg:nonnull
    expect(hex(btf)).toContain(strs('', 'long', 'a1', 'main', '__sk_buff', 'u8', 'u32', 'a2', 'a3', 'g', 'arg:nonnull'));
    const types = hex(btf.subarray(24, 24 + new DataView(btf.buffer).getUint32(12, true)));
    const expected = [
      le32(1, 0x01000000, 8, 0x01000040), // [1] INT long
      le32(0, 0x0d000001, 1, 6, 1), // [2] FUNC_PROTO (a1 long)
      le32(9, 0x0c000000, 2), // [3] FUNC main static
      le32(14, 0x04000000, 0), // [4] STRUCT __sk_buff, no members
      le32(0, 0x02000000, 4), // [5] PTR -> 4
      le32(24, 0x01000000, 1, 8), // [6] INT u8, unsigned, 8 bits
      le32(27, 0x01000000, 4, 32), // [7] INT u32
      le32(0, 0x03000000, 0, 6, 7, 16), // [8] ARRAY u8[16] indexed by u32
      le32(0, 0x02000000, 8), // [9] PTR -> 8
      le32(0, 0x03000000, 0, 6, 7, 8), // [10] ARRAY u8[8]
      le32(0, 0x02000000, 10), // [11] PTR -> 10
      le32(0, 0x0d000003, 1, 6, 5, 31, 9, 34, 11), // [12] FUNC_PROTO (a1 ctx, a2 mem16, a3 mem8)
      le32(37, 0x0c000001, 12), // [13] FUNC g global
      le32(39, 0x11000000, 13, 2), // [14] DECL_TAG arg:nonnull on g's param 2
    ].join('');
    expect(types).toBe(expected);
    expect(hex(funcInfo)).toBe(le32(0, 3, 4, 13));
  });

  it('keeps the blob of an all-scalar program byte for byte, and needs the program type for ctx', () => {
    const funcs = [
      { name: 'main', start: 0, args: 1, linkage: 'static' as const },
      { name: 'f', start: 9, args: 2, linkage: 'global' as const },
    ];
    const plain = buildProgramBtf(funcs);
    const typed = buildProgramBtf([funcs[0], { ...funcs[1], argTypes: ['scalar', 'scalar'] }], { progType: 'xdp' });
    expect(hex(typed.btf)).toBe(hex(plain.btf));
    expect(() => buildProgramBtf([funcs[0], { ...funcs[1], argTypes: ['ctx', 'scalar'] }])).toThrow('funcs[1].argTypes[0]: a ctx argument needs the program type');
    expect(() => buildProgramBtf([funcs[0], { ...funcs[1], argTypes: ['ctx'] }], { progType: 'xdp' })).toThrow('funcs[1].argTypes: 1 types for 2 args');
  });
});
