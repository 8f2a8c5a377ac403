; the socket found by bpf_sk_lookup_tcp is never released
.type sched_cls
        r6 = r1
        r2 = 0
        *(u64 *)(r10 -16) = r2
        *(u32 *)(r10 -8) = r2
        r1 = r6
        r2 = r10
        r2 += -16
        r3 = 12
        r4 = 0
        r5 = 0
        call bpf_sk_lookup_tcp
        if r0 == 0x0 goto miss
        *(u64 *)(r11 -8) = r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
miss:
        r0 = 0
        exit

.func f args=6
        r1 = *(u64 *)(r11 +8)
        r0 = *(u32 *)(r1 +4)
        exit
