; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_write_unused_slot
; description: "stack_arg: write unused stack arg slot"
; kernel annotations: SEC("tc") __failure __msg("func#0 writes 5 stack arg slots, but calls only require 2")
; Caught after the walk, when the verifier sizes each function's outgoing area.
.type sched_cls
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -40) = 99
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
