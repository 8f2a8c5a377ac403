; main passes a 13th argument: eight stack-argument stores, the last at r11 -64.
; At most 7 stack arguments exist (12 in all), so f is declared with the 12 a function
; may have and the store of argument 13 is what the verifier refuses.
; Expected on 7.2: reject, "stack arg write offset -64 exceeds max 7 stack args".
.func main args=1
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
        *(u64 *)(r11 -56) = 12
        *(u64 *)(r11 -64) = 13          ; slot 8: beyond the 7-slot area
        call f
        exit

.func f args=12
        r0 = *(u64 *)(r11 +8)
        r6 = *(u64 *)(r11 +16)
        r7 = *(u64 *)(r11 +24)
        r8 = *(u64 *)(r11 +32)
        r9 = *(u64 *)(r11 +40)
        r0 += r6
        r0 += r7
        r0 += r8
        r0 += r9
        r6 = *(u64 *)(r11 +48)
        r7 = *(u64 *)(r11 +56)
        r0 += r6
        r0 += r7
        r0 += r1
        r0 += r2
        r0 += r3
        r0 += r4
        r0 += r5
        exit
