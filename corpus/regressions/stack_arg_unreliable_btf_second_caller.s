; found by: bpfdiff fuzz --kernel 7.2 --kernel 6.12 --count 400 --seed 1 (mutation missing-store-after-unreliable), reduced by bpfdiff reduce
; Linux 7.2.13 (Debian 7.2.13-1) oopses while verifying this program:
;   BUG: kernel NULL pointer dereference, address: 0000000000000000
;   RIP: check_load_mem+0x222 <- do_check_common <- bpf_check <- bpf_prog_load
; main passes its ctx in r1 where f1's BTF says scalar, which marks f1's BTF unreliable; after
; that the verifier skips the outgoing stack-argument check at f3's call of f1 (f3 never stored
; argument 6), and f1's load of r11 +8 reads f3's outgoing area, which was never allocated.
; The same call without the earlier call from main is rejected properly with
; "callee expects 6 args, stack arg1 is not initialized".
.type sched_cls
.func main args=1
        *(u64 *)(r11 -8) = 256
        call f1
        call f3
        exit
.func f1 args=6
        r0 = *(u64 *)(r11 +8)
        r0 = 0
        exit
.func f3 args=0
        call f1
        exit
