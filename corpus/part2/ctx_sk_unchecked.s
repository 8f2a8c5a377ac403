; __sk_buff->sk may be NULL; the callee dereferences it as argument 6 without a check
.type sched_cls
        r2 = *(u64 *)(r1 +168)
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
        r0 = *(u32 *)(r1 +4)
        exit
