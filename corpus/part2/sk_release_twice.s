; a released socket cannot be released again through a copy
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
        r7 = r0
        r1 = r0
        call bpf_sk_release
        r1 = r7
        call bpf_sk_release
miss:
        r0 = 0
        exit
