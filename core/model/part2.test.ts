// Part 2 of the model, one program per rule: maps, helper arguments, packet pointers and references,
// each with the kernel's exact reason line and errno (texts from Linux 7.2's verifier.c; the
// 6.12 and 7.3 variants as Debian's kernels print them).
import { describe, expect, it } from 'vitest';
import { PROFILES, verify, type ProfileId } from './index.ts';
import { asm, raw, rawProgram } from './test-programs.ts';
import type { Program } from '../program/types.ts';

const v = (p: Program, profile: ProfileId = 'linux-7.2') => verify(p, PROFILES[profile]);
const rejects = (p: Program, message: string, errno: number, profile: ProfileId = 'linux-7.2') => {
  const o = v(p, profile);
  expect({ verdict: o.verdict, message: o.message, errno: o.errno, unknown: o.unknown }).toEqual({ verdict: 'reject', message, errno, unknown: undefined });
};
const accepts = (p: Program, retval: number, profile: ProfileId = 'linux-7.2') => {
  const o = v(p, profile);
  expect({ verdict: o.verdict, retval: o.retval, unknown: o.unknown, unpredictable: o.unpredictable }).toEqual({ verdict: 'accept', retval, unknown: undefined, unpredictable: undefined });
};

const args5 = 'r1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\n';
/** key 0 at fp-8, r0 = lookup in map 0 */
const lookup0 = 'r1 = 0\n*(u64 *)(r10 -8) = r1\nr1 = map[id:0] ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\n';
/** a callee that dereferences its argument 6 through r1 */
const derefArg6 = '.func f args=6\nr1 = *(u64 *)(r11 +8)\nr0 = *(u64 *)(r1 +0)\nexit';
/** r2 = data, r3 = data_end, r4 = data + n; exit 1 unless r4 <= data_end */
const pktCheck = (n: number) => `r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += ${n}\nif r4 > r3 goto out\n`;
/** r0 = bpf_sk_lookup_tcp(ctx, &zero ipv4 tuple, 12, 0, 0); ctx kept in r6 */
const skLookup = 'r6 = r1\nr2 = 0\n*(u64 *)(r10 -16) = r2\n*(u32 *)(r10 -8) = r2\nr1 = r6\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = 0\nr5 = 0\ncall bpf_sk_lookup_tcp\n';

describe('map references (resolve_pseudo_ldimm64, check_ld_imm)', () => {
  it('a map value by LD_IMM64 needs a one-element array and an offset inside its value', () => {
    rejects(asm('.map hash 4 8 1\nr1 = map[id:0][0]+0\nr0 = 0\nexit'), 'no direct value access support for this map type', 22);
    rejects(asm('.map array 4 8 2\nr1 = map[id:0][0]+0\nr0 = 0\nexit'), 'invalid access to map value pointer, value_size=8 off=0', 524);
    rejects(asm('.map array 4 8 1\nr1 = map[id:0][0]+8\nr0 = 0\nexit'), 'invalid access to map value pointer, value_size=8 off=8', 22);
    accepts(asm('.map array 4 16 1\nr1 = map[id:0][0]+8\nr0 = *(u64 *)(r1 +0)\nexit'), 0);
  });
  it('map fds take no offset and fd_array forms are refused', () => {
    const ld = (src: number, hi: number) => rawProgram([raw(0x18, 1, src, 0, 0), raw(0, 0, 0, 0, hi), raw(0xb7), raw(0x95)]);
    const withMap = (p: Program): Program => ({ ...p, maps: [{ type: 'array', keySize: 4, valueSize: 8, maxEntries: 1 }] });
    rejects(withMap(ld(1, 4)), 'unrecognized bpf_ld_imm64 insn', 22);
    rejects(withMap(ld(5, 0)), 'fd_idx without fd_array is invalid', 71);
    rejects(withMap(ld(7, 0)), 'unrecognized bpf_ld_imm64 insn', 22);
  });
  it('a map pointer takes no arithmetic but += 0, and is read only through BTF', () => {
    rejects(asm('.map array 4 8 1\nr1 = map[id:0] ll\nr1 += 0\nr1 += 8\nr0 = 0\nexit'), 'R1 pointer arithmetic on map_ptr prohibited', 13);
    rejects(asm('.map array 4 8 1\nr1 = map[id:0] ll\n*(u64 *)(r1 +0) = 1\nr0 = 0\nexit'), 'only read from bpf_array is supported', 13);
    rejects(asm('.map hash 4 8 1\nr1 = map[id:0] ll\nr0 = *(u64 *)(r1 -8)\nexit'), 'R1 is bpf_htab invalid negative access: off=-8', 13);
    // the reads themselves: map-ptr-access.test.ts
    accepts(asm('.map array 4 8 1\nr1 = map[id:0] ll\nr0 = *(u32 *)(r1 +76)\nexit'), 1);
  });
});

