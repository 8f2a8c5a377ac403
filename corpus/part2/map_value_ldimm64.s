; a one-element array's value addressed directly (src 2) at offset 8; the callee stores through it
; and main reads it back with a lookup
.type sched_cls
.map array 4 16 1
        r1 = map[id:0][0]+8
        *(u64 *)(r11 -8) = r1
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        r1 = 0
        *(u32 *)(r10 -8) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        r0 = *(u64 *)(r0 +8)
        exit

.func f args=6
        r1 = *(u64 *)(r11 +8)
        r2 = 4242
        *(u64 *)(r1 +0) = r2
        r0 = 0
        exit
