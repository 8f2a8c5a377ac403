; atomics on the stack: lock ops, fetch ops, xchg, cmpxchg, the cmpxchg loop of fetch_and/or/xor
        r1 = 3
        *(u64 *)(r10 -8) = r1
        *(u32 *)(r10 -16) = r1
        r2 = 5
        lock *(u64 *)(r10 -8) += r2
        lock *(u32 *)(r10 -16) |= r2
        lock *(u64 *)(r10 -8) &= r2
        lock *(u32 *)(r10 -16) ^= r2
        r2 = atomic64_fetch_add((u64 *)(r10 -8), r2)
        r3 = 9
        r3 = atomic64_xchg((u64 *)(r10 -8), r3)
        r0 = 9
        r4 = 1
        r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r4)
        r5 = 6
        r5 = atomic64_fetch_and((u64 *)(r10 -8), r5)
        r6 = 6
        r6 = atomic_fetch_or((u32 *)(r10 -16), r6)
        r0 = 4
        r0 = atomic64_fetch_xor((u64 *)(r10 -8), r0)
        r0 += r2
        r0 += r3
        r0 += r5
        r0 += r6
        exit
