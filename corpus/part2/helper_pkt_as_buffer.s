; bpf_skb_load_bytes may not write into the packet (its prototype has no pkt_access)
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r6 = r1
        r2 = *(u32 *)(r1 +76)
        r3 = *(u32 *)(r1 +80)
        r4 = r2
        r4 += 8
        if r4 > r3 goto out
        r1 = r6
        r3 = r2
        r2 = 0
        r4 = 4
        call bpf_skb_load_bytes
out:
        r0 = 0
        exit