describe('map values (check_map_access, mark_ptr_or_null_regs)', () => {
  it('a lookup may return NULL: no dereference, no arithmetic before the check', () => {
    rejects(asm(`.map hash 8 8 1\n${lookup0}r0 = *(u64 *)(r0 +0)\nexit`), "R0 invalid mem access 'map_value_or_null'", 13);
    rejects(asm(`.map hash 8 8 1\n${lookup0}r0 += 8\nr0 = 0\nexit`), 'R0 pointer arithmetic on map_value_or_null prohibited, null-check it first', 13);
  });
  it('the NULL check resolves both branches, for every copy', () => {
    accepts(asm(`.map hash 8 8 1\n${lookup0}r6 = r0\n*(u64 *)(r10 -16) = r0\nif r6 == 0x0 goto miss\nr1 = *(u64 *)(r10 -16)\nr0 = *(u64 *)(r1 +0)\nexit\nmiss: r0 = 9\nexit`), 9);
    rejects(asm(`.map hash 8 8 1\n${lookup0}r6 = r0\nif r0 != 0x0 goto hit\nr0 = *(u64 *)(r6 +0)\nexit\nhit: r0 = 0\nexit`), "R6 invalid mem access 'scalar'", 13);
  });
  it('through an outgoing stack-argument slot (the selftest stack_arg_null_propagation_fail)', () => {
    rejects(asm(`.map hash 8 8 1\n${lookup0}*(u64 *)(r11 -8) = r0\nif r0 != 0x0 goto out\n${args5}call f\nout: r0 = 0\nexit\n${derefArg6}`), "R1 invalid mem access 'scalar'", 13);
    accepts(asm(`.map hash 8 8 1\n${lookup0}*(u64 *)(r11 -8) = r0\nif r0 == 0x0 goto out\n${args5}call f\nexit\nout: r0 = 7\nexit\n${derefArg6}`), 7);
  });
  it('a 32-bit comparison is no NULL check', () => {
    rejects(asm(`.map hash 8 8 1\n${lookup0}if w0 == 0x0 goto out\nr0 = *(u64 *)(r0 +0)\nout: r0 = 0\nexit`), "R0 invalid mem access 'map_value_or_null'", 13);
  });
  it('comparing with a pointer that is not NULL lifts the NULL possibility on the equal branch', () => {
    accepts(asm(`.map array 4 8 1\nr7 = map[id:0][0]+0\n${lookup0}if r0 != r7 goto out\nr0 = *(u64 *)(r0 +0)\nexit\nout: r0 = 3\nexit`), 0);
  });
  it('accesses stay inside the value, for every offset the pointer may have', () => {
    const hit = `.map hash 8 8 1\n${lookup0}if r0 == 0x0 goto out\n`;
    rejects(asm(`${hit}r0 = *(u64 *)(r0 +8)\nexit\nout: r0 = 0\nexit`), 'R0 min value is outside of the allowed memory range', 13);
    rejects(asm(`${hit}r0 = *(u64 *)(r0 -8)\nexit\nout: r0 = 0\nexit`), 'R0 min value is outside of the allowed memory range', 13);
    rejects(asm(`${hit}r1 = *(u32 *)(r0 +0)\nr1 &= 7\nr1 -= 4\nr0 += r1\nr0 = *(u8 *)(r0 +0)\nexit\nout: r0 = 0\nexit`),
      'R0 min value is negative, either use unsigned index or do a if (index >=0) check.', 13);
    rejects(asm(`${hit}r1 = *(u32 *)(r0 +0)\nr1 &= 15\nr0 += r1\nr0 = *(u8 *)(r0 +0)\nexit\nout: r0 = 0\nexit`), 'R0 max value is outside of the allowed memory range', 13);
    rejects(asm(`${hit}r1 = *(u32 *)(r0 +0)\nr0 += r1\nr0 = *(u8 *)(r0 +0)\nexit\nout: r0 = 0\nexit`), 'R0 unbounded memory access, make sure to bounds check any such access', 13);
    accepts(asm(`${hit}r1 = *(u32 *)(r0 +0)\nr1 &= 7\nr0 += r1\nr0 = *(u8 *)(r0 +0)\nexit\nout: r0 = 0\nexit`), 0);
  });
  it('an array lookup with a constant key below max_entries is never NULL (not on 6.12)', () => {
    const p = asm('.map array 4 8 2\nr1 = 1\n*(u32 *)(r10 -8) = r1\nr1 = map[id:0] ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 +0)\nexit');
    accepts(p, 0);
    rejects(p, "R0 invalid mem access 'map_value_or_null'", 13, 'linux-6.12');
    const past = asm('.map array 4 8 2\nr1 = 2\n*(u32 *)(r10 -8) = r1\nr1 = map[id:0] ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 +0)\nexit');
    rejects(past, "R0 invalid mem access 'map_value_or_null'", 13);
  });
  it('32-bit arithmetic on a map value', () => rejects(asm('.map array 4 8 1\nr1 = map[id:0][0]+0\nw1 += 4\nr0 = 0\nexit'), 'R1 32-bit pointer arithmetic prohibited', 13));
});

