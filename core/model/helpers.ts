// The helper table: prototypes (struct bpf_func_proto) of the helpers the model verifies, from
// kernel/bpf/helpers.c and net/core/filter.c of Linux 7.2, and which helpers each program type may
// call at all (sk_filter_func_proto, tc_cls_act_func_proto, xdp_func_proto, bpf_sk_base_func_proto,
// bpf_base_func_proto for a loader with CAP_BPF and CAP_PERFMON).
import { HELPER_NAMES } from '../isa/helper-ids.ts';
import type { ProgType } from '../program/types.ts';

/** enum bpf_arg_type, base types the model checks */
export type ArgBase =
  | 'anything'
  | 'const_map_ptr'
  | 'map_key'
  | 'map_value'
  | 'ctx'
  | 'mem'
  | 'const_size'
  | 'const_size_or_zero'
  | 'sock_common'
  | 'btf_id_sock_common'
  | 'socket'
  /** ARG_PTR_TO_FIXED_SIZE_MEM: memory of the prototype's arg_size bytes */
  | 'fixed_mem';

export interface HelperArg {
  base: ArgBase;
  /** PTR_MAYBE_NULL: NULL (a known zero) is accepted */
  maybeNull?: boolean;
  /** MEM_RDONLY: the helper only reads the memory */
  rdonly?: boolean;
  /** MEM_UNINIT | MEM_WRITE: the helper fills the memory (ARG_PTR_TO_UNINIT_MEM) */
  uninit?: boolean;
  /** MEM_WRITE */
  write?: boolean;
  /** OBJ_RELEASE: the helper releases the reference passed here */
  release?: boolean;
  /** fixed_mem: fn->arg_size */
  size?: number;
  /** MEM_ALIGNED: the memory must be aligned to its size */
  aligned?: boolean;
}

/** enum bpf_return_type */
type HelperRet = 'integer' | 'void' | 'map_value_or_null' | 'socket_or_null' | 'sock_common_or_null' | 'tcp_sock_or_null'
  /** RET_PTR_TO_BTF_ID_OR_NULL of a socket struct (bpf_skc_to_*; retBtf names it) */
  | 'btf_sock_or_null';

export interface HelperProto {
  id: number;
  /** func_id_name: `bpf_` and the FN() name */
  name: string;
  args: HelperArg[];
  ret: HelperRet;
  /** .pkt_access: packet pointers may be passed as memory */
  pktAccess?: boolean;
  /** bpf_helper_changes_pkt_data: every packet pointer is invalid after the call */
  changesPktData?: boolean;
  /** is_acquire_function: R0 holds a reference the program must release */
  acquire?: boolean;
  /** is_ptr_cast_function: R0 is the argument's socket seen as another type */
  ptrCast?: boolean;
  /** btf_sock_or_null: the struct ret_btf_id names */
  retBtf?: string;
  /** why two runs of the same program may see different results, when they may */
  nondeterministic?: string;
}

const A = {
  anything: { base: 'anything' },
  mapPtr: { base: 'const_map_ptr' },
  mapKey: { base: 'map_key' },
  mapValue: { base: 'map_value' },
  ctx: { base: 'ctx' },
  ctxOrNull: { base: 'ctx', maybeNull: true },
  memRdonly: { base: 'mem', rdonly: true },
  memRdonlyOrNull: { base: 'mem', rdonly: true, maybeNull: true },
  uninitMem: { base: 'mem', uninit: true, write: true },
  size: { base: 'const_size' },
  sizeOrZero: { base: 'const_size_or_zero' },
  sockCommonRelease: { base: 'btf_id_sock_common', release: true },
  sockCommon: { base: 'sock_common' },
  btfSockCommon: { base: 'btf_id_sock_common' },
  /** bpf_strtol/strtoul's result: a u64 the helper writes */
  longOut: { base: 'fixed_mem', size: 8, uninit: true, write: true, aligned: true },
} satisfies Record<string, HelperArg>;

const proto = (id: number, args: HelperArg[], ret: HelperRet, extra: Omit<HelperProto, 'id' | 'name' | 'args' | 'ret'> = {}): HelperProto => ({
  id, name: HELPER_NAMES[id]!, args, ret, ...extra,
});

