; bpf_skb_load_bytes into the stack of a 6-argument callee: one in-range load and one that fails
; (-EFAULT, the buffer zeroed); the callee folds both into its result
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r1 = r1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 30
        call f
        exit

.func f args=6
        r6 = *(u64 *)(r11 +8)
        r7 = r1
        r2 = r6
        r3 = r10
        r3 += -8
        r4 = 4
        call bpf_skb_load_bytes
        r8 = *(u32 *)(r10 -8)
        r1 = r7
        r2 = 1000
        r3 = r10
        r3 += -16
        r4 = 8
        call bpf_skb_load_bytes
        r9 = *(u64 *)(r10 -16)
        r0 = -r0
        r0 *= 1000
        r0 += r9
        r8 = be32 r8
        r0 += r8
        exit
