; bpf_skb_store_bytes writes the packet from a stack buffer filled by a 6-argument callee; main loads
; data/data_end again and reads the bytes back
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r6 = r1
        r1 = 0xa1b2c3d4 ll
        *(u64 *)(r11 -8) = r1
        r1 = r10
        r1 += -8
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        r1 = r6
        r2 = 30
        r3 = r10
        r3 += -8
        r4 = 4
        r5 = 0
        call bpf_skb_store_bytes
        r7 = r0
        r2 = *(u32 *)(r6 +76)
        r3 = *(u32 *)(r6 +80)
        r4 = r2
        r4 += 34
        if r4 > r3 goto out
        r0 = *(u32 *)(r2 +30)
        r0 += r7
        exit
out:
        r0 = 1
        exit

.func f args=6
        r6 = *(u64 *)(r11 +8)
        *(u32 *)(r1 +0) = r6
        r0 = 0
        exit
