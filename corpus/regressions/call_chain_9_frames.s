; found by: bpfdiff fuzz --kernel 7.2 --count 300 --seed 2 (mutation too-deep), reduced by bpfdiff reduce
; A chain of 9 frames (main, f1..f8). MAX_CALL_FRAMES is 16 in Linux 7.2 (8 in 6.12): 7.2.13
; accepts it, 6.12 rejects it. The model had 8 for every profile until this finding.
.type sched_cls
.func main args=1
        call f1
        exit
.func f1 args=5
        call f2
        exit
.func f2 args=5
        call f3
        exit
.func f3 args=5
        call f4
        exit
.func f4 args=5
        call f5
        exit
.func f5 args=5
        call f6
        exit
.func f6 args=5
        call f7
        exit
.func f7 args=5
        call f8
        exit
.func f8 args=1
        r0 = 0
        exit
