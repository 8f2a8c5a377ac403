// Offsets inside the kernel structures behind a program's ctx, for one kernel build: what
// convert_ctx_accesses writes into the rewritten program. They are properties of the build (its
// config and struct layout, as pahole would print them), read off the kernel's own xlated dump of
// programs that touch each field (scripts/record-jit-samples.ts); a field left undefined is one
// the model does not predict yet, and a program that uses it gets no xlated prediction.

/** offsets in struct sock (sock_common first) of the fields behind struct bpf_sock */
export interface SockLayout {
  boundDevIf: number; family: number; type: number; protocol: number; mark: number; priority: number; rcvSaddr: number;
  v6RcvSaddr: number; num: number; dport: number; daddr: number; v6Daddr: number; state: number; rxQueueMapping: number;
}

export interface CtxLayout {
  skb: {
    len?: number; pktTypeOffset?: number; mark?: number; queueMapping?: number; protocol?: number; vlanAll?: number;
    vlanTci?: number; vlanProto?: number; priority?: number; skbIif?: number; dev?: number; tcIndex?: number;
    hash?: number; cb?: number; data?: number;
    /** the struct sock pointer (__sk_buff.sk) */
    sk?: number;
  };
  /** offsetof(struct qdisc_skb_cb, data) and (.., tc_classid) */
  qdiscData: number;
  qdiscTcClassid: number;
  /** offsetof(struct bpf_skb_data_end, data_end) and (.., data_meta), inside skb->cb */
  dataEndInCb: number;
  dataMetaInCb: number;
  netdevIfindex?: number;
  xdp: { data: number; dataEnd: number; dataMeta: number; rxq: number };
  rxqDev: number;
  rxqQueueIndex: number;
  /** undefined: socket field loads get no prediction */
  sock?: SockLayout;
}

/** Debian's 7.2.13 and 7.3-rc7 amd64 builds */
export const LAYOUT_7: CtxLayout = {
  // mark, priority, tc_index (u16) and sk: read off 7.2.13's and 7.3-rc7's (equal) xlated dump of a
  // sched_cls program storing and loading each, then loading skb->sk's sock_common fields
  skb: { len: 112, cb: 40, pktTypeOffset: 128, data: 208, mark: 168, priority: 144, tcIndex: 134, sk: 24 },
  qdiscData: 8,
  qdiscTcClassid: 6,
  dataEndInCb: 40,
  dataMetaInCb: 32,
  xdp: { data: 0, dataEnd: 8, dataMeta: 16, rxq: 32 },
  rxqDev: 0,
  rxqQueueIndex: 8,
  // read off the xlated dumps of 7.2.13 and 7.3-rc7 (equal) of a program loading every bpf_sock field (u32) of a bpf_sk_lookup_tcp result
  sock: {
    boundDevIf: 20, family: 16, type: 542, protocol: 540, mark: 532, priority: 528, rcvSaddr: 4, v6RcvSaddr: 72, num: 14, dport: 12,
    daddr: 0, v6Daddr: 56, state: 18, rxQueueMapping: 122,
  },
};
