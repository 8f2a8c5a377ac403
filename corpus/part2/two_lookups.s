; two lookups of the same key are two pointers: the NULL check of the first says nothing about the second
.type sched_cls
.map hash 8 8 2
        r1 = 0
        *(u64 *)(r10 -8) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        r6 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        if r6 == 0x0 goto out
        r0 = *(u64 *)(r0 +0)
out:    r0 = 0
        exit
