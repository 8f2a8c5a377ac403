; found by: bpfdiff fuzz --kernel 7.2 --count 10000 --seed 1 (program 8480, valid by construction,
; 462 insns), reduced by bpfdiff reduce to 24 insns, then rewritten by hand with every stack slot
; initialized. Linux 7.2.13 and 7.3-rc7 reject this valid program with
; "reading from stack off -8+0 size 8, slot poisoned by dead code elimination"; 6.12 accepts, retval 5.
; f4 is called from f3 (main -> f3 -> f4 -> f5) and from f1, and f1 gets a frame-pointer argument
; from main. The static stack liveness pass (kernel/bpf/liveness.c) keys its per-callee analyses
; by (call site, depth): f3 is analysed as a root at depth 0, so f4 -> f5 at depth 3 exists only
; as seen through f1, where frame 1's slot is -32. On the walk through f3, f3's -8 looks dead,
; is poisoned at a checkpoint, and the reads through the pointer in f4/f5 fail.
.type sched_cls
.func main args=1
        call f3
        r2 = r10
        call f1
        exit
.func f1 args=2
        r6 = 5
        *(u64 *)(r10 -32) = r6
        r4 = r10
        r4 += -32
        call f4
        exit
.func f3 args=1
        r6 = 7
        *(u64 *)(r10 -8) = r6
        r4 = r10
        r4 += -8
        call f4
        exit
.func f4 args=5
        r0 = *(u64 *)(r4 +0)
        r3 = r4
        call f5
        exit
.func f5 args=5
        r0 = *(u64 *)(r3 +0)
        exit
