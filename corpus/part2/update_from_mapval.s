; the value of bpf_map_update_elem comes from another map's value
.type sched_cls
.map array 4 8 1
.map hash 4 8 2
        r1 = map[id:0][0]+0
        *(u64 *)(r1 +0) = 99
        r1 = 5
        *(u32 *)(r10 -8) = r1
        r1 = map[id:1] ll
        r2 = r10
        r2 += -8
        r3 = map[id:0][0]+0
        r4 = 0
        call bpf_map_update_elem
        r1 = map[id:1] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        if r0 == 0x0 goto out
        r0 = *(u64 *)(r0 +0)
        exit
out:    r0 = 1
        exit
