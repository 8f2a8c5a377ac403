; the NULL check on a copy (r6) also covers a spill of r0 and the r11 slot it was stored to
.type sched_cls
.map array 4 8 1
        r1 = *(u32 *)(r1 +0)
        *(u32 *)(r10 -4) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        *(u64 *)(r10 -16) = r0
        *(u64 *)(r11 -8) = r0
        r6 = r0
        if r6 == 0x0 goto miss
        r7 = *(u64 *)(r10 -16)
        r1 = 5
        *(u64 *)(r7 +0) = r1
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit
miss:
        r0 = 77
        exit

.func f args=6
        r1 = *(u64 *)(r11 +8)
        r0 = *(u64 *)(r1 +0)
        r0 += r5
        exit
