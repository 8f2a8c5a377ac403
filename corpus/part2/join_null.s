; one path brings a map value, the other a zero: after the join the dereference is refused on the zero path
.type sched_cls
.map array 4 8 1
        call bpf_get_prandom_u32
        if r0 > 100 goto b
        r0 = map[id:0][0]+0
        goto j
b:      r0 = 0
j:      r0 = *(u64 *)(r0 +0)
        exit
