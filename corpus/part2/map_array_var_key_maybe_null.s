; an array lookup with a key the verifier does not know may fail: the callee dereferences
; argument 6 without a NULL check
.type sched_cls
.map array 4 8 2
        r1 = *(u32 *)(r1 +0)
        *(u32 *)(r10 -4) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        *(u64 *)(r11 -8) = r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit

.func f args=6
        r1 = *(u64 *)(r11 +8)
        r0 = *(u64 *)(r1 +0)
        exit
