; the verifier knows bpf_get_smp_processor_id() is below nr_cpu_ids (2 on bpfdiff's guests, whose
; agent runs on CPU 1): the branch that would dereference a number is dead
.type sched_cls
        call bpf_get_smp_processor_id
        if r0 > 0x1 goto bad
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
