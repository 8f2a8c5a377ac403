; array lookup with a constant key below max_entries needs no NULL check; the callee writes through
; argument 7 and main reads the value back with a second lookup
.type sched_cls
.map array 4 8 2
        r1 = 1
        *(u32 *)(r10 -8) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        *(u64 *)(r11 -16) = r0
        call f
        r6 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        r0 = *(u64 *)(r0 +0)
        r0 += r6
        exit

.func f args=7
        r6 = *(u64 *)(r11 +8)
        r7 = *(u64 *)(r11 +16)
        r1 = 1000
        *(u64 *)(r7 +0) = r1
        r0 = r6
        exit
