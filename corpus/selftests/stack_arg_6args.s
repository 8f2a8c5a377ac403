; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_6args
; description: "stack_arg: subprog with 6 args"
; kernel annotations: SEC("tc") __success __retval(21)
; subprog_6args is the C function written as assembly (int arithmetic in w registers).
.type sched_cls
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        call subprog_6args
        exit

.func subprog_6args args=6
; static int subprog_6args(int a, int b, int c, int d, int e, int f) { return a + b + c + d + e + f; }
        w0 = w1
        w0 += w2
        w0 += w3
        w0 += w4
        w0 += w5
        r1 = *(u64 *)(r11 +8)
        w0 += w1
        exit
