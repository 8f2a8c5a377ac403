; source: tools/testing/selftests/bpf/progs/stack_arg_fail.c, r11_alu_reject
; description: "r11 in ALU instruction"
; kernel annotations: SEC("socket") __failure __msg("R11 is invalid")
; Rejected before the walk (7.2: only the DW stack-argument forms may use r11).
.type socket_filter
        r11 += 1
        r0 = 0
        exit
