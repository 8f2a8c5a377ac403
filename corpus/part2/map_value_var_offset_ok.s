; a variable offset below 8 into an 8-byte value, applied in the callee to argument 6
.type sched_cls
.map array 4 8 1
        r6 = *(u32 *)(r1 +0)
        r1 = 0
        *(u32 *)(r10 -8) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        r1 = 0x1122334455667788 ll
        *(u64 *)(r0 +0) = r1
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
        r1 &= 7
        r2 += r1
        r0 = *(u8 *)(r2 +0)
        exit
