; found by: bpfdiff fuzz (the 10,000-program campaign of gen/4, /work/camp/c10k/a90b4205: the
; model's xlated of f1 kept a branch and 12 instructions that 7.2.13 removed), then written by hand
; from what its level-2 log showed. Linux 7.2.13 and 7.3-rc7 return 1; the program returns 99
; (skb->len is not 0, so r7 = len and f's `if r0 == 3` is false), which the model and 6.12's
; interpreter semantics give. propagate_precision (kernel/bpf/states.c) carries the precise
; registers and stack spills of the state a path is pruned against into the path's parent states,
; but not the caller's outgoing stack-argument slots (stack_arg_regs). Path 1 (r7 = 3) walks f,
; and f's `if r0 == 3` on argument 6 marks the slot precise. Path 2 (r7 = 3, through B) keeps a
; checkpoint at P and is pruned at the call, so r7 stays imprecise in that checkpoint. Path 3
; (r7 = len) is pruned at P against it: f is never walked with an unknown argument 6, the
; fall-through `r0 = 99` is never seen, and opt_hard_wire_dead_code_branches turns the branch into
; `goto ok`. Code on the never-walked path, or code after the branch that trusts argument 6 to be
; 3, runs unchecked.
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
        r0 = 1
        r0 = 1
        r0 = 1
        r0 = 1
        r0 = 1
        r0 = 1
        r0 = 1
        r0 = 1
        exit
