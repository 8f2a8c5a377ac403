; source: tools/testing/selftests/bpf/progs/stack_arg.c, test_global_many_args
; description: "global function calling a static function with 10 args"
; kernel annotations: SEC("tc"); prog_tests/stack_arg.c expects retval 55 on pkt_v4
; The C functions are written as assembly; the input is the selftests' pkt_v4 (54 bytes).
.type sched_cls
.input 00000000000000000000000008000500007b000000000006000000000000000000000000000000000000000000005000000000007b00
        r1 = 1
        r2 = 2
        r3 = 3
        call global_calls_many_args
        exit

.func global_calls_many_args args=3 global
; int global_calls_many_args(int a, int b, int c)
; { return static_func_many_args(a, b, c, a + 3, a + 4, a + 5, a + 6, a + 7, a + 8, a + 9); }
        r4 = r1
        r4 += 3
        r5 = r1
        r5 += 4
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
        r0 = r1
        r0 += 9
        *(u64 *)(r11 -40) = r0
        call static_func_many_args
        exit

.func static_func_many_args args=10
; static int static_func_many_args(int a, ..., int j) { return a + b + ... + j; }
        r6 = *(u64 *)(r11 +8)
        r7 = *(u64 *)(r11 +16)
        r8 = *(u64 *)(r11 +24)
        r9 = *(u64 *)(r11 +32)
        w0 = w1
        w0 += w2
        w0 += w3
        w0 += w4
        w0 += w5
        w0 += w6
        w0 += w7
        w0 += w8
        w0 += w9
        r1 = *(u64 *)(r11 +40)
        w0 += w1
        exit
