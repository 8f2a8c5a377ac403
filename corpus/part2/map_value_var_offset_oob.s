; the same with an offset up to 15: the largest one reads past the value
.type sched_cls
.map array 4 8 1
        r6 = *(u32 *)(r1 +0)
        r1 = 0
        *(u32 *)(r10 -8) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        *(u64 *)(r11 -8) = r0
        r1 = r6
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit

.func f args=6
        r2 = *(u64 *)(r11 +8)
        r1 &= 15
        r2 += r1
        r0 = *(u8 *)(r2 +0)
        exit
