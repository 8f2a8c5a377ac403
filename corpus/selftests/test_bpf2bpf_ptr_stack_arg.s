; source: tools/testing/selftests/bpf/progs/stack_arg.c, test_bpf2bpf_ptr_stack_arg
; description: "a stack pointer as the 10th argument"
; kernel annotations: SEC("tc"); prog_tests/stack_arg.c expects retval 75 on pkt_v4
; struct test_data { long x; long y; } lives on global_ptr_stack_arg's stack at fp-16.
.type sched_cls
.input 00000000000000000000000008000500007b000000000006000000000000000000000000000000000000000000005000000000007b00
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call global_ptr_stack_arg
        exit

.func global_ptr_stack_arg args=5 global
; long global_ptr_stack_arg(long a, long b, long c, long d, long e)
; { struct test_data data = { .x = 10, .y = 20 };
;   return func_with_ptr_stack_arg(a, b, c, d, e, a + 5, a + 6, a + 7, a + 8, &data); }
        *(u64 *)(r10 -16) = 10
        *(u64 *)(r10 -8) = 20
        r0 = r1
        r0 += 5
        *(u64 *)(r11 -8) = r0
        r0 = r1
        r0 += 6
        *(u64 *)(r11 -16) = r0
        r0 = r1
        r0 += 7
        *(u64 *)(r11 -24) = r0
        r0 = r1
        r0 += 8
        *(u64 *)(r11 -32) = r0
        r0 = r10
        r0 += -16
        *(u64 *)(r11 -40) = r0
        call func_with_ptr_stack_arg
        exit

.func func_with_ptr_stack_arg args=10
; return a + b + c + d + e + f + g + h + i + p->x + p->y;
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
        r1 += r8
        r1 += r9
        r2 = *(u64 *)(r0 +0)
        r1 += r2
        r2 = *(u64 *)(r0 +8)
        r1 += r2
        r0 = r1
        exit
