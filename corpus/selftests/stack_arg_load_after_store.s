; source: tools/testing/selftests/bpf/progs/verifier_stack_arg_order.c, stack_arg_load_after_store
; description: "stack_arg: r11 load after r11 store"
; kernel annotations: SEC("tc") __failure __msg("r11 load must be before any r11 store or call insn") __btf_func_path("btf__verifier_stack_arg_order.bpf.o")
; The kernel test takes the subprogram's BTF from a C object (int args, int return);
; bpfdiff's BTF declares 64-bit integer args and return, which this rule does not look at.
.type sched_cls
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = 6
        call subprog_bad_order_6args
        exit

.func subprog_bad_order_6args args=6
        *(u64 *)(r11 -8) = r1
        r0 = *(u64 *)(r11 +8)
        exit
