; comparing two packet pointers (not pkt_end) gives no range
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r2 = *(u32 *)(r1 +76)
        r4 = r2
        r4 += 8
        if r2 > r4 goto out
        r0 = *(u8 *)(r2 +0)
        exit
out:    r0 = 0
        exit
