; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_read_uninitialized
; description: "stack_arg: read from uninitialized stack arg slot"
; kernel annotations: SEC("tc") __failure __msg("invalid read from stack arg off 8 depth 0")
; The main program has no stack arguments, so reading r11+8 reads past its incoming area.
.type sched_cls
        r0 = *(u64 *)(r11 +8)
        r0 = 0
        exit
