; A program touching every instruction class the 7.2 verifier walks (ALU, ALU64 incl. sdiv/smod,
; movsx, byte swaps; LD_IMM64; LDX incl. sign-extending; ST; STX incl. atomics, load-acquire,
; store-release; JMP/JMP32 incl. gotol; helper and bpf-to-bpf calls with stack arguments).
; booted-7.2.13-all-classes.txt holds what linux 7.2.13 printed for it at log level 2.
.type sched_cls
.map array 4 8 1
.func main args=1
    r6 = r1
    r1 = 0x1122334455667788
    r2 = 5 ll
    *(u64 *)(r10 -8) = r1
    *(u32 *)(r10 -12) = 7
    *(u16 *)(r10 -14) = r2
    *(u8 *)(r10 -15) = 1
    r3 = *(u64 *)(r10 -8)
    r4 = *(u32 *)(r10 -12)
    r4 = *(s16 *)(r10 -14)
    r4 = *(s8 *)(r10 -15)
    r5 = *(u8 *)(r10 -15)
    r3 = be16 r3
    r3 = le32 r3
    r3 = bswap64 r3
    w4 = w5
    w4 += 3
    w4 s/= 2
    r4 s%= 3
    r4 = (s8)r4
    w4 = (s16)w4
    r4 = (s32)r4
    r4 = -r4
    w4 = -w4
    r4 <<= 2
    r4 >>= 1
    r4 s>>= 1
    r4 *= r5
    r4 |= 1
    r4 &= 255
    r4 ^= r5
    r4 /= 3
    r4 %= 7
    r1 = 1
    lock *(u64 *)(r10 -8) += r1
    lock *(u64 *)(r10 -8) |= r1
    lock *(u64 *)(r10 -8) &= r1
    lock *(u64 *)(r10 -8) ^= r1
    r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)
    r1 = atomic64_fetch_or((u64 *)(r10 -8), r1)
    r1 = atomic64_xchg((u64 *)(r10 -8), r1)
    r0 = 0
    r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r1)
    w1 = 2
    lock *(u32 *)(r10 -12) += r1
    r1 = atomic_fetch_and((u32 *)(r10 -12), r1)
    r1 = load_acquire((u64 *)(r10 -8))
    store_release((u64 *)(r10 -8), r1)
    if w4 > 0x10 goto skip
    if r4 s< -2 goto skip
    if w4 != w5 goto skip2
skip2:
    goto skip
skip:
    gotol next
next:
    *(u32 *)(r10 -4) = 0
    r2 = r10
    r2 += -4
    r1 = map[id:0]
    call bpf_map_lookup_elem
    if r0 == 0x0 goto out
    r1 = *(u64 *)(r0 +0)
out:
    r1 = 1
    r2 = 2
    r3 = 3
    r4 = 4
    r5 = 5
    *(u64 *)(r11 -8) = 600
    r7 = 700
    *(u64 *)(r11 -16) = r7
    call f
    r0 &= 0xffff
    exit
.func f args=7
    r6 = *(u64 *)(r11 +8)
    r7 = *(u64 *)(r11 +16)
    r0 = r1
    r0 += r2
    r0 += r3
    r0 += r4
    r0 += r5
    r0 += r6
    r0 += r7
    exit
