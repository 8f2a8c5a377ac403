; bpf_skb_pull_data is a tc helper, not an xdp one
.type xdp
        r2 = 0
        call bpf_skb_pull_data
        r0 = 2
        exit
