// Programs that read through a map pointer (check_ptr_to_map_access), written against the layout of
// struct bpf_array / struct bpf_htab on Debian's 7.2 kernel (core/model/map-struct-btf.ts): offsets
// of integer fields whose value the test run's map has, pointer fields, holes, writes, and reads
// past a member or the struct; then what a program does with a pointer field it read. On 6.12 and
// 7.3 the same offsets land on other fields.
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
  // what a program does with a pointer field it read (PTR_TO_BTF_ID / rdonly_untrusted_mem)
  { name: 'ops pointer stored into a map value', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r6 = *(u64 *)(r1 +40)
r1 = 0
*(u32 *)(r10 -4) = r1
r1 = map[id:0] ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0x0 goto pc+1
*(u64 *)(r0 +0) = r6
r0 = 0
exit` },
  { name: 'ops pointer stored into skb->cb[0] (ctx)', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r2 = map[id:0] ll
r0 = *(u64 *)(r2 +40)
*(u32 *)(r1 +48) = r0
r0 = 0
exit` },
  { name: 'ops pointer passed to a static function', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r1 = *(u64 *)(r1 +40)
call pc+2
r0 = 3
exit
.func f args=1
r0 = r1
exit` },
  { name: 'ops pointer passed to a global function (scalar parameter)', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r1 = *(u64 *)(r1 +40)
call pc+2
r0 = 3
exit
.func f args=1 global
r0 = 0
exit` },
  { name: 'ops pointer passed as a stack argument (r11)', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r6 = *(u64 *)(r1 +40)
*(u64 *)(r11 -8) = r6
r1 = 1
r2 = 2
r3 = 3
r4 = 4
r5 = 5
call pc+2
r0 = 3
exit
.func f args=6
r0 = *(u64 *)(r11 +8)
r0 = 1
exit` },
  { name: 'ops pointer compared in 32 bits', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
if w0 == 0x0 goto pc+1
r0 = 1
r0 = 0
exit` },
  { name: 'ops pointer compared with the map pointer', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
if r0 == r1 goto pc+1
r0 = 1
r0 = 0
exit` },
  { name: 'ops pointer truncated by w0 = w0', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
w0 = w0
r0 &= 0
exit` },
  { name: 'ops pointer with w0 -= 1', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
w0 -= 1
r0 = 0
exit` },
  { name: 'ops pointer with w0 += 1', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
w0 += 1
r0 = 0
exit` },
  { name: 'ops pointer minus ops pointer', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
r2 = *(u64 *)(r1 +40)
r0 -= r2
exit` },
  { name: 'BPF_ST into the map struct', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
*(u32 *)(r1 +0) = 1
r0 = 0
exit` },
  { name: 'sign-extending 4-byte load of the ops pointer', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r0 = *(s32 *)(r1 +40)
exit` },
  { name: 'ops pointer returned by a static function', source: `.type sched_cls
.map array 4 40 5
.func main args=1
call pc+2
r0 = 5
exit
.func f args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
exit` },
  { name: 'ops pointer returned by xdp', source: `.type xdp
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
exit` },
  { name: 'hash ops pointer returned by socket_filter', source: `.type socket_filter
.map hash 8 16 5
.func main args=1
r1 = map[id:0] ll
r0 = *(u64 *)(r1 +40)
exit` },
  { name: 'ops pointer passed to a global function for 8 bytes of memory', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r1 = *(u64 *)(r1 +40)
call g
exit
.func g args=1 global types=mem:8
r0 = 1
if r1 == 0x0 goto pc+1
r0 = *(u64 *)(r1 +0)
exit` },
  { name: 'elem_count pointer passed to a global function for 8 bytes of memory', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r1 = *(u64 *)(r1 +264)
call g
exit
.func g args=1 global types=mem:8
r0 = 1
if r1 == 0x0 goto pc+1
r0 = *(u64 *)(r1 +0)
exit` },
  { name: 'ops pointer passed to a global function for its ctx', source: `.type sched_cls
.map array 4 40 5
.func main args=1
r1 = map[id:0] ll
r1 = *(u64 *)(r1 +40)
call g
exit
.func g args=1 global types=ctx
r0 = 1
exit` },
];

export function mapPtrProgram(c: MapPtrCase): Program {
  return programFromAsm(c.source);
}
