; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_shared_store
; description: "stack_arg: share a store for both branches"
; kernel annotations: SEC("tc") __success __retval(0)
.type sched_cls
        call bpf_get_prandom_u32
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -16) = 20
        if r0 > 0x0 goto l0
        *(u64 *)(r11 -8) = 10
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call subprog_7args
        goto l1
l0:
        *(u64 *)(r11 -8) = 30
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call subprog_7args
l1:
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
