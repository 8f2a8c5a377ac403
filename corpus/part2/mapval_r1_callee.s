; a map value in r1 and in the last of seven stack-argument slots of a 12-argument function
.type sched_cls
.map array 4 8 1
        r1 = map[id:0][0]+0
        *(u64 *)(r1 +0) = 21
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        *(u64 *)(r11 -16) = 7
        *(u64 *)(r11 -24) = 8
        *(u64 *)(r11 -32) = 9
        *(u64 *)(r11 -40) = 10
        *(u64 *)(r11 -48) = 11
        r6 = map[id:0][0]+0
        *(u64 *)(r11 -56) = r6
        call f
        exit
.func f args=12
        r6 = *(u64 *)(r11 +56)
        r0 = *(u64 *)(r1 +0)
        r7 = *(u64 *)(r6 +0)
        r0 += r7
        r0 += r5
        exit
