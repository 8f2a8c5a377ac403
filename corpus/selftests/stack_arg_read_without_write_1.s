; source: tools/testing/selftests/bpf/progs/verifier_stack_arg_order.c, stack_arg_read_without_write_1
; description: "stack_arg: read without caller write"
; kernel annotations: SEC("tc") __failure __msg("callee expects 7 args, stack arg1 is not initialized") __btf_func_path("btf__verifier_stack_arg_order.bpf.o")
.type sched_cls
        r1 = 0
        r2 = 0
        r3 = 0
        r4 = 0
        r5 = 0
        call subprog_bad_ptr_7args
        exit

.func subprog_bad_ptr_7args args=7
; void subprog_bad_ptr_7args(long *a, int b, int c, int d, int e, int f, int g)
        r0 = *(u64 *)(r11 +8)
        r1 = *(u64 *)(r11 +16)
        exit
