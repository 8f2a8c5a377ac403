; main calls f(1, 2, 3, 4, 5, 600, 700); f returns the sum of its seven arguments.
; Arguments 6 and 7 travel through the r11 stack-argument area (Linux 7.2+).
; Expected: accepted with retval 1315 on 7.2; "R11 is invalid" on 6.12.
.func main args=1
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 600          ; outgoing argument 6
        *(u64 *)(r11 -16) = 700         ; outgoing argument 7
        call f
        exit

.func f args=7
        r6 = *(u64 *)(r11 +8)           ; incoming argument 6; r11 loads come before any call or r11 store
        r7 = *(u64 *)(r11 +16)          ; incoming argument 7
        r0 = r1
        r0 += r2
        r0 += r3
        r0 += r4
        r0 += r5
        r0 += r6
        r0 += r7
        exit
