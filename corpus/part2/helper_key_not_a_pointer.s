; the key argument of bpf_map_lookup_elem is a number
.type sched_cls
.map hash 8 8 1
        r1 = map[id:0] ll
        r2 = 8
        call bpf_map_lookup_elem
        r0 = 0
        exit
