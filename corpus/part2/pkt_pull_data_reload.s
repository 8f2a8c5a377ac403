; after bpf_skb_pull_data the program loads data/data_end again and checks them again:
; the callee gets a fresh pointer in argument 7 and sums two packet bytes
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r6 = r1
        r2 = 0
        call bpf_skb_pull_data
        r7 = r0
        r2 = *(u32 *)(r6 +76)
        r3 = *(u32 *)(r6 +80)
        r4 = r2
        r4 += 20
        if r4 > r3 goto out
        *(u64 *)(r11 -8) = r7
        *(u64 *)(r11 -16) = r2
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call f
        exit
out:
        r0 = 1
        exit

.func f args=7
        r6 = *(u64 *)(r11 +8)
        r7 = *(u64 *)(r11 +16)
        r0 = *(u8 *)(r7 +14)
        r1 = *(u8 *)(r7 +19)
        r0 += r1
        r0 += r6
        exit
