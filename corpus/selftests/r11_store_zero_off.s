; source: tools/testing/selftests/bpf/progs/stack_arg_fail.c, r11_store_zero_off
; description: "r11 store with zero offset"
; kernel annotations: SEC("socket") __failure __msg("R11 is invalid")
; Rejected before the walk (7.2: only the DW stack-argument forms may use r11).
.type socket_filter
        *(u64 *)(r11 +0) = r1
        r0 = 0
        exit
