; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_pruning_type_mismatch
; description: "stack_arg: pruning with different stack arg types"
; kernel annotations: SEC("tc") __failure __log_level(2) __flag(BPF_F_TEST_STATE_FREQ) __msg("R{{[0-9]}} invalid mem access 'scalar'")
; One path passes a stack pointer as argument 6, the other the scalar 42; pruning must not
; merge them, so the scalar path reaches the dereference. bpfdiff loads without
; BPF_F_TEST_STATE_FREQ: both paths are still explored, and the log's JOIN lines
; (log level 2) are not compared. subprog_deref_arg6 dereferences through r1.
.type sched_cls
        call bpf_get_prandom_u32
        r6 = r0
        r7 = 0
        *(u64 *)(r10 -8) = r7
        if r6 s> 0x3 goto l0
        r1 = r10
        r1 += -8
        *(u64 *)(r11 -8) = r1
        goto l1
l0:
        *(u64 *)(r11 -8) = 42
l1:
        r1 = r6
        r2 = 0
        r3 = 0
        r4 = 0
        r5 = 0
        call subprog_deref_arg6
        exit

.func subprog_deref_arg6 args=6
; static long subprog_deref_arg6(long a, long b, long c, long d, long e, long *f) { return *f; }
        r1 = *(u64 *)(r11 +8)
        r0 = *(u64 *)(r1 +0)
        exit
