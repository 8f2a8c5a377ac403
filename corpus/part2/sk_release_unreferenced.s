; __sk_buff->sk is not a reference the program holds
.type sched_cls
        r1 = *(u64 *)(r1 +168)
        if r1 == 0x0 goto out
        call bpf_sk_release
out:
        r0 = 0
        exit
