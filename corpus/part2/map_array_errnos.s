; array maps: delete is -EINVAL, an index past max_entries is -E2BIG, BPF_NOEXIST is -EEXIST
.type sched_cls
.map array 4 8 2
        r1 = 5
        *(u32 *)(r10 -4) = r1
        r1 = 0
        *(u32 *)(r10 -8) = r1
        *(u64 *)(r10 -16) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_delete_elem
        r6 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -4
        r3 = r10
        r3 += -16
        r4 = 0
        call bpf_map_update_elem
        r7 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        r3 = r10
        r3 += -16
        r4 = 1
        call bpf_map_update_elem
        r1 = r6
        r2 = r7
        r3 = r0
        r4 = 0
        r5 = 0
        *(u64 *)(r11 -8) = 1
        call f
        exit

.func f args=6
        r6 = *(u64 *)(r11 +8)
        r0 = 0
        r0 -= r1
        r0 *= 100
        r0 -= r2
        r0 *= 100
        r0 -= r3
        r0 *= r6
        exit
