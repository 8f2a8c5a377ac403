; found by: bpfdiff fuzz --kernel 7.2 --kernel 6.12 --count 10000 --seed 1 (mutation too-deep, 1,334 insns), written small by hand
; A chain of 17 frames (main, f1..f16) that passes a pointer to main's stack down every call.
; 7.2.13's static stack liveness pass (bpf_compute_subprog_arg_access) follows calls that receive
; frame-pointer arguments and gives up with -EINVAL and no log line at depth 16, before the
; verifier walk that would say "the call stack of 17 frames is too deep".
.type sched_cls
.func main args=1
        r1 = r10
        r1 += -8
        call f1
        r0 = 0
        exit
.func f1 args=1
        call f2
        exit
.func f2 args=1
        call f3
        exit
.func f3 args=1
        call f4
        exit
.func f4 args=1
        call f5
        exit
.func f5 args=1
        call f6
        exit
.func f6 args=1
        call f7
        exit
.func f7 args=1
        call f8
        exit
.func f8 args=1
        call f9
        exit
.func f9 args=1
        call f10
        exit
.func f10 args=1
        call f11
        exit
.func f11 args=1
        call f12
        exit
.func f12 args=1
        call f13
        exit
.func f13 args=1
        call f14
        exit
.func f14 args=1
        call f15
        exit
.func f15 args=1
        call f16
        exit
.func f16 args=1
        r0 = 0
        exit
