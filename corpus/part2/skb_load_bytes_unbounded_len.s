; a length from the packet's size is not bounded
.type sched_cls
        r6 = r1
        r4 = *(u32 *)(r1 +0)
        r4 <<= 32
        r4 s>>= 32
        r1 = r6
        r2 = 0
        r3 = r10
        r3 += -8
        call bpf_skb_load_bytes
        r0 = 0
        exit
