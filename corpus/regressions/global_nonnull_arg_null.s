; found by: bpfdiff's global-pointer-argument cases (core/model/global-args.cases.ts), run on Debian's 6.12.117
; g's BTF tags its memory argument arg:nonnull (types=mem:8:nonnull), so g dereferences it without a
; NULL test. main passes NULL (r1 = 0). Linux 7.2.13 refuses the call in btf_check_func_arg_match
; ("R1 is expected to be non-NULL", then "Caller passes invalid args into func#1 ('g')"), since it
; checks bpf_register_is_null(reg) besides type_may_be_null(reg->type). 6.12.117 checks only the
; latter, accepts the program, and the test run oopses:
;   BUG: kernel NULL pointer dereference, address: 0000000000000000
.type xdp
.func main args=1
        r1 = 0
        call g
        exit
.func g args=1 global types=mem:8:nonnull
        r0 = *(u64 *)(r1 +0)
        exit
