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
