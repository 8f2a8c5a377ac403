; bpf_sk_lookup_tcp with an IPv4 tuple (12 bytes); the socket is released after the NULL check.
; The guest has no sockets, so the lookup fails and f gets argument 6 = 1.
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
        r7 = 1
        if r0 == 0x0 goto miss
        r1 = r0
        call bpf_sk_release
        r7 = 2
miss:
        *(u64 *)(r11 -8) = r7
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit

.func f args=6
        r0 = *(u64 *)(r11 +8)
        r0 *= 10
        r0 += r5
        exit
