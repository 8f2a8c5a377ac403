; a map pointer takes no arithmetic except += 0
.type sched_cls
.map array 4 8 1
        r1 = map[id:0] ll
        r1 += 0
        r1 += 8
        r0 = 0
        exit
