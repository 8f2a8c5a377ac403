; bpf_skb_load_bytes needs a non-zero length
.type sched_cls
        r2 = 0
        r3 = r10
        r3 += -8
        r4 = 0
        call bpf_skb_load_bytes
        r0 = 0
        exit
