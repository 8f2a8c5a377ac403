; xdp: bpf_sk_lookup_udp with an IPv6 tuple (36 bytes) and flags 1 finds nothing
.type xdp
        r2 = 0
        *(u64 *)(r10 -40) = r2
        *(u64 *)(r10 -32) = r2
        *(u64 *)(r10 -24) = r2
        *(u64 *)(r10 -16) = r2
        *(u64 *)(r10 -8) = r2
        r2 = r10
        r2 += -40
        r3 = 36
        r4 = 0
        r5 = 1
        call bpf_sk_lookup_udp
        if r0 == 0x0 goto out
        r1 = r0
        call bpf_sk_release
        r0 = 1
        exit
out:    r0 = 2
        exit
