; A valid program 7.2.13 and 7.3-rc7 reject and 6.12.118 accepts (retval 7): after r8 = be64 r8 the
; verifier knows bits 0x6000000000 of r8 are set (7.x tracks the byte swap in the tnum; 6.12 leaves an
; unknown scalar). 'if r1 s> 6' and 'if r1 s< 0' leave no value on the fall-through path, but the
; verifier walks it anyway: the ranges and the tnum contradict each other, reg_bounds_sync turns the
; empty set into the constant 0x6000000000, and adding it to the map value pointer is refused
; ('math between map_value pointer and 412316860416 is not allowed'). Found as program 466 of
; 'bpfdiff gen --seed 11 --mutation-rate 0' (gen/5), where the model predicted the same reject.
.type sched_cls
.map array 4 8 1
.func main args=1
        r6 = *(u32 *)(r1 +0)
        r8 = r6
        r8 &= 0x1fffffff
        r8 |= 0x60000000
        r8 = be64 r8
        r7 = 0
        *(u32 *)(r10 -4) = r7
        r1 = map[id:0]
        r2 = r10
        r2 += -4
        call bpf_map_lookup_elem
        if r0 == 0 goto out
        r1 = r8
        if r1 s> 6 goto out
        if r1 s< 0 goto out
        r2 = r0
        r2 += r1
        r0 = *(u8 *)(r2 +0)
        exit
out:
        r0 = 7
        exit
