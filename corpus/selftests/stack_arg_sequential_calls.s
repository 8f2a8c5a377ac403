; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_sequential_calls
; description: "stack_arg: sequential calls reuse slots"
; kernel annotations: SEC("tc") __failure __msg("callee expects 7 args, stack arg1 is not initialized")
; Every call invalidates the caller's outgoing slots: the second call finds them empty.
.type sched_cls
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        *(u64 *)(r11 -16) = 7
        call subprog_7args
        r6 = r0
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call subprog_7args
        r0 += r6
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
