; on a one-CPU guest the verifier knows bpf_get_smp_processor_id() returns 0: the branch that would
; dereference a number is dead
.type sched_cls
        call bpf_get_smp_processor_id
        if r0 != 0x0 goto bad
        *(u64 *)(r11 -8) = r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit
bad:
        r0 = *(u64 *)(r0 +0)
        exit

.func f args=6
        r0 = *(u64 *)(r11 +8)
        r0 += r1
        exit