describe('helper calls (check_helper_call, check_func_arg)', () => {
  it('the helper must exist and be one the program type may call', () => {
    rejects(asm('call 212\nr0 = 0\nexit'), 'invalid func unknown#212', 22);
    rejects(asm('.type xdp\nr2 = 0\ncall bpf_skb_pull_data\nr0 = 0\nexit'), 'program of this type cannot use helper bpf_skb_pull_data#39', 22);
    rejects(asm('.type socket_filter\ncall bpf_sk_lookup_tcp\nr0 = 0\nexit'), 'program of this type cannot use helper bpf_sk_lookup_tcp#84', 22);
    expect(v(asm('call bpf_get_current_pid_tgid\nr0 = 0\nexit'))).toMatchObject({ verdict: 'unknown', unknown: 'helper bpf_get_current_pid_tgid#14' });
  });
  it('arguments must be initialised and of the prototype type', () => {
    rejects(asm('.map hash 8 8 1\nr1 = map[id:0] ll\ncall bpf_map_lookup_elem\nr0 = 0\nexit'), 'R2 !read_ok', 13);
    rejects(asm('.map hash 8 8 1\nr1 = map[id:0] ll\nr2 = 8\ncall bpf_map_lookup_elem\nr0 = 0\nexit'),
      'R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_, ctx', 13);
    rejects(asm('.map hash 8 8 1\nr1 = map[id:0] ll\nr2 = 8\ncall bpf_map_lookup_elem\nr0 = 0\nexit'),
      'R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_', 13, 'linux-6.12');
    rejects(asm('r1 = 0\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\nr0 = 0\nexit'), 'R1 type=scalar expected=map_ptr', 13);
    rejects(asm('.map hash 8 8 1\nr1 = map[id:0] ll\nr2 = r1\ncall bpf_map_lookup_elem\nr0 = 0\nexit'), 'R2 type=map_ptr expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_, ctx', 13);
    rejects(asm('.map hash 8 8 1\nr2 = r1\nr1 = map[id:0] ll\ncall bpf_map_lookup_elem\nr0 = 0\nexit'), 'R2 type=ctx expected=fp', 13);
  });
  it('the context goes to helpers unmodified', () => rejects(asm('r1 += 4\nr2 = 0\ncall bpf_skb_pull_data\nr0 = 0\nexit'), 'dereference of modified ctx ptr R1 off=4 disallowed', 13));
  it('a key on the stack must fit below the frame pointer', () => {
    const p = asm('.map hash 8 8 1\nr1 = map[id:0] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nr0 = 0\nexit');
    rejects(p, 'invalid read from stack R2 off=-4 size=8', 22);
    rejects(p, 'invalid indirect access to stack R2 off=-4 size=8', 22, 'linux-6.12');
    rejects(asm('.map hash 8 8 1\nr1 = map[id:0] ll\nr2 = r10\nr2 += -520\ncall bpf_map_lookup_elem\nr0 = 0\nexit'), 'invalid read from stack R2 off=-520 size=8', 13);
  });
  it('size arguments: not zero, not negative, bounded', () => {
    const load = (len: string) => asm(`r6 = r1\n${len}\nr1 = r6\nr2 = 0\nr3 = r10\nr3 += -8\ncall bpf_skb_load_bytes\nr0 = 0\nexit`);
    rejects(load('r4 = 0'), 'R4 invalid zero-sized read: u64=[0,0]', 13);
    rejects(load('r4 = *(u32 *)(r1 +0)\nr4 <<= 32\nr4 s>>= 32'), "R4 min value is negative, either use unsigned or 'var &= const'", 13);
    rejects(load('r4 = *(u32 *)(r1 +0)'), 'R4 invalid zero-sized read: u64=[0,4294967295]', 13);
    rejects(load('r4 = *(u32 *)(r1 +0)\nr4 |= 1'), "R4 unbounded memory access, use 'var &= const' or 'if (var < const)'", 13);
    rejects(load('r4 = 16'), 'invalid write to stack R3 off=-8 size=16', 22);
    accepts(load('r4 = 8'), 0);
  });
  it('packet memory only for helpers that declare packet access', () => {
    rejects(asm(`${pktCheck(8)}r1 = r6\nr3 = r2\nr2 = 0\nr4 = 4\ncall bpf_skb_load_bytes\nout: r0 = 0\nexit`.replace('r2 = *(u32', 'r6 = r1\nr2 = *(u32')), 'helper access to the packet is not allowed', 13);
    accepts(asm(`.map hash 4 8 1\n${pktCheck(4)}r1 = map[id:0] ll\ncall bpf_map_lookup_elem\nr0 = 2\nexit\nout: r0 = 1\nexit`), 2);
  });
  it('a helper clobbers r1-r5 and every outgoing stack-argument slot', () => {
    rejects(asm('r1 = 1\ncall bpf_get_prandom_u32\nr0 = r1\nexit'), 'R1 !read_ok', 13);
    rejects(asm(`*(u64 *)(r11 -8) = 6\ncall bpf_get_prandom_u32\n${args5}call f\nexit\n.func f args=6\nr0 = *(u64 *)(r11 +8)\nexit`), 'callee expects 6 args, stack arg1 is not initialized', 14);
  });
  it('a buffer the helper fills counts as written stack', () => {
    accepts(asm('r6 = r1\nr1 = r6\nr2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\ncall bpf_skb_load_bytes\nr0 = *(u64 *)(r10 -8)\nr0 = 0\nexit'), 0);
  });
  it('bpf_get_smp_processor_id is 0 on the one-CPU guest', () => {
    accepts(asm('call bpf_get_smp_processor_id\nif r0 != 0x0 goto bad\nr0 = 5\nexit\nbad: r0 = *(u64 *)(r0 +0)\nexit'), 5);
  });
});

