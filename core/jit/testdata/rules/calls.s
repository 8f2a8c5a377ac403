; a helper call, subprogram calls with 6, 8 and 12 arguments (R9, the outgoing area at [rsp],
; incoming [rbp+16..]), callee-saved registers, stack in caller and callee
.func main args=1
        r6 = 1
        *(u64 *)(r10 -8) = r6
        call bpf_get_prandom_u32#7
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = r0
        call six
        r7 = r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        *(u64 *)(r11 -16) = 7
        *(u64 *)(r11 -24) = -8
        call eight
        r7 += r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        *(u64 *)(r11 -16) = 7
        *(u64 *)(r11 -24) = 8
        *(u64 *)(r11 -32) = 9
        *(u64 *)(r11 -40) = 10
        *(u64 *)(r11 -48) = 11
        *(u64 *)(r11 -56) = r6
        call twelve
        r0 += r7
        exit

.func six args=6
        r0 = *(u64 *)(r11 +8)
        r0 += r1
        exit

.func eight args=8
        r6 = *(u64 *)(r11 +8)
        r7 = *(u64 *)(r11 +16)
        r8 = *(u64 *)(r11 +24)
        *(u64 *)(r10 -16) = r8
        r0 = r6
        r0 += r7
        r0 += r8
        exit

.func twelve args=12
        r0 = *(u64 *)(r11 +56)
        r1 = *(u64 *)(r11 +48)
        r2 = *(u64 *)(r11 +16)
        r0 += r1
        r0 += r2
        exit
