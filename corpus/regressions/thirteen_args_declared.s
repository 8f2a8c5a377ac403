; f's BTF declares 13 arguments (any count a FUNC_PROTO carries is a legal input); main writes the
; 7 stack-argument slots there are. 7.2.13 refuses the call with the outgoing-slot check after
; btf_prepare_func_args's 'kernel supports at most 12 parameters' line; 6.12 refuses r11.
.type sched_cls
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
        call f
        exit

.func f args=13
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
