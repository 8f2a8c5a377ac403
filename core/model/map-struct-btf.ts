// The struct layouts check_ptr_to_map_access walks, per kernel profile: struct bpf_array (the
// array map's map_btf_id, kernel/bpf/arraymap.c) and struct bpf_htab (the hash map's,
// kernel/bpf/hashtab.c), with every struct and union embedded in them. Generated from each
// Debian kernel's own BTF (the .BTF section of the vmlinux inside kernels/<id>/vmlinuz:
// 6.12.118+deb12-amd64, 7.2.13+deb14-amd64, 7.3~rc7-1~exp1) by scripts/map-struct-btf.ts;
// a kernel built with another config (CONFIG_SECURITY, CONFIG_MEMCG, lockdep) lays them out
// differently.
//
// Format, one entry per struct: `s|u SIZE | member OFFSET TYPE | ...`, offsets in bytes.
// TYPE: `iN` an integer (or enum) of N bytes; `s:KEY` an embedded struct or union; `p:KEY` a
// pointer to struct KEY, `p:` a pointer to anything else; `aN:TYPE` an array of N. Members named
// `-` are anonymous; keys `~N` are anonymous structs (the kernel prints their name as '').
import type { ProfileId } from './profile.ts';

export const MAP_STRUCT_BTF: Partial<Record<ProfileId, Record<string, string>>> = {
  'linux-6.12': {
    'bpf_array': 's 264 | map 0 s:bpf_map | elem_size 248 i4 | index_mask 252 i4 | aux 256 p:bpf_array_aux | - 264 s:~1',
    'bpf_htab': 's 896 | map 0 s:bpf_map | ma 248 s:bpf_mem_alloc | pcpu_ma 328 s:bpf_mem_alloc | buckets 408 p:bucket |' +
      'elems 416 p: | - 448 s:~2 | extra_elems 704 p: | pcount 712 s:percpu_counter | count 752 s:~3 |' +
      'use_percpu_counter 756 i1 | n_buckets 760 i4 | elem_size 764 i4 | hashrnd 768 i4 |' +
      'lockdep_key 772 s:lock_class_key | map_locked 776 a8:p:',
    'bpf_map': 's 248 | ops 0 p:bpf_map_ops | inner_map_meta 8 p:bpf_map | security 16 p: | map_type 24 i4 |' +
      'key_size 28 i4 | value_size 32 i4 | max_entries 36 i4 | map_extra 40 i8 | map_flags 48 i4 | id 52 i4 |' +
      'record 56 p:btf_record | numa_node 64 i4 | btf_key_type_id 68 i4 | btf_value_type_id 72 i4 |' +
      'btf_vmlinux_value_type_id 76 i4 | btf 80 p:btf | objcg 88 p:obj_cgroup | name 96 a16:i1 |' +
      'freeze_mutex 112 s:mutex | refcnt 144 s:~4 | usercnt 152 s:~4 | - 160 s:~5 | writecnt 192 s:~4 |' +
      'owner_lock 200 s:spinlock | owner 208 p:bpf_map_owner | bypass_spec_v1 216 i1 | frozen 217 i1 |' +
      'free_after_mult_rcu_gp 218 i1 | free_after_rcu_gp 219 i1 | sleepable_refcnt 224 s:~4 |' +
      'elem_count 232 p: | cookie 240 i8',
    '~1': 'u 0 | - 0 s:~6 | - 0 s:~7 | - 0 s:~8',
    'bpf_mem_alloc': 's 80 | caches 0 p:bpf_mem_caches | cache 8 p:bpf_mem_cache | objcg 16 p:obj_cgroup | percpu 24 i1 |' +
      'work 32 s:work_struct | dtor_ctx_free 64 p: | dtor_ctx 72 p:',
    '~2': 'u 256 | freelist 0 s:pcpu_freelist | lru 0 s:bpf_lru',
    'percpu_counter': 's 40 | lock 0 s:raw_spinlock | count 8 i8 | list 16 s:list_head | counters 32 p:',
    '~3': 's 4 | counter 0 i4',
    'lock_class_key': 's 0',
    'mutex': 's 32 | owner 0 s:~4 | wait_lock 8 s:raw_spinlock | osq 12 s:optimistic_spin_queue |' +
      'wait_list 16 s:list_head',
    '~4': 's 8 | counter 0 i8',
    '~5': 'u 32 | work 0 s:work_struct | rcu 0 s:callback_head',
    'spinlock': 's 4 | - 0 s:~9',
    '~6': 's 0 | __empty_value 0 s:~10 | value 0 a0:i1',
    '~7': 's 0 | __empty_ptrs 0 s:~10 | ptrs 0 a0:p:',
    '~8': 's 0 | __empty_pptrs 0 s:~10 | pptrs 0 a0:p:',
    'work_struct': 's 32 | data 0 s:~4 | entry 8 s:list_head | func 24 p:',
    'pcpu_freelist': 's 24 | freelist 0 p:pcpu_freelist_head | extralist 8 s:pcpu_freelist_head',
    'bpf_lru': 's 256 | - 0 s:~11 | del_from_htab 192 p: | del_arg 200 p: | hash_offset 208 i4 | target_free 212 i4 |' +
      'nr_scans 216 i4 | percpu 220 i1',
    'raw_spinlock': 's 4 | raw_lock 0 s:qspinlock',
    'list_head': 's 16 | next 0 p:list_head | prev 8 p:list_head',
    'optimistic_spin_queue': 's 4 | tail 0 s:~3',
    'callback_head': 's 16 | next 0 p:callback_head | func 8 p:',
    '~9': 'u 4 | rlock 0 s:raw_spinlock',
    '~10': 's 0',
    'pcpu_freelist_head': 's 16 | first 0 p:pcpu_freelist_node | lock 8 s:raw_spinlock',
    '~11': 'u 192 | common_lru 0 s:bpf_common_lru | percpu_lru 0 p:bpf_lru_list',
    'qspinlock': 's 4 | - 0 s:~12',
    'bpf_common_lru': 's 192 | lru_list 0 s:bpf_lru_list | local_list 128 p:bpf_lru_locallist',
    '~12': 'u 4 | val 0 s:~3 | - 0 s:~13 | - 0 s:~14',
    'bpf_lru_list': 's 128 | lists 0 a3:s:list_head | counts 48 a2:i4 | next_inactive_rotation 56 p:list_head |' +
      'lock 64 s:raw_spinlock',
    '~13': 's 2 | locked 0 i1 | pending 1 i1',
    '~14': 's 4 | locked_pending 0 i2 | tail 2 i2',
  },
  'linux-7.2': {
    'bpf_array': 's 304 | map 0 s:bpf_map | elem_size 288 i4 | index_mask 292 i4 | aux 296 p:bpf_array_aux | - 304 s:~1',
    'bpf_htab': 's 896 | map 0 s:bpf_map | ma 288 s:bpf_mem_alloc | pcpu_ma 368 s:bpf_mem_alloc | buckets 448 p:bucket |' +
      'elems 456 p: | - 512 s:~2 | extra_elems 768 p: | pcount 776 s:percpu_counter | count 816 s:~3 |' +
      'use_percpu_counter 820 i1 | n_buckets 824 i4 | elem_size 828 i4 | hashrnd 832 i4',
    'bpf_map': 's 288 | sha 0 a32:i1 | excl 32 i4 | ops 40 p:bpf_map_ops | inner_map_meta 48 p:bpf_map | security 56 p: |' +
      'map_type 64 i4 | key_size 68 i4 | value_size 72 i4 | max_entries 76 i4 | map_extra 80 i8 |' +
      'map_flags 88 i4 | id 92 i4 | record 96 p:btf_record | numa_node 104 i4 | btf_key_type_id 108 i4 |' +
      'btf_value_type_id 112 i4 | btf_vmlinux_value_type_id 116 i4 | btf 120 p:btf | objcg 128 p:obj_cgroup |' +
      'name 136 a16:i1 | freeze_mutex 152 s:mutex | refcnt 176 s:~4 | usercnt 184 s:~4 | - 192 s:~5 |' +
      'writecnt 224 s:~4 | owner_lock 232 s:spinlock | owner 240 p:bpf_map_owner | bypass_spec_v1 248 i1 |' +
      'frozen 249 i1 | free_after_mult_rcu_gp 250 i1 | free_after_rcu_gp 251 i1 | sleepable_refcnt 256 s:~4 |' +
      'elem_count 264 p: | cookie 272 i8 | excl_prog_sha 280 p:',
    '~1': 'u 0 | - 0 s:~6 | - 0 s:~7 | - 0 s:~8',
    'bpf_mem_alloc': 's 80 | caches 0 p:bpf_mem_caches | cache 8 p:bpf_mem_cache | objcg 16 p:obj_cgroup | percpu 24 i1 |' +
      'work 32 s:work_struct | dtor_ctx_free 64 p: | dtor_ctx 72 p:',
    '~2': 'u 256 | freelist 0 s:pcpu_freelist | lru 0 s:bpf_lru',
    'percpu_counter': 's 40 | lock 0 s:raw_spinlock | count 8 i8 | list 16 s:list_head | counters 32 p:',
    '~3': 's 4 | counter 0 i4',
    'mutex': 's 24 | owner 0 s:~4 | wait_lock 8 s:raw_spinlock | osq 12 s:optimistic_spin_queue |' +
      'first_waiter 16 p:mutex_waiter',
    '~4': 's 8 | counter 0 i8',
    '~5': 'u 32 | work 0 s:work_struct | rcu 0 s:callback_head',
    'spinlock': 's 4 | - 0 s:~9',
    '~6': 's 0 | __empty_value 0 s:~10 | value 0 a0:i1',
    '~7': 's 0 | __empty_ptrs 0 s:~10 | ptrs 0 a0:p:',
    '~8': 's 0 | __empty_pptrs 0 s:~10 | pptrs 0 a0:p:',
    'work_struct': 's 32 | data 0 s:~4 | entry 8 s:list_head | func 24 p:',
    'pcpu_freelist': 's 24 | freelist 0 p:pcpu_freelist_head | extralist 8 s:pcpu_freelist_head',
    'bpf_lru': 's 256 | - 0 s:~11 | del_from_htab 192 p: | del_arg 200 p: | hash_offset 208 i4 | target_free 212 i4 |' +
      'nr_scans 216 i4 | percpu 220 i1',
    'raw_spinlock': 's 4 | raw_lock 0 s:qspinlock',
    'list_head': 's 16 | next 0 p:list_head | prev 8 p:list_head',
    'optimistic_spin_queue': 's 4 | tail 0 s:~3',
    'callback_head': 's 16 | next 0 p:callback_head | func 8 p:',
    '~9': 'u 4 | rlock 0 s:raw_spinlock',
    '~10': 's 0',
    'pcpu_freelist_head': 's 16 | first 0 p:pcpu_freelist_node | lock 8 s:qspinlock',
    '~11': 'u 192 | common_lru 0 s:bpf_common_lru | percpu_lru 0 p:bpf_lru_list',
    'qspinlock': 's 4 | - 0 s:~12',
    'bpf_common_lru': 's 192 | lru_list 0 s:bpf_lru_list | local_list 128 p:bpf_lru_locallist',
    '~12': 'u 4 | val 0 s:~3 | - 0 s:~13 | - 0 s:~14',
    'bpf_lru_list': 's 128 | lists 0 a3:s:list_head | counts 48 a2:i4 | next_inactive_rotation 56 p:list_head |' +
      'lock 64 s:qspinlock',
    '~13': 's 2 | locked 0 i1 | pending 1 i1',
    '~14': 's 4 | locked_pending 0 i2 | tail 2 i2',
  },
  'linux-7.3': {
    'bpf_array': 's 296 | map 0 s:bpf_map | elem_size 280 i4 | index_mask 284 i4 | aux 288 p:bpf_array_aux | - 296 s:~1',
    'bpf_htab': 's 896 | map 0 s:bpf_map | ma 280 s:bpf_mem_alloc | pcpu_ma 360 s:bpf_mem_alloc | buckets 440 p:bucket |' +
      'elems 448 p: | - 512 s:~2 | extra_elems 768 p: | pcount 776 s:percpu_counter | count 816 s:~3 |' +
      'use_percpu_counter 820 i1 | n_buckets 824 i4 | elem_size 828 i4 | hashrnd 832 i4',
    'bpf_map': 's 280 | sha 0 a32:i1 | ops 32 p:bpf_map_ops | inner_map_meta 40 p:bpf_map | security 48 p: |' +
      'map_type 56 i4 | key_size 60 i4 | value_size 64 i4 | max_entries 68 i4 | map_extra 72 i8 |' +
      'map_flags 80 i4 | id 84 i4 | record 88 p:btf_record | numa_node 96 i4 | btf_key_type_id 100 i4 |' +
      'btf_value_type_id 104 i4 | btf_vmlinux_value_type_id 108 i4 | btf 112 p:btf | objcg 120 p:obj_cgroup |' +
      'name 128 a16:i1 | freeze_mutex 144 s:mutex | refcnt 168 s:~4 | usercnt 176 s:~4 | - 184 s:~5 |' +
      'writecnt 216 s:~4 | owner_lock 224 s:spinlock | owner 232 p:bpf_map_owner | bypass_spec_v1 240 i1 |' +
      'frozen 241 i1 | free_after_mult_rcu_gp 242 i1 | free_after_rcu_gp 243 i1 | sleepable_refcnt 248 s:~4 |' +
      'elem_count 256 p: | cookie 264 i8 | excl_prog_sha 272 p:',
    '~1': 'u 0 | - 0 s:~6 | - 0 s:~7 | - 0 s:~8',
    'bpf_mem_alloc': 's 80 | caches 0 p:bpf_mem_caches | cache 8 p:bpf_mem_cache | objcg 16 p:obj_cgroup | percpu 24 i1 |' +
      'work 32 s:work_struct | dtor_ctx_free 64 p: | dtor_ctx 72 p:',
    '~2': 'u 256 | freelist 0 s:pcpu_freelist | lru 0 s:bpf_lru',
    'percpu_counter': 's 40 | lock 0 s:raw_spinlock | count 8 i8 | list 16 s:list_head | counters 32 p:',
    '~3': 's 4 | counter 0 i4',
    'mutex': 's 24 | owner 0 s:~4 | wait_lock 8 s:raw_spinlock | osq 12 s:optimistic_spin_queue |' +
      'first_waiter 16 p:mutex_waiter',
    '~4': 's 8 | counter 0 i8',
    '~5': 'u 32 | work 0 s:work_struct | rcu 0 s:callback_head',
    'spinlock': 's 4 | - 0 s:~9',
    '~6': 's 0 | __empty_value 0 s:~10 | value 0 a0:i1',
    '~7': 's 0 | __empty_ptrs 0 s:~10 | ptrs 0 a0:p:',
    '~8': 's 0 | __empty_pptrs 0 s:~10 | pptrs 0 a0:p:',
    'work_struct': 's 32 | data 0 s:~4 | entry 8 s:list_head | func 24 p:',
    'pcpu_freelist': 's 24 | freelist 0 p:pcpu_freelist_head | extralist 8 s:pcpu_freelist_head',
    'bpf_lru': 's 256 | - 0 s:~11 | del_from_htab 192 p: | del_arg 200 p: | hash_offset 208 i4 | target_free 212 i4 |' +
      'nr_scans 216 i4 | percpu 220 i1',
    'raw_spinlock': 's 4 | raw_lock 0 s:qspinlock',
    'list_head': 's 16 | next 0 p:list_head | prev 8 p:list_head',
    'optimistic_spin_queue': 's 4 | tail 0 s:~3',
    'callback_head': 's 16 | next 0 p:callback_head | func 8 p:',
    '~9': 'u 4 | rlock 0 s:raw_spinlock',
    '~10': 's 0',
    'pcpu_freelist_head': 's 16 | first 0 p:pcpu_freelist_node | lock 8 s:qspinlock',
    '~11': 'u 192 | common_lru 0 s:bpf_common_lru | percpu_lru 0 p:bpf_lru_list',
    'qspinlock': 's 4 | - 0 s:~12',
    'bpf_common_lru': 's 192 | lru_list 0 s:bpf_lru_list | local_list 128 p:bpf_lru_locallist',
    '~12': 'u 4 | val 0 s:~3 | - 0 s:~13 | - 0 s:~14',
    'bpf_lru_list': 's 128 | lists 0 a3:s:list_head | counts 48 a2:i4 | next_inactive_rotation 56 p:list_head |' +
      'lock 64 s:qspinlock',
    '~13': 's 2 | locked 0 i1 | pending 1 i1',
    '~14': 's 4 | locked_pending 0 i2 | tail 2 i2',
  },
};
