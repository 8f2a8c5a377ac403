; the callee reads past the 8-byte value it was passed as argument 6
.type sched_cls
.map hash 8 8 1
        r1 = 0
        *(u64 *)(r10 -8) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        if r0 == 0x0 goto out
        *(u64 *)(r11 -8) = r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
out:
        r0 = 0
        exit

.func f args=6
        r1 = *(u64 *)(r11 +8)
        r0 = *(u64 *)(r1 +8)
        exit
