; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_write_beyond_max
; description: "stack_arg: write beyond max outgoing depth"
; kernel annotations: SEC("tc") __failure __msg("stack arg write offset -80 exceeds max 7 stack args")
.type sched_cls
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -80) = 99
        *(u64 *)(r11 -16) = 20
        *(u64 *)(r11 -8) = 10
        call subprog_7args
        r0 = 0
        exit

.func subprog_7args args=7
; static int subprog_7args(int a, int b, int c, int d, int e, int f, int g) { return a + b + c + d + e + f + g; }
        r6 = *(u64 *)(r11 +8)
        r7 = *(u64 *)(r11 +16)
        w0 = w1
        w0 += w2
        w0 += w3
        w0 += w4
        w0 += w5
        w0 += w6
        w0 += w7
        exit
