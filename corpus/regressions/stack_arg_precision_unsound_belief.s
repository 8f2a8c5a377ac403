; the same kernel bug as stack_arg_precision_not_propagated.s, shown as a belief the verifier gets
; wrong: the only walk of `ok` has R0=3 (level-2 log: `r0 += 0 ; frame1: R0=3`), since the paths
; with another argument 6 are pruned before f; the dead-code pass wires `if r0 == 3` to `ok`, and
; the program returns skb->len (64 in bpfdiff's test run) from the instruction the verifier
; checked for R0 = 3 only. The program's own semantics (and the model) give 99. An access through
; R0 at `ok` would be checked for offset 3 and run with the packet length.
.type sched_cls
.func main args=1
        r6 = *(u32 *)(r1 +0)
        r8 = *(u32 *)(r1 +8)
        if r6 != 0 goto unk
        r7 = 3
        if r8 != 0 goto B
P:
        r1 = 1
        r2 = 2
        r3 = 3
        r4 = 4
        r5 = 5
        *(u64 *)(r11 -8) = r7
        call f
        exit
B:
        r0 = 0
        r0 = 0
        r0 = 0
        r0 = 0
        r0 = 0
        r0 = 0
        if r8 == 7 goto P
        goto P
unk:
        r7 = r6
        goto P
.func f args=6
        r0 = *(u64 *)(r11 +8)
        if r0 == 3 goto ok
        r0 = 99
        exit
ok:
        r0 += 0
        exit
