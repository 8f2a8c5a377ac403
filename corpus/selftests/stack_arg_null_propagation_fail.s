; source: tools/testing/selftests/bpf/progs/verifier_stack_arg.c, stack_arg_null_propagation_fail
; description: "stack_arg: null propagation rejects deref on null branch"
; kernel annotations: SEC("tc") __failure __msg("R{{[0-9]}} invalid mem access 'scalar'")
; Uses a map (map_hash_8b: hash, 8-byte key and value, 1 entry). The NULL check on r0 turns the copy
; in the r11 slot into a known zero on the NULL branch, so the callee dereferences a scalar.
; subprog_deref_arg6 dereferences through r1, so the register is R1.
.type sched_cls
.map hash 8 8 1
        r1 = 0
        *(u64 *)(r10 -8) = r1
        r2 = r10
        r2 += -8
        r1 = map[id:0] ll
        call bpf_map_lookup_elem
        *(u64 *)(r11 -8) = r0
        if r0 != 0x0 goto l0
        r1 = 0
        r2 = 0
        r3 = 0
        r4 = 0
        r5 = 0
        call subprog_deref_arg6
l0:
        r0 = 0
        exit

.func subprog_deref_arg6 args=6
; static long subprog_deref_arg6(long a, long b, long c, long d, long e, long *f) { return *f; }
        r1 = *(u64 *)(r11 +8)
        r0 = *(u64 *)(r1 +0)
        exit
