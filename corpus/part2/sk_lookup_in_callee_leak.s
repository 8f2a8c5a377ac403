; the lookup happens in a subprogram that returns the socket; main checks it and exits holding it
.type sched_cls
        r1 = r1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        call f
        if r0 == 0x0 goto miss
        r0 = 1
        exit
miss:
        r0 = 0
        exit

.func f args=6
        r6 = *(u64 *)(r11 +8)
        r2 = 0
        *(u64 *)(r10 -16) = r2
        *(u32 *)(r10 -8) = r2
        r2 = r10
        r2 += -16
        r3 = 12
        r4 = 0
        r5 = 0
        call bpf_sk_lookup_udp
        exit
