; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_stale_pkt_ptr
; description: "stack_arg: pkt pointer in stack arg slot invalidated after pull_data"
; kernel annotations: SEC("tc") __failure __msg("callee expects 6 args, stack arg1 is not initialized")
; Uses packet pointers and bpf_skb_pull_data, which invalidates every packet pointer; the helper call
; also leaves every outgoing r11 slot uninitialised, which is what the reason line reports.
; 76 and 80 are offsetof(struct __sk_buff, data) and (data_end).
.type sched_cls
        r6 = r1
        r7 = *(u32 *)(r6 +76)
        r8 = *(u32 *)(r6 +80)
        r0 = r7
        r0 += 8
        if r0 > r8 goto l0
        *(u64 *)(r11 -8) = r7
        r1 = r6
        r2 = 0
        call bpf_skb_pull_data
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        call subprog_deref_arg6
l0:
        r0 = 0
        exit

.func subprog_deref_arg6 args=6
; static long subprog_deref_arg6(long a, long b, long c, long d, long e, long *f) { return *f; }
        r1 = *(u64 *)(r11 +8)
        r0 = *(u64 *)(r1 +0)
        exit
