; bpf_skb_pull_data wants the context in R1
.type sched_cls
        r1 = r10
        r2 = 0
        call bpf_skb_pull_data
        r0 = 0
        exit
