; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_two_subprogs
; description: "stack_arg: two subprogs with >5 args"
; kernel annotations: SEC("tc") __success __retval(90)
; subprog_6args and subprog_7args are the C functions written as assembly.
.type sched_cls
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 10
        call subprog_6args
        r6 = r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -16) = 30
        *(u64 *)(r11 -8) = 20
        call subprog_7args
        r0 += r6
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
