// The socket and skb helpers of the selftests (helpers.ts, helper-call.ts): verdicts and reason
// lines under the 7.2 and 6.12 profiles. test/sock-helpers.test.ts runs the same kind of programs
// on the real kernels.
import { describe, expect, it } from 'vitest';
import { programFromAsm } from '../program/assemble.ts';
import { PROFILES } from './profile.ts';
import { verify } from './verify.ts';

const P72 = PROFILES['linux-7.2'];
const P612 = PROFILES['linux-6.12'];
const LOOKUP = (helper: string) => `
        r2 = 0
        *(u64 *)(r10 -16) = r2
        *(u32 *)(r10 -8) = r2
        r2 = r10
        r2 += -16
        r3 = 12
        r4 = 0
        r5 = 0
        call ${helper}`;
const SKB_SK = `
        r1 = *(u64 *)(r1 +168)
        if r1 != 0x0 goto have
        r0 = 0
        exit
have:`;
const model = (src: string, profile = P72) => verify(programFromAsm(src), profile);

describe('socket helpers in the model', () => {
  it('bpf_tcp_sock: whole u32 fields and the u64 byte counters, nothing narrow or past icsk_retransmits', () => {
    const read = (insn: string) => model(`.type sched_cls${SKB_SK}
        call bpf_tcp_sock
        if r0 != 0x0 goto tp
        exit
tp:     ${insn}
        r0 = 0
        exit`);
    expect(read('r1 = *(u32 *)(r0 +108)').unknown).toMatch(/test run/); // verified; the run needs skb->sk
    expect(read('r1 = *(u64 *)(r0 +80)').unknown).toMatch(/test run/);
    expect(read('r1 = *(u16 *)(r0 +4)')).toMatchObject({ verdict: 'reject', message: 'R0 invalid tcp_sock access off=4 size=2' });
    expect(read('r1 = *(u32 *)(r0 +80)')).toMatchObject({ verdict: 'reject', message: 'R0 invalid tcp_sock access off=80 size=4' });
    expect(read('r1 = *(u32 *)(r0 +112)')).toMatchObject({ verdict: 'reject', message: 'R0 invalid tcp_sock access off=112 size=4' });
    expect(read('*(u32 *)(r0 +0) = 1')).toMatchObject({ verdict: 'reject', message: 'R0 cannot write into tcp_sock' });
  });

  it('bpf_tcp_sock of a NULL-able pointer is refused by type', () => {
    const r = model(`.type sched_cls
        r1 = *(u64 *)(r1 +168)
        call bpf_tcp_sock
        r0 = 0
        exit`);
    expect(r).toMatchObject({ verdict: 'reject', message: 'R1 type=sock_common_or_null expected=sock_common, sock, tcp_sock, xdp_sock' });
  });

  it('bpf_skc_lookup_tcp acquires a sock_common reference the program must release', () => {
    expect(model(`.type sched_cls${LOOKUP('bpf_skc_lookup_tcp')}
        r0 = 0
        exit`)).toMatchObject({ verdict: 'reject', message: 'BPF_EXIT instruction in main prog would lead to reference leak' });
    expect(model(`.type sched_cls${LOOKUP('bpf_skc_lookup_tcp')}
        r0 = 0
        exit`, P612)).toMatchObject({ verdict: 'reject', message: 'Unreleased reference id=2 alloc_insn=8' });
    expect(model(`.type sched_cls${LOOKUP('bpf_skc_lookup_tcp')}
        if r0 == 0x0 goto out
        r1 = r0
        call bpf_sk_release
out:    r0 = 0
        exit`)).toMatchObject({ verdict: 'accept', retval: 0 });
  });

  it('7.2: a cast of a referenced socket shares its reference, and the NULL cast is explored too', () => {
    const cast = (tail: string) => `.type sched_cls${LOOKUP('bpf_sk_lookup_tcp')}
        if r0 != 0x0 goto got
        exit
got:    r6 = r0
        r1 = r0
        call bpf_tcp_sock
        ${tail}`;
    // releasing the tcp_sock releases the socket: r6 is gone as well
    expect(model(cast(`r1 = r0
        call bpf_sk_release
        r0 = *(u32 *)(r6 +4)
        exit`))).toMatchObject({ verdict: 'reject', message: "R6 invalid mem access 'scalar'" });
    // the NULL branch of the cast reaches the load with r0 = 0
    expect(model(cast(`r7 = *(u32 *)(r0 +0)
        r1 = r6
        call bpf_sk_release
        r0 = 0
        exit`))).toMatchObject({ verdict: 'reject', message: "R0 invalid mem access 'scalar'" });
    // 6.12: the cast may be NULL on the main path (its own id), and holds the socket's reference as ref_obj_id
    expect(model(cast(`r1 = r0
        call bpf_sk_release
        exit`), P612)).toMatchObject({ verdict: 'reject', message: 'R1 type=tcp_sock_or_null expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_' });
    expect(model(cast(`if r0 == 0x0 goto out
        r1 = r0
        call bpf_sk_release
        r0 = *(u32 *)(r6 +4)
out:    exit`), P612)).toMatchObject({ verdict: 'reject', message: "R6 invalid mem access 'scalar'" });
  });

  it('bpf_get_listener_sock returns a socket the program holds no reference to', () => {
    expect(model(`.type sched_cls${LOOKUP('bpf_sk_lookup_tcp')}
        if r0 != 0x0 goto got
        exit
got:    r6 = r0
        r1 = r0
        call bpf_get_listener_sock
        if r0 == 0x0 goto out
        r1 = r0
        call bpf_sk_release
out:    r1 = r6
        call bpf_sk_release
        r0 = 0
        exit`)).toMatchObject({ verdict: 'reject', message: 'release helper bpf_sk_release expects referenced PTR_TO_BTF_ID passed to R1' });
  });

  it('bpf_skc_to_tcp_sock returns a PTR_TO_BTF_ID that may be NULL; loads through it are beyond the model', () => {
    const to = (tail: string) => model(`.type sched_cls${SKB_SK}
        call bpf_skc_to_tcp_sock
        ${tail}`);
    expect(to('r0 = *(u8 *)(r0 +0)\n        exit')).toMatchObject({ verdict: 'reject', message: "R0 invalid mem access 'ptr_or_null_'" });
    expect(to('if r0 == 0x0 goto out\n        r0 = *(u8 *)(r0 +0)\nout:    exit').verdict).toBe('unknown');
  });

  it('bpf_get_netns_cookie: socket filters and tc on 7.2, refused on 6.12', () => {
    const src = `.type socket_filter
        r1 = 0
        call bpf_get_netns_cookie
        r0 = 0
        exit`;
    expect(model(src)).toMatchObject({ verdict: 'accept', retval: 0 });
    expect(model(src, P612)).toMatchObject({ verdict: 'reject', message: 'program of this type cannot use helper bpf_get_netns_cookie#122' });
    expect(model(src.replace('socket_filter', 'xdp'))).toMatchObject({ verdict: 'reject', message: 'program of this type cannot use helper bpf_get_netns_cookie#122' });
  });

  it('skb helpers take the unmodified ctx; bpf_xdp_adjust_meta clobbers r1-r5; bpf_strtoul writes an aligned u64; bpf_trace_printk reads memory', () => {
    expect(model(`.type sched_cls
        r1 += 8
        r2 = 0
        call bpf_csum_update
        exit`)).toMatchObject({ verdict: 'reject', message: 'dereference of modified ctx ptr R1 off=8 disallowed' });
    expect(model(`.type sched_cls
        r1 = r10
        call bpf_get_hash_recalc
        exit`)).toMatchObject({ verdict: 'reject', message: 'R1 type=fp expected=ctx' });
    expect(model(`.type xdp
        r3 = *(u32 *)(r1 +8)
        r2 = 0
        call bpf_xdp_adjust_meta
        r0 = r3
        exit`)).toMatchObject({ verdict: 'reject', message: 'R3 !read_ok' });
    const strtoul = (out: number) => model(`.type socket_filter
        r7 = 0x31
        *(u64 *)(r10 -8) = r7
        r1 = r10
        r1 += -8
        r2 = 2
        r3 = 0
        r4 = r10
        r4 += ${out}
        call bpf_strtoul
        r0 = *(u64 *)(r10 -16)
        r0 = 0
        exit`);
    const printk = `.type socket_filter
        r1 = 8
        r2 = 4
        call bpf_trace_printk
        exit`;
    expect(model(printk)).toMatchObject({ verdict: 'reject', message: 'R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_, ctx' });
    expect(model(printk, P612)).toMatchObject({ verdict: 'reject', message: 'R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_' });
    expect(strtoul(-16)).toMatchObject({ verdict: 'accept', retval: 0 });
    expect(strtoul(-12).verdict).toBe('unknown');
  });
});
