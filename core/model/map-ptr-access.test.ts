// Loads through a map pointer (check_ptr_to_map_access, btf_struct_walk): per kernel profile, the
// struct layout of its own BTF decides what an offset reads. Expected lines and values are those
// Debian's 6.12, 7.2 and 7.3 kernels gave for the same programs (test/map-ptr-access.test.ts runs
// them on 7.2).
import { describe, expect, it } from 'vitest';
import { PROFILES, verify, type ProfileId } from './index.ts';
import { asm } from './test-programs.ts';
import { btfStructAccess, mapStructImage, mapStructTable } from './map-ptr-access.ts';
import type { Program } from '../program/types.ts';

const v = (p: Program, profile: ProfileId = 'linux-7.2') => verify(p, PROFILES[profile], { xlated: false, jit: false });
const ARRAY = '.map array 4 40 5\n';
const HASH = '.map hash 8 16 5\n';
const load = (map: string, insns: string) => asm(`${map}r1 = map[id:0] ll\n${insns}\nexit`);

describe('the struct walk (btf_struct_walk)', () => {
  const t72 = mapStructTable('linux-7.2')!;
  it('finds integer fields inside embedded structs, and pointer fields only whole', () => {
    expect(btfStructAccess(t72, 'bpf_array', 76, 4)).toEqual({ kind: 'scalar' });
    expect(btfStructAccess(t72, 'bpf_array', 40, 8)).toEqual({ kind: 'btf_id', target: 'bpf_map_ops', untrusted: false });
    expect(btfStructAccess(t72, 'bpf_array', 40, 4)).toMatchObject({ kind: 'reject', message: 'cannot access ptr member ops with moff 40 in struct bpf_map with off 40 size 4' });
    // an int array is scratch space up to its true end (sha[32])
    expect(btfStructAccess(t72, 'bpf_array', 24, 8)).toEqual({ kind: 'scalar' });
    expect(btfStructAccess(t72, 'bpf_array', 28, 8)).toMatchObject({ kind: 'reject', message: 'access beyond the end of member sha (mend:32) in struct bpf_map with off 28 size 8' });
  });
  it('marks pointers found through a union of more than one member untrusted', () => {
    // bpf_map's union { work_struct work; rcu_head rcu; } at 192: work.entry.next
    expect(btfStructAccess(t72, 'bpf_array', 200, 8)).toEqual({ kind: 'btf_id', target: 'list_head', untrusted: true });
    expect(btfStructAccess(t72, 'bpf_array', 264, 8)).toEqual({ kind: 'untrusted_mem' });
  });
  it('names the innermost struct and its own offset in the errors', () => {
    expect(btfStructAccess(t72, 'bpf_array', 252, 1)).toMatchObject({ kind: 'reject', errno: 22, message: "struct bpf_map doesn't have field at offset 252" });
    expect(btfStructAccess(t72, 'bpf_htab', 896, 4)).toMatchObject({ kind: 'reject', errno: 13, message: 'access beyond struct bpf_htab at off 896 size 4' });
    const t612 = mapStructTable('linux-6.12')!;
    expect(btfStructAccess(t612, 'bpf_array', 200, 8)).toMatchObject({ kind: 'reject', message: 'access beyond struct spinlock at off 0 size 8' });
  });
});