export const HELPER_PROTOS: readonly HelperProto[] = [
  proto(1, [A.mapPtr, A.mapKey], 'map_value_or_null', { pktAccess: true }),
  proto(2, [A.mapPtr, A.mapKey, A.mapValue, A.anything], 'integer', { pktAccess: true }),
  proto(3, [A.mapPtr, A.mapKey], 'integer', { pktAccess: true }),
  proto(5, [], 'integer', { nondeterministic: 'reads a clock' }),
  proto(7, [], 'integer', { nondeterministic: 'returns a random number' }),
  // bpf_trace_printk_proto (kernel/trace/bpf_trace.c): the format and its size; r3-r5 are not checked
  proto(6, [A.memRdonly, A.size], 'integer', { nondeterministic: 'returns the length of the formatted text' }),
  // R0 is refined to [0, nr_cpu_ids - 1] (do_refine_retval_range): 0 on a one-CPU guest
  proto(8, [], 'integer'),
  proto(9, [A.ctx, A.anything, A.memRdonly, A.size, A.anything], 'integer', { changesPktData: true }),
  proto(26, [A.ctx, A.anything, A.uninitMem, A.size], 'integer'),
  proto(28, [A.memRdonlyOrNull, A.sizeOrZero, A.memRdonlyOrNull, A.sizeOrZero, A.anything], 'integer', { pktAccess: true }),
  // bpf_get_hash_recalc_proto
  proto(34, [A.ctx], 'integer', { nondeterministic: 'returns the packet hash' }),
  proto(39, [A.ctx, A.anything], 'integer', { changesPktData: true }),
  // bpf_csum_update_proto
  proto(40, [A.ctx, A.anything], 'integer'),
  proto(42, [], 'integer'),
  proto(44, [A.ctx, A.anything], 'integer', { changesPktData: true }),
  // bpf_get_socket_cookie_proto (the __sk_buff one)
  proto(46, [A.ctx], 'integer', { nondeterministic: 'returns a socket cookie' }),
  // bpf_xdp_adjust_meta_proto
  proto(54, [A.ctx, A.anything], 'integer', { changesPktData: true }),
  proto(84, [A.ctx, A.memRdonly, A.sizeOrZero, A.anything, A.anything], 'socket_or_null', { pktAccess: true, acquire: true }),
  proto(85, [A.ctx, A.memRdonly, A.sizeOrZero, A.anything, A.anything], 'socket_or_null', { pktAccess: true, acquire: true }),
  proto(86, [A.sockCommonRelease], 'integer'),
  // bpf_sk_fullsock_proto, bpf_tcp_sock_proto: casts of their argument (is_ptr_cast_function)
  proto(95, [A.sockCommon], 'socket_or_null', { ptrCast: true }),
  proto(96, [A.sockCommon], 'tcp_sock_or_null', { ptrCast: true }),
  // bpf_get_listener_sock_proto: no cast, the listener holds no reference
  proto(98, [A.sockCommon], 'socket_or_null'),
  // bpf_skc_lookup_tcp_proto, bpf_tc_skc_lookup_tcp_proto, bpf_xdp_skc_lookup_tcp_proto
  proto(99, [A.ctx, A.memRdonly, A.sizeOrZero, A.anything, A.anything], 'sock_common_or_null', { pktAccess: true, acquire: true }),
  // bpf_strtoul_proto
  proto(106, [A.memRdonly, A.size, A.anything, A.longOut], 'integer'),
  // bpf_probe_read_kernel_proto (kernel/trace/bpf_trace.c)
  proto(113, [A.uninitMem, A.sizeOrZero, A.anything], 'integer', { nondeterministic: 'reads kernel memory' }),
  // bpf_get_netns_cookie_proto
  proto(122, [A.ctxOrNull], 'integer', { nondeterministic: 'returns the netns cookie' }),
  // bpf_skc_to_tcp_sock_proto, bpf_skc_to_tcp_request_sock_proto
  proto(137, [A.btfSockCommon], 'btf_sock_or_null', { ptrCast: true, retBtf: 'tcp_sock' }),
  proto(139, [A.btfSockCommon], 'btf_sock_or_null', { ptrCast: true, retBtf: 'tcp_request_sock' }),
  proto(125, [], 'integer', { nondeterministic: 'reads a clock' }),
  proto(160, [], 'integer', { nondeterministic: 'reads a clock' }),
];

const BY_ID = new Map(HELPER_PROTOS.map((p) => [p.id, p]));
export const helperProto = (id: number): HelperProto | undefined => BY_ID.get(id);

/** do_refine_retval_range for bpf_get_smp_processor_id: the pool's guests have one CPU */
export const GUEST_NR_CPU_IDS = 1;

// ---- which program type may call what -----------------------------------------------------------
const names = (list: string): number[] => list.split(/\s+/).filter(Boolean).map((n) => {
  const id = HELPER_NAMES.indexOf(`bpf_${n}`);
  if (id < 0) throw new Error(`helper table: no helper bpf_${n}`);
  return id;
});

/** bpf_base_func_proto with CAP_BPF and CAP_PERFMON */
const BASE = names(`
  cgrp_storage_delete cgrp_storage_get copy_from_user copy_from_user_task current_task_under_cgroup dynptr_data dynptr_from_mem
  dynptr_read dynptr_write find_vma for_each_map_elem get_branch_snapshot get_cgroup_classid get_current_ancestor_cgroup_id
  get_current_cgroup_id get_current_comm get_current_pid_tgid get_current_task get_current_task_btf get_current_uid_gid
  get_ns_current_pid_tgid get_numa_node_id get_prandom_u32 get_smp_processor_id get_task_stack jiffies64 kptr_xchg
  ktime_get_boot_ns ktime_get_ns ktime_get_tai_ns loop map_delete_elem map_lookup_elem map_lookup_percpu_elem map_peek_elem
  map_pop_elem map_push_elem map_update_elem per_cpu_ptr perf_event_read perf_event_read_value probe_read_kernel
  probe_read_kernel_str probe_read_user probe_read_user_str ringbuf_discard ringbuf_discard_dynptr ringbuf_output ringbuf_query
  ringbuf_reserve ringbuf_reserve_dynptr ringbuf_submit ringbuf_submit_dynptr send_signal send_signal_thread snprintf
  snprintf_btf spin_lock spin_unlock strncmp strtol strtoul tail_call task_pt_regs task_storage_delete task_storage_get
  this_cpu_ptr timer_cancel timer_init timer_set_callback timer_start trace_printk trace_vprintk user_ringbuf_drain`);
