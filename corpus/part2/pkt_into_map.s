; a packet pointer stored in a map value reads back as a number (root may store pointers)
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
.map array 4 8 1
        r2 = *(u32 *)(r1 +76)
        r1 = map[id:0][0]+0
        *(u64 *)(r1 +0) = r2
        r3 = *(u64 *)(r1 +0)
        r0 = *(u8 *)(r3 +0)
        exit
