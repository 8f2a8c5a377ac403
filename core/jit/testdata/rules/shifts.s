; shifts: by 1, by an immediate, by a register (rcx as count, rcx as destination, others)
        r2 = *(u32 *)(r1 +0)
        r3 = *(u32 *)(r1 +4)
        r4 = *(u32 *)(r1 +8)
        r7 = 3
        r0 = r2
        r0 <<= 1
        r0 >>= 3
        r0 s>>= 2
        w0 <<= 5
        r0 <<= r3
        w0 >>= w3
        r7 s>>= r3
        r0 <<= r4
        r4 >>= r3
        r4 s>>= r2
        r0 += r4
        r0 += r7
        exit
