; a packet pointer never compared with data_end has no range: the callee's read is refused
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r2 = *(u32 *)(r1 +76)
        *(u64 *)(r11 -8) = r2
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit

.func f args=6
        r1 = *(u64 *)(r11 +8)
        r0 = *(u8 *)(r1 +0)
        exit
