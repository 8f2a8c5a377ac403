; a lookup result compared with a map pointer (never NULL): on the equal branch it is not NULL either
.type sched_cls
.map hash 8 8 2
        r1 = 0
        *(u64 *)(r10 -8) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        r6 = r0
        r7 = map[id:0] ll
        if r6 == r7 goto out
        r0 = 0
        exit
out:    r0 = *(u64 *)(r6 +0)
        exit
