; 32-bit arithmetic on a map value pointer
.type sched_cls
.map array 4 8 1
        r1 = map[id:0][0]+0
        w1 += 4
        r0 = 0
        exit
