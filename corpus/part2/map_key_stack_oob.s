; an 8-byte key at fp-4 would reach above the frame
.type sched_cls
.map hash 8 8 1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        r0 = 0
        exit
