; arithmetic on a pointer that may still be NULL
.type sched_cls
.map hash 8 8 1
        r1 = 0
        *(u64 *)(r10 -8) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        r0 += 8
        r0 = 0
        exit
