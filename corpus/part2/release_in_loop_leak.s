; a loop acquires a socket twice and releases neither: 6.12 names the last reference, 7.3 the first
.type sched_cls
        r6 = r1
        r7 = 0
l:      r2 = 0
        *(u64 *)(r10 -16) = r2
        *(u32 *)(r10 -8) = r2
        r1 = r6
        r2 = r10
        r2 += -16
        r3 = 12
        r4 = 0
        r5 = 0
        call bpf_sk_lookup_tcp
        if r0 == 0x0 goto n
        r8 = r0
n:      r7 += 1
        if r7 < 2 goto l
        r0 = 0
        exit
