; 14 bytes are checked, the callee reads 4 bytes at offset 12
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r2 = *(u32 *)(r1 +76)
        r3 = *(u32 *)(r1 +80)
        r4 = r2
        r4 += 14
        if r4 > r3 goto out
        *(u64 *)(r11 -8) = r2
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit
out:
        r0 = 1
        exit

.func f args=6
        r1 = *(u64 *)(r11 +8)
        r0 = *(u32 *)(r1 +12)
        exit
