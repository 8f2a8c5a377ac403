; a privileged program may return an address; its low 32 bits differ by run
.type sched_cls
.map array 4 8 1
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 0
        call f
        exit

.func f args=6
        r0 = map[id:0][0]+0
        exit
