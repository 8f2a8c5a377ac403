; data_meta checked against data: the test run has no metadata, so the check fails and 7 is returned
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r2 = *(u32 *)(r1 +140)
        r3 = *(u32 *)(r1 +76)
        r4 = r2
        r4 += 4
        if r4 > r3 goto out
        r0 = *(u32 *)(r2 +0)
        exit
out:    r0 = 7
        exit
