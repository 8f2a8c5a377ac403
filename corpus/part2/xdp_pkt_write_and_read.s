; xdp: a checked pointer passed as argument 6; the callee writes a byte and main reads it back
.type xdp
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r2 = *(u32 *)(r1 +0)
        r3 = *(u32 *)(r1 +4)
        r6 = r2
        r4 = r2
        r4 += 16
        if r4 > r3 goto out
        *(u64 *)(r11 -8) = r2
        r1 = 10
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        r1 = *(u8 *)(r6 +15)
        r0 += r1
        exit
out:
        r0 = 1
        exit

.func f args=6
        r6 = *(u64 *)(r11 +8)
        *(u8 *)(r6 +15) = r1
        r0 = *(u8 *)(r6 +14)
        exit
