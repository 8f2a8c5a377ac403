; errno results of map helpers folded into the retval by a 7-argument function:
; BPF_NOEXIST on an existing key (-EEXIST), deleting a missing key (-ENOENT), bad flags (-EINVAL)
.type sched_cls
.map hash 8 8 4
        r1 = 7
        *(u64 *)(r10 -8) = r1
        *(u64 *)(r10 -16) = r1
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        r3 = r10
        r3 += -16
        r4 = 0
        call bpf_map_update_elem
        r6 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        r3 = r10
        r3 += -16
        r4 = 1
        call bpf_map_update_elem
        r7 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_delete_elem
        r8 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        call bpf_map_delete_elem
        r9 = r0
        r1 = map[id:0] ll
        r2 = r10
        r2 += -8
        r3 = r10
        r3 += -16
        r4 = 8
        call bpf_map_update_elem
        *(u64 *)(r11 -8) = r9
        *(u64 *)(r11 -16) = r0
        r1 = r6
        r2 = r7
        r3 = r8
        r4 = 0
        r5 = 0
        call f
        exit

.func f args=7
        r6 = *(u64 *)(r11 +8)
        r7 = *(u64 *)(r11 +16)
        r0 = 0
        r0 -= r1
        r0 *= 10
        r0 -= r2
        r0 *= 100
        r0 -= r3
        r0 *= 100
        r0 -= r6
        r0 *= 100
        r0 -= r7
        exit