describe('loads through a map pointer, per profile', () => {
  it('the campaign reproducer: 8 bytes at offset 0 are sha[] on 7.x (0 in a fresh map), the ops pointer on 6.12', () => {
    const p = load(ARRAY, 'r0 = *(u64 *)(r1 +0)');
    for (const profile of ['linux-7.2', 'linux-7.3'] as const) {
      const o = v(p, profile);
      expect([o.verdict, o.retval, o.unpredictable]).toEqual(['accept', 0, undefined]);
    }
    expect(v(p, 'linux-6.12')).toMatchObject({ verdict: 'accept' });
    expect(v(p, 'linux-6.12').unpredictable).toMatch(/struct bpf_array of map 0 at offset 0/);
  });
  it('integer fields the test run fixes give their value: attributes, elem_size, index_mask, n_buckets', () => {
    const ret = (map: string, insn: string, profile: ProfileId = 'linux-7.2') => v(load(map, insn), profile).retval;
    expect(ret(ARRAY, 'r0 = *(u32 *)(r1 +76)')).toBe(5);
    expect(ret(ARRAY, 'r0 = *(u32 *)(r1 +68)', 'linux-7.3')).toBe(5); // max_entries moved up by 8 with excl gone
    expect(ret(ARRAY, 'r0 = *(u32 *)(r1 +36)', 'linux-6.12')).toBe(5);
    expect(ret(ARRAY, 'r0 = *(u32 *)(r1 +288)')).toBe(40);
    expect(ret(ARRAY, 'r0 = *(u32 *)(r1 +292)')).toBe(7);
    expect(ret(ARRAY, 'r0 = *(s8 *)(r1 +64)')).toBe(2);
    expect(ret(ARRAY, 'r0 = *(u32 *)(r1 +104)')).toBe(0xffffffff);
    expect(ret(HASH, 'r0 = *(u32 *)(r1 +824)')).toBe(8);
  });
  it('a narrow load is a zero-extended scalar: the verifier knows its upper bits', () => {
    const p = load(ARRAY, 'r0 = *(u16 *)(r1 +72)\nif r0 > 0xffff goto pc+1\nr0 = 9');
    expect(v(p)).toMatchObject({ verdict: 'accept', retval: 9 });
  });
  it('fields the kernel fills at run time make the retval unpredictable, never a guess', () => {
    for (const off of [40, 92, 176, 200, 264]) {
      const o = v(load(ARRAY, `r0 = *(u64 *)(r1 +${off})`.replace('u64 *)(r1 +92)', 'u32 *)(r1 +92)')));
      expect(o.verdict).toBe('accept');
      expect(o.unpredictable).toMatch(new RegExp(`at offset ${off}, a field the kernel fills at run time`));
    }
  });
  it('refuses negative offsets, writes and atomics before walking, and bad offsets with the walk\'s lines', () => {
    expect(v(load(ARRAY, 'r0 = *(u32 *)(r1 -4)'))).toMatchObject({ verdict: 'reject', errno: 13, message: 'R1 is bpf_array invalid negative access: off=-4' });
    expect(v(load(HASH, 'r2 = 0\n*(u64 *)(r1 +0) = r2\nr0 = 0'))).toMatchObject({ verdict: 'reject', errno: 13, message: 'only read from bpf_htab is supported' });
    expect(v(load(ARRAY, 'r2 = 1\nlock *(u32 *)(r1 +76) += r2\nr0 = 0'))).toMatchObject({ verdict: 'reject', message: 'only read from bpf_array is supported' });
    expect(v(load(ARRAY, 'r0 = *(u64 *)(r1 +76)'), 'linux-7.3')).toMatchObject({ verdict: 'reject', message: 'access beyond the end of member map_extra (mend:80) in struct bpf_map with off 76 size 8' });
    expect(v(load(HASH, 'r0 = *(u32 *)(r1 +824)'), 'linux-6.12')).toMatchObject({ verdict: 'reject', message: 'cannot access ptr member map_locked with moff 824 in struct bpf_htab with off 824 size 4' });
  });
  it('a PTR_TO_BTF_ID may be returned, spilled and compared; loads through it and its arithmetic are not modelled', () => {
    expect(v(load(ARRAY, 'r0 = *(u64 *)(r1 +40)\n*(u64 *)(r10 -8) = r0\nr2 = *(u64 *)(r10 -8)\nr0 = 1\nif r2 != 0x0 goto pc+1\nr0 = 2'))).toMatchObject({ verdict: 'accept' });
    expect(v(load(ARRAY, 'r0 = *(u64 *)(r1 +40)\nr0 = *(u64 *)(r0 +0)'))).toMatchObject({ verdict: 'unknown', unknown: expect.stringMatching(/PTR_TO_BTF_ID/) });
    expect(v(load(ARRAY, 'r0 = *(u64 *)(r1 +264)\nr0 += 8\nr0 = 0'))).toMatchObject({ verdict: 'unknown' });
  });
  it('a profile without recorded layouts says unknown', () => {
    expect(v(load(ARRAY, 'r0 = *(u32 *)(r1 +76)'), 'next')).toMatchObject({ verdict: 'unknown', unknown: expect.stringMatching(/layout on next is not recorded/) });
  });
});

describe('the map struct image (what a test run reads)', () => {
  it('knows the attribute fields at each kernel\'s offsets and nothing else', () => {
    const decl = { type: 'array' as const, keySize: 4, valueSize: 12, maxEntries: 3 };
    const img = mapStructImage(mapStructTable('linux-7.3')!, decl);
    expect(img.bytes.length).toBe(296);
    const u32 = (off: number) => new DataView(img.bytes.buffer).getUint32(off, true);
    expect([u32(56), u32(60), u32(64), u32(68), u32(280), u32(284)]).toEqual([2, 4, 12, 3, 16, 3]);
    expect(img.known[32]).toBe(0); // ops
    expect(img.known[68]).toBe(1);
  });
});
