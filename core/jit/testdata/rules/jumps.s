; conditional jumps: test against 0, imm8, imm32, registers, jset, 32-bit forms; short and long
; distances; a second exit jumps to the epilogue
        r2 = *(u32 *)(r1 +0)
        r3 = *(u32 *)(r1 +4)
        r0 = 0
        r4 = 0
        if r2 == 0 goto a
        r0 += 1
a:      if r2 > 0x10 goto b
        r0 += 2
b:      if r2 s< 0x12345 goto c
        r0 += 3
c:      if r2 & 0x4 goto d
        r0 += 4
d:      if w2 != w3 goto e
        r0 += 5
e:      if r3 s>= r2 goto far
        r0 += 6
        r4 += 1
        r0 *= 0x11111
        r0 *= 0x22222
        r0 *= 0x33333
        r0 *= 0x44444
        r0 *= 0x55555
        r0 *= 0x66666
        r0 *= 0x77777
        r0 *= 0x11111
        r0 *= 0x22222
        r0 *= 0x33333
        r0 *= 0x44444
        r0 *= 0x55555
        r0 *= 0x66666
        r0 *= 0x77777
        r0 *= 0x11111
        r0 *= 0x22222
        r0 *= 0x33333
        r0 *= 0x44444
        r0 *= 0x55555
        r0 *= 0x66666
        r0 *= 0x77777
        if w4 < 3 goto e
        goto out
far:    r0 += 7
        if r3 <= r2 goto out
        r0 = 1
        exit
out:    exit
