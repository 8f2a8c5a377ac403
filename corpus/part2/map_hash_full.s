; a one-entry hash table takes a second key with -E2BIG; the first key can still be replaced
.type sched_cls
.map hash 4 4 1
        r1 = 1
        *(u32 *)(r10 -4) = r1
        r1 = 2
        *(u32 *)(r10 -8) = r1
        r1 = 300
        *(u32 *)(r10 -12) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -4
        r3 = r10
        r3 += -12
        r4 = 0
        call bpf_map_update_elem
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        r3 = r10
        r3 += -12
        r4 = 0
        call bpf_map_update_elem
        r6 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -4
        r3 = r10
        r3 += -8
        r4 = 2
        call bpf_map_update_elem
        r7 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 == 0x0 goto miss
        r8 = *(u32 *)(r0 +0)
        *(u64 *)(r11 -8) = r8
        r1 = r6
        r2 = r7
        r3 = 0
        r4 = 0
        r5 = 0
        call f
        exit
miss:
        r0 = 1
        exit

.func f args=6
        r0 = *(u64 *)(r11 +8)
        r1 *= -1000
        r0 += r1
        r2 *= 10000
        r0 += r2
        exit
