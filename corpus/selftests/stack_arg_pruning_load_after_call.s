; source: tools/testing/selftests/bpf/progs/verifier_stack_arg_order.c, stack_arg_pruning_load_after_call
; description: "stack_arg: pruning keeps r11 load ordering"
; kernel annotations: SEC("tc") __failure __flag(BPF_F_TEST_STATE_FREQ) __msg("r11 load must be before any r11 store or call insn") __btf_func_path("btf__verifier_stack_arg_order.bpf.o")
; bpfdiff loads without BPF_F_TEST_STATE_FREQ; the path through the call still reaches
; the load with a call behind it, and pruning at l1 must not hide that.
.type sched_cls
        call bpf_get_prandom_u32
        r1 = r0
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        call subprog_pruning_call_before_load_6args
        exit

.func subprog_pruning_call_before_load_6args args=6
        if r1 s> 0x0 goto l0
        goto l1
l0:
        call bpf_get_prandom_u32
l1:
        r0 = *(u64 *)(r11 +8)
        exit
