; source: tools/testing/selftests/bpf/progs/stack_arg.c, test_bpf2bpf_mix_stack_args
; description: "scalars and stack pointers mixed in the stack arguments"
; kernel annotations: SEC("tc"); prog_tests/stack_arg.c expects retval 66 on pkt_v4
; p = { .x = 10 } at fp-16, q = { .y = 20 } at fp-32 of global_mix_stack_args.
.type sched_cls
.input 00000000000000000000000008000500007b000000000006000000000000000000000000000000000000000000005000000000007b00
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call global_mix_stack_args
        exit

.func global_mix_stack_args args=5 global
; return func_with_mix_stack_args(a, b, c, d, e, e + 1, e + 2, &p, e + 3, &q);
        *(u64 *)(r10 -16) = 10
        *(u64 *)(r10 -8) = 0
        *(u64 *)(r10 -32) = 0
        *(u64 *)(r10 -24) = 20
        r0 = r5
        r0 += 1
        *(u64 *)(r11 -8) = r0
        r0 = r5
        r0 += 2
        *(u64 *)(r11 -16) = r0
        r0 = r10
        r0 += -16
        *(u64 *)(r11 -24) = r0
        r0 = r5
        r0 += 3
        *(u64 *)(r11 -32) = r0
        r0 = r10
        r0 += -32
        *(u64 *)(r11 -40) = r0
        call func_with_mix_stack_args
        exit

.func func_with_mix_stack_args args=10
; static long func_with_mix_stack_args(long a, long b, long c, long d, long e, long f, long g,
;                                      struct test_data *p, long h, struct test_data *q)
; { return a + b + c + d + e + f + g + p->x + h + q->y; }
        r6 = *(u64 *)(r11 +8)
        r7 = *(u64 *)(r11 +16)
        r8 = *(u64 *)(r11 +24)
        r9 = *(u64 *)(r11 +32)
        r0 = *(u64 *)(r11 +40)
        r1 += r2
        r1 += r3
        r1 += r4
        r1 += r5
        r1 += r6
        r1 += r7
        r2 = *(u64 *)(r8 +0)
        r1 += r2
        r1 += r9
        r2 = *(u64 *)(r0 +8)
        r1 += r2
        r0 = r1
        exit
