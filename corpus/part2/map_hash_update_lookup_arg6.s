; hash map: update key 1 = 42, look it up, pass the value pointer as argument 6 after the NULL check
.type sched_cls
.map hash 8 8 4
        r1 = 1
        *(u64 *)(r10 -8) = r1
        r1 = 42
        *(u64 *)(r10 -16) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        r3 = r10
        r3 += -16
        r4 = 0
        call bpf_map_update_elem
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        if r0 == 0x0 goto miss
        *(u64 *)(r11 -8) = r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit
miss:
        r0 = 99
        exit

.func f args=6
        r6 = *(u64 *)(r11 +8)
        r0 = *(u64 *)(r6 +0)
        r0 += r1
        exit
