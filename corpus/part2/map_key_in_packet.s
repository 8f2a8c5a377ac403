; bpf_map_lookup_elem may read its key from the packet (pkt_access); the 4-byte key at offset 12 is
; the EtherType bytes and misses the empty hash
.type sched_cls
.input 000102030405060708090a0b08004500002800004000400611110a0000010a000002303900500000000000000000500220000000000000000000000000000000
.map hash 4 8 2
        r2 = *(u32 *)(r1 +76)
        r3 = *(u32 *)(r1 +80)
        r4 = r2
        r4 += 16
        if r4 > r3 goto out
        r2 += 12
        r1 = map[id:0] ll
        call bpf_map_lookup_elem
        if r0 == 0x0 goto miss
        r0 = 5
        exit
miss:
        r0 = 6
        exit
out:
        r0 = 1
        exit
