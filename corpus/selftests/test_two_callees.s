; source: tools/testing/selftests/bpf/progs/stack_arg.c, test_two_callees
; description: "one function calling a 10-arg and a 12-arg function"
; kernel annotations: SEC("tc"); prog_tests/stack_arg.c expects retval 133 on pkt_v4
; foo1(1..10) + foo2(1..12) = 55 + 78. The second call stores all seven slots again.
.type sched_cls
.input 00000000000000000000000008000500007b000000000006000000000000000000000000000000000000000000005000000000007b00
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call global_two_callees
        exit

.func global_two_callees args=5 global
        r6 = r1
        r7 = r2
        r8 = r3
        r9 = r4
        *(u64 *)(r10 -8) = r5
        r0 = r6
        r0 += 5
        *(u64 *)(r11 -8) = r0
        r0 = r6
        r0 += 6
        *(u64 *)(r11 -16) = r0
        r0 = r6
        r0 += 7
        *(u64 *)(r11 -24) = r0
        r0 = r6
        r0 += 8
        *(u64 *)(r11 -32) = r0
        r0 = r6
        r0 += 9
        *(u64 *)(r11 -40) = r0
        call foo1
        *(u64 *)(r10 -16) = r0
        r1 = r6
        r2 = r7
        r3 = r8
        r4 = r9
        r5 = *(u64 *)(r10 -8)
        r0 = r6
        r0 += 5
        *(u64 *)(r11 -8) = r0
        r0 = r6
        r0 += 6
        *(u64 *)(r11 -16) = r0
        r0 = r6
        r0 += 7
        *(u64 *)(r11 -24) = r0
        r0 = r6
        r0 += 8
        *(u64 *)(r11 -32) = r0
        r0 = r6
        r0 += 9
        *(u64 *)(r11 -40) = r0
        r0 = r6
        r0 += 10
        *(u64 *)(r11 -48) = r0
        r0 = r6
        r0 += 11
        *(u64 *)(r11 -56) = r0
        call foo2
        r1 = *(u64 *)(r10 -16)
        w0 += w1
        exit

.func foo1 args=10
; static int foo1(int a, ..., int j) { return a + ... + j; }
        w0 = w1
        w0 += w2
        w0 += w3
        w0 += w4
        w0 += w5
        r1 = *(u64 *)(r11 +8)
        w0 += w1
        r1 = *(u64 *)(r11 +16)
        w0 += w1
        r1 = *(u64 *)(r11 +24)
        w0 += w1
        r1 = *(u64 *)(r11 +32)
        w0 += w1
        r1 = *(u64 *)(r11 +40)
        w0 += w1
        exit

.func foo2 args=12
; static int foo2(int a, ..., int l) { return a + ... + l; }
        w0 = w1
        w0 += w2
        w0 += w3
        w0 += w4
        w0 += w5
        r1 = *(u64 *)(r11 +8)
        w0 += w1
        r1 = *(u64 *)(r11 +16)
        w0 += w1
        r1 = *(u64 *)(r11 +24)
        w0 += w1
        r1 = *(u64 *)(r11 +32)
        w0 += w1
        r1 = *(u64 *)(r11 +40)
        w0 += w1
        r1 = *(u64 *)(r11 +48)
        w0 += w1
        r1 = *(u64 *)(r11 +56)
        w0 += w1
        exit