/** bpf_sk_base_func_proto's own entries */
const SK_BASE = names(`
  skc_to_tcp6_sock skc_to_tcp_sock skc_to_tcp_timewait_sock skc_to_tcp_request_sock skc_to_udp6_sock skc_to_unix_sock
  skc_to_mptcp_sock ktime_get_coarse_ns`);
const BY_PROG_TYPE: Record<ProgType, number[]> = {
  socket_filter: names('get_netns_cookie get_socket_cookie get_socket_uid perf_event_output skb_load_bytes skb_load_bytes_relative'),
  sched_cls: names(`
    check_mtu clone_redirect csum_diff csum_level csum_update fib_lookup get_cgroup_classid get_hash_recalc get_listener_sock
    get_netns_cookie get_route_realm get_smp_processor_id get_socket_cookie get_socket_uid l3_csum_replace l4_csum_replace
    perf_event_output redirect redirect_neigh redirect_peer set_hash set_hash_invalid sk_assign sk_fullsock sk_lookup_tcp
    sk_lookup_udp sk_release sk_storage_delete sk_storage_get skb_adjust_room skb_ancestor_cgroup_id skb_cgroup_classid
    skb_cgroup_id skb_change_head skb_change_proto skb_change_tail skb_change_type skb_ecn_set_ce skb_get_tunnel_key
    skb_get_tunnel_opt skb_get_xfrm_state skb_load_bytes skb_load_bytes_relative skb_pull_data skb_set_tstamp
    skb_set_tunnel_key skb_set_tunnel_opt skb_store_bytes skb_under_cgroup skb_vlan_pop skb_vlan_push skc_lookup_tcp
    tcp_check_syncookie tcp_gen_syncookie tcp_raw_check_syncookie_ipv4 tcp_raw_check_syncookie_ipv6
    tcp_raw_gen_syncookie_ipv4 tcp_raw_gen_syncookie_ipv6 tcp_sock`),
  xdp: names(`
    check_mtu csum_diff fib_lookup get_smp_processor_id perf_event_output redirect redirect_map sk_lookup_tcp sk_lookup_udp
    sk_release skc_lookup_tcp tcp_check_syncookie tcp_gen_syncookie tcp_raw_check_syncookie_ipv4 tcp_raw_check_syncookie_ipv6
    tcp_raw_gen_syncookie_ipv4 tcp_raw_gen_syncookie_ipv6 xdp_adjust_head xdp_adjust_meta xdp_adjust_tail xdp_get_buff_len
    xdp_load_bytes xdp_store_bytes`),
};
const AVAILABLE: Record<ProgType, ReadonlySet<number>> = {
  socket_filter: new Set([...BY_PROG_TYPE.socket_filter, ...SK_BASE, ...BASE]),
  sched_cls: new Set([...BY_PROG_TYPE.sched_cls, ...SK_BASE, ...BASE]),
  xdp: new Set([...BY_PROG_TYPE.xdp, ...SK_BASE, ...BASE]),
};

const BPF_FUNC_get_netns_cookie = 122;

/**
 * env->ops->get_func_proto returns a prototype for this helper; `netnsCookieInSkbProgs`: the
 * kernel's sk_filter_func_proto and tc_cls_act_func_proto list bpf_get_netns_cookie (7.x, not 6.12)
 */
export const helperAvailable = (progType: ProgType, id: number, netnsCookieInSkbProgs = true): boolean =>
  AVAILABLE[progType].has(id) && (netnsCookieInSkbProgs || id !== BPF_FUNC_get_netns_cookie);

/** bpf_helper_changes_pkt_data (net/core/filter.c) */
const CHANGES_PKT_DATA = new Set(names(`
  clone_redirect l3_csum_replace l4_csum_replace lwt_push_encap lwt_seg6_action lwt_seg6_adjust_srh lwt_seg6_store_bytes
  msg_pop_data msg_pull_data msg_push_data skb_adjust_room skb_change_head skb_change_proto skb_change_tail skb_pull_data
  skb_store_bytes skb_vlan_pop skb_vlan_push store_hdr_opt xdp_adjust_head xdp_adjust_meta xdp_adjust_tail tail_call`));
export const helperChangesPktData = (id: number): boolean => CHANGES_PKT_DATA.has(id);

/** func_id_name */
export const helperName = (id: number): string => (id >= 0 && id < HELPER_NAMES.length ? HELPER_NAMES[id]! : 'unknown');
