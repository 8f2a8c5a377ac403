; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_release_ref
; description: "stack_arg: release_reference invalidates stack arg slot"
; kernel annotations: SEC("tc") __failure __msg("callee expects 6 args, stack arg1 is not initialized")
; Uses socket references (bpf_sk_lookup_tcp / bpf_sk_release). Releasing turns every copy of the socket
; into an unknown scalar (root), and the helper call leaves every outgoing r11 slot uninitialised.
; 36 = sizeof(struct bpf_sock_tuple).
.type sched_cls
        r6 = r1
        r2 = 0
        *(u32 *)(r10 -8) = r2
        *(u64 *)(r10 -16) = r2
        *(u64 *)(r10 -24) = r2
        *(u64 *)(r10 -32) = r2
        *(u64 *)(r10 -40) = r2
        *(u64 *)(r10 -48) = r2
        r1 = r6
        r2 = r10
        r2 += -48
        r3 = 36
        r4 = 0
        r5 = 0
        call bpf_sk_lookup_tcp
        if r0 == 0x0 goto l0
        *(u64 *)(r11 -8) = r0
        r1 = r0
        call bpf_sk_release
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
