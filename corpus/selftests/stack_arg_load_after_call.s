; source: tools/testing/selftests/bpf/progs/verifier_stack_arg_order.c, stack_arg_load_after_call
; description: "stack_arg: r11 load after a call"
; kernel annotations: SEC("tc") __failure __msg("r11 load must be before any r11 store or call insn") __btf_func_path("btf__verifier_stack_arg_order.bpf.o")
.type sched_cls
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        call subprog_call_before_load_6args
        exit

.func subprog_call_before_load_6args args=6
        call bpf_get_prandom_u32
        r0 = *(u64 *)(r11 +8)
        exit
