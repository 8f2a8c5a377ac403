; source: tools/testing/selftests/bpf/progs/verifier_stack_arg_order.c, stack_arg_read_without_write_2
; description: "stack_arg: read with not-initialized caller write"
; kernel annotations: SEC("tc") __failure __msg("R0 !read_ok") __btf_func_path("btf__verifier_stack_arg_order.bpf.o")
; NOT the annotated outcome. In the kernel test the subprogram's BTF has a 'long *' first
; argument and a void return: btf_check_subprog_call marks it unreliable at the first
; call, so the second call skips check_outgoing_stack_args and the verifier stops at the
; exit reading the void call's R0. bpfdiff's BTF declares 64-bit integer args and return,
; so the subprogram stays reliable and the second call is checked:
; expected "callee expects 7 args, stack arg1 is not initialized" (see expected.json).
.type sched_cls
        r1 = 0
        r2 = 0
        r3 = 0
        r4 = 0
        r5 = 0
        *(u64 *)(r11 -8) = 0
        *(u64 *)(r11 -16) = 0
        call subprog_bad_ptr_7args
        call subprog_bad_ptr_7args
        exit

.func subprog_bad_ptr_7args args=7
; void subprog_bad_ptr_7args(long *a, int b, int c, int d, int e, int f, int g)
        r0 = *(u64 *)(r11 +8)
        r1 = *(u64 *)(r11 +16)
        exit
