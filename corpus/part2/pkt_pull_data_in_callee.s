; main spills a checked packet pointer, calls a subprogram that calls bpf_skb_pull_data, then
; fills the spill: every packet pointer of every frame was invalidated by the helper
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
        r6 = r1
        r2 = *(u32 *)(r1 +76)
        r3 = *(u32 *)(r1 +80)
        r4 = r2
        r4 += 14
        if r4 > r3 goto out
        *(u64 *)(r10 -8) = r2
        r1 = r6
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        call f
        r1 = *(u64 *)(r10 -8)
        r0 = *(u8 *)(r1 +12)
        exit
out:
        r0 = 1
        exit

.func f args=6
        r6 = *(u64 *)(r11 +8)
        r2 = 0
        call bpf_skb_pull_data
        r0 += r6
        exit
