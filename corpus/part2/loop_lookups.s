; a bounded loop looks up keys 0..5 of a 4-element array: the constant keys below 4 need no NULL check
; (they get one anyway), the lookups past the end return NULL; each hit adds the key to its value
.type sched_cls
.map array 4 8 4
        r6 = 0
        r7 = 0
l:      *(u32 *)(r10 -8) = r6
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_lookup_elem
        if r0 == 0x0 goto n
        r1 = *(u64 *)(r0 +0)
        r1 += r6
        *(u64 *)(r0 +0) = r1
        r7 += r1
n:      r6 += 1
        if r6 < 6 goto l
        r0 = r7
        exit
