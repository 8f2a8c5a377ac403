; source: tools/testing/selftests/bpf/progs/stack_arg_fail.c, r11_load_negative_off
; description: "r11 load with negative offset"
; kernel annotations: SEC("socket") __failure __msg("R11 is invalid")
; Rejected before the walk (7.2: only the DW stack-argument forms may use r11).
.type socket_filter
        r0 = *(u64 *)(r11 -8)
        exit
