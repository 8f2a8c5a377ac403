; a retval that depends on bpf_get_prandom_u32 in a callee: accepted, the value differs by run
.type sched_cls
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        call f
        exit

.func f args=6
        r6 = *(u64 *)(r11 +8)
        call bpf_get_prandom_u32
        r0 &= 0xff
        r0 += r6
        exit
