; source: tools/testing/selftests/bpf/progs/stack_arg_fail.c, r11_load_non_dw
; description: "r11 load with non-DW size"
; kernel annotations: SEC("socket") __failure __msg("R11 is invalid")
; Rejected before the walk (7.2: only the DW stack-argument forms may use r11).
.type socket_filter
        r0 = *(u32 *)(r11 +8)
        exit