describe('packet pointers (check_packet_access, find_good_pkt_pointers)', () => {
  it('a comparison with data_end gives the pointers of one branch their range', () => {
    accepts(asm(`${pktCheck(14)}r0 = *(u8 *)(r2 +13)\nexit\nout: r0 = 1\nexit`), 0);
    rejects(asm(`${pktCheck(14)}r0 = *(u8 *)(r2 +14)\nexit\nout: r0 = 1\nexit`), 'R2 min value is outside of the allowed memory range', 13);
    rejects(asm('r2 = *(u32 *)(r1 +76)\nr0 = *(u8 *)(r2 +0)\nexit'), 'R2 min value is outside of the allowed memory range', 13);
  });
  it('data_end written first, and the other comparisons', () => {
    accepts(asm('r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 8\nif r3 < r4 goto out\nr0 = *(u64 *)(r2 +0)\nexit\nout: r0 = 1\nexit'), 0);
    accepts(asm('r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 8\nif r4 <= r3 goto ok\nr0 = 1\nexit\nok: r0 = *(u64 *)(r2 +0)\nexit'), 0);
    accepts(asm('r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 8\nif r4 >= r3 goto out\nr0 = *(u8 *)(r2 +8)\nexit\nout: r0 = 1\nexit'), 0);
  });
  it('past data_end the pointer is outside the packet, and the next comparison is decided', () => {
    rejects(asm(`${pktCheck(8)}r0 = 0\nexit\nout: r0 = *(u8 *)(r4 +0)\nexit`), 'R4 offset is outside of the packet', 22);
    accepts(asm(`${pktCheck(8)}r0 = 0\nexit\nout: if r4 > r3 goto done\nr0 = *(u64 *)(r0 +0)\ndone: r0 = 1\nexit`), 0);
  });
  it('6.12 ends a failed packet check with its own line', () => {
    rejects(asm('r2 = *(u32 *)(r1 +76)\nr0 = *(u8 *)(r2 +0)\nexit'), 'R2 offset is outside of the packet', 13, 'linux-6.12');
    rejects(asm('r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 8\nif w4 > w3 goto out\nr0 = *(u8 *)(r2 +0)\nexit\nout: r0 = 0\nexit'),
      'R2 offset is outside of the packet', 13, 'linux-6.12');
  });
  it('data_end is no memory and takes no arithmetic', () => {
    rejects(asm('r3 = *(u32 *)(r1 +80)\nr0 = *(u8 *)(r3 +0)\nexit'), "R3 invalid mem access 'pkt_end'", 13);
    rejects(asm('r3 = *(u32 *)(r1 +80)\nr3 += 1\nr0 = 0\nexit'), 'R3 pointer arithmetic on pkt_end prohibited', 13);
  });
  it('a variable offset makes a new pointer that needs its own check', () => {
    const varOff = 'r5 = *(u32 *)(r1 +0)\nr5 &= 15\nr2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 8\nif r4 > r3 goto out\nr2 += r5\n';
    rejects(asm(`${varOff}r0 = *(u8 *)(r2 +0)\nexit\nout: r0 = 1\nexit`), 'R2 min value is outside of the allowed memory range', 13);
    accepts(asm(`${varOff}r4 = r2\nr4 += 4\nif r4 > r3 goto out\nr0 = *(u32 *)(r2 +0)\nexit\nout: r0 = 1\nexit`), 0);
  });
  it('xdp: data, data_end and writes', () => {
    accepts(asm('.type xdp\nr2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr4 = r2\nr4 += 4\nif r4 > r3 goto out\n*(u8 *)(r2 +0) = 7\nr0 = *(u8 *)(r2 +0)\nexit\nout: r0 = 1\nexit'), 7);
  });
  it('a helper that moves packet data invalidates every packet pointer: registers, spills in other frames, r11 slots', () => {
    rejects(asm(`r6 = r1\n${pktCheck(8)}r7 = r2\nr1 = r6\nr2 = 0\ncall bpf_skb_pull_data\nr0 = *(u8 *)(r7 +0)\nexit\nout: r0 = 1\nexit`), "R7 invalid mem access 'scalar'", 13);
    const spill = `r6 = r1\n${pktCheck(8)}*(u64 *)(r10 -8) = r2\nr1 = r6\ncall g\nr1 = *(u64 *)(r10 -8)\nr0 = *(u8 *)(r1 +0)\nexit\nout: r0 = 1\nexit\n.func g args=1\nr2 = 0\ncall bpf_skb_pull_data\nexit`;
    rejects(asm(spill), "R1 invalid mem access 'scalar'", 13);
    const slot = `r6 = r1\n${pktCheck(8)}*(u64 *)(r11 -8) = r2\nr1 = r6\nr2 = 0\ncall bpf_skb_pull_data\n${args5}call f\nout: r0 = 0\nexit\n${derefArg6}`;
    rejects(asm(slot), 'callee expects 6 args, stack arg1 is not initialized', 14);
  });
});

