// Programs that read through a map pointer (check_ptr_to_map_access), written against the layout of
// struct bpf_array / struct bpf_htab on Debian's 7.2 kernel (core/model/map-struct-btf.ts): offsets
// of integer fields whose value the test run's map has, pointer fields, holes, writes, and reads
// past a member or the struct. On 6.12 and 7.3 the same offsets land on other fields.
import { programFromAsm } from '../core/program/index.ts';
import type { Program } from '../core/program/types.ts';

/** an array map of 5 values of 40 bytes (index_mask 7), a hash map of 5 (n_buckets 8) */
const ARRAY = '.map array 4 40 5\n';
const HASH = '.map hash 8 16 5\n';

const read = (map: string, load: string, tail = 'exit'): string => `.type sched_cls\n${map}.func main args=1\nr1 = map[id:0] ll\n${load}\n${tail}`;

interface MapPtrCase {
  name: string;
  source: string;
}

export const MAP_PTR_CASES: MapPtrCase[] = [
  { name: 'array max_entries', source: read(ARRAY, 'r0 = *(u32 *)(r1 +76)') },
  { name: 'array key_size', source: read(ARRAY, 'r0 = *(u32 *)(r1 +68)') },
  { name: 'array value_size, 2 bytes', source: read(ARRAY, 'r0 = *(u16 *)(r1 +72)') },
  { name: 'array elem_size', source: read(ARRAY, 'r0 = *(u32 *)(r1 +288)') },
  { name: 'array index_mask', source: read(ARRAY, 'r0 = *(u32 *)(r1 +292)') },
  { name: 'array map_type, sign-extending byte load', source: read(ARRAY, 'r0 = *(s8 *)(r1 +64)') },
  { name: 'array numa_node', source: read(ARRAY, 'r0 = *(u32 *)(r1 +104)') },
  { name: 'array sha, 8 bytes at offset 0 (the campaign reproducer)', source: read(ARRAY, 'r0 = *(u64 *)(r1 +0)') },
  { name: 'array name', source: read(ARRAY, 'r0 = *(u64 *)(r1 +136)') },
  { name: 'array ops returned', source: read(ARRAY, 'r0 = *(u64 *)(r1 +40)') },
  { name: 'array ops spilled, filled and compared with 0', source: read(ARRAY, 'r0 = *(u64 *)(r1 +40)\n*(u64 *)(r10 -8) = r0\nr2 = *(u64 *)(r10 -8)\nr0 = 1\nif r2 != 0x0 goto pc+1\nr0 = 2') },
  { name: 'array union member: work.entry.next', source: read(ARRAY, 'r0 = *(u64 *)(r1 +200)') },
  { name: 'array elem_count (pointer to a non-struct)', source: read(ARRAY, 'r0 = *(u64 *)(r1 +264)') },
  { name: 'array refcnt', source: read(ARRAY, 'r0 = *(u64 *)(r1 +176)') },
  { name: 'array negative offset', source: read(ARRAY, 'r0 = *(u32 *)(r1 -4)') },
  { name: 'array write', source: read(ARRAY, '*(u32 *)(r1 +76) = 1\nr0 = 0') },
  { name: 'array read past the struct', source: read(ARRAY, 'r0 = *(u32 *)(r1 +304)') },
  { name: 'array read past max_entries', source: read(ARRAY, 'r0 = *(u64 *)(r1 +76)') },
  { name: 'array half of the ops pointer', source: read(ARRAY, 'r0 = *(u32 *)(r1 +40)') },
  { name: 'array hole after free_after_rcu_gp', source: read(ARRAY, 'r0 = *(u8 *)(r1 +252)') },
  { name: 'array atomic add', source: read(ARRAY, 'r2 = 1\nlock *(u32 *)(r1 +76) += r2\nr0 = 0') },
  { name: 'hash n_buckets', source: read(HASH, 'r0 = *(u32 *)(r1 +824)') },
  { name: 'hash max_entries', source: read(HASH, 'r0 = *(u32 *)(r1 +76)') },
  { name: 'hash hashrnd', source: read(HASH, 'r0 = *(u32 *)(r1 +832)') },
  { name: 'hash read past the struct', source: read(HASH, 'r0 = *(u32 *)(r1 +896)') },
  { name: 'hash write', source: read(HASH, 'r2 = 0\n*(u64 *)(r1 +0) = r2\nr0 = 0') },
];

export function mapPtrProgram(c: MapPtrCase): Program {
  return programFromAsm(c.source, { progType: 'sched_cls' });
}