describe('references (acquire_reference, release_reference, check_reference_leak)', () => {
  it('a reference held at the exit of the main program leaks; 7.3 names it', () => {
    const p = asm(`${skLookup}if r0 == 0x0 goto out\nr6 = r0\nout: r0 = 0\nexit`);
    rejects(p, 'BPF_EXIT instruction in main prog would lead to reference leak', 22);
    rejects(p, 'Unreleased reference id=2 alloc_insn=10', 22, 'linux-7.3');
    expect(v(p, 'linux-7.3').report).toBe('Resource Lifetime Safety: Unreleased resource');
  });
  it('with several references held, 6.12 names the last one and 7.3 the first', () => {
    const loop = `r7 = 0\nl: ${skLookup.replace('r6 = r1\n', '')}if r0 == 0x0 goto n\nr8 = r0\nn: r7 += 1\nif r7 < 2 goto l\nr0 = 0\nexit`;
    const p = asm(`r6 = r1\n${loop}`);
    rejects(p, 'BPF_EXIT instruction in main prog would lead to reference leak', 22);
    rejects(p, 'Unreleased reference id=2 alloc_insn=11', 22, 'linux-7.3');
    rejects(p, 'Unreleased reference id=4 alloc_insn=11', 22, 'linux-6.12');
  });
  it('the NULL branch holds no reference; releasing it after the check is accepted', () => {
    accepts(asm(`${skLookup}if r0 == 0x0 goto out\nr1 = r0\ncall bpf_sk_release\nout: r0 = 0\nexit`), 0);
  });
  it('release takes a checked, referenced socket without offset', () => {
    rejects(asm(`${skLookup}r1 = r0\ncall bpf_sk_release\nr0 = 0\nexit`), 'R1 type=sock_or_null expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_', 13);
    const unref = asm('r1 = *(u64 *)(r1 +168)\nif r1 == 0x0 goto out\ncall bpf_sk_release\nout: r0 = 0\nexit');
    rejects(unref, 'release helper bpf_sk_release expects referenced PTR_TO_BTF_ID passed to R1', 22);
    rejects(unref, 'R1 must be referenced when passed to release function', 22, 'linux-6.12');
    rejects(asm(`${skLookup}if r0 == 0x0 goto out\nr0 += 8\nout: r0 = 0\nexit`), 'R0 pointer arithmetic on sock prohibited', 13);
  });
  it('every copy of a released socket, in any frame or slot, is gone', () => {
    rejects(asm(`${skLookup}if r0 == 0x0 goto out\nr7 = r0\nr1 = r0\ncall bpf_sk_release\nr1 = r7\ncall bpf_sk_release\nout: r0 = 0\nexit`),
      'R1 type=scalar expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_', 13);
    const handOver = `${skLookup}if r0 == 0x0 goto out\nr8 = r0\n*(u64 *)(r11 -8) = r0\n${args5}call f\nr0 = *(u32 *)(r8 +4)\nexit\nout: r0 = 0\nexit\n.func f args=6\nr1 = *(u64 *)(r11 +8)\ncall bpf_sk_release\nr0 = 0\nexit`;
    rejects(asm(handOver), "R8 invalid mem access 'scalar'", 13);
    accepts(asm(handOver.replace('r0 = *(u32 *)(r8 +4)\n', '')), 0);
  });
  it('socket fields: reads of struct bpf_sock only', () => {
    const sk = `${skLookup}if r0 == 0x0 goto out\nr6 = r0\n`;
    const done = 'r1 = r6\ncall bpf_sk_release\nout: r0 = 0\nexit';
    accepts(asm(`${sk}r7 = *(u32 *)(r6 +4)\n${done}`), 0);
    rejects(asm(`${sk}r7 = *(u32 *)(r6 +2)\n${done}`), 'R6 invalid sock access off=2 size=4', 13);
    rejects(asm(`${sk}*(u32 *)(r6 +4) = 1\n${done}`), 'R6 cannot write into sock', 13);
    rejects(asm('r2 = *(u64 *)(r1 +168)\nr0 = *(u32 *)(r2 +4)\nexit'), "R2 invalid mem access 'sock_common_or_null'", 13);
  });
});

describe('exits with pointers', () => {
  it('the main program may return an address (privileged); its value is not reproducible', () => {
    const o = v(asm('.map array 4 8 1\nr0 = map[id:0][0]+0\nexit'));
    expect(o.verdict).toBe('accept');
    expect(o.unpredictable).toMatch(/address/);
  });
  it('a global function returns a scalar', () => {
    rejects(asm('.map array 4 8 1\nr1 = 1\ncall g\nr0 = 0\nexit\n.func g args=1 global\nr0 = map[id:0][0]+0\nexit'), 'At subprogram exit the register R0 is not a scalar value (map_value)', 22);
  });
});
