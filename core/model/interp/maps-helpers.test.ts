// The test run with maps, helpers and packet data: map contents persist through a run (lookups see
// earlier updates), map helpers return the kernel's errnos, packet helpers see the test-run input,
// and results that depend on a random number, a clock or an address are marked unpredictable.
import { describe, expect, it } from 'vitest';
import { asm } from '../test-programs.ts';
import { execute } from './index.ts';

const run = (source: string, input?: Uint8Array) => execute(asm(source), input);
/** key at fp-8 (u64 or u32 per map), value at fp-16 */
const setKey = (k: number) => `r1 = ${k}\n*(u64 *)(r10 -8) = r1\n`;
const update = (flags: number, map = 0) => `r1 = map[id:${map}] ll\nr2 = r10\nr2 += -8\nr3 = r10\nr3 += -16\nr4 = ${flags}\ncall bpf_map_update_elem\n`;
const lookup = (map = 0) => `r1 = map[id:${map}] ll\nr2 = r10\nr2 += -8\ncall bpf_map_lookup_elem\n`;
const del = (map = 0) => `r1 = map[id:${map}] ll\nr2 = r10\nr2 += -8\ncall bpf_map_delete_elem\n`;
const errno = (e: number) => (-e >>> 0);

describe('hash maps', () => {
  it('start empty; a lookup sees what an update stored', () => {
    expect(run(`.map hash 8 8 4\n${setKey(1)}${lookup()}exit`).retval).toBe(0);
    const src = `.map hash 8 8 4\n${setKey(1)}r1 = 42\n*(u64 *)(r10 -16) = r1\n${update(0)}${lookup()}if r0 == 0x0 goto out\nr0 = *(u64 *)(r0 +0)\nout: exit`;
    expect(run(src)).toMatchObject({ retval: 42, unpredictable: undefined });
  });
  it('a store through the looked-up pointer is seen by the next lookup', () => {
    const src = `.map hash 8 8 4\n${setKey(3)}*(u64 *)(r10 -16) = r1\n${update(0)}${lookup()}if r0 == 0x0 goto out\nr1 = 77\n*(u64 *)(r0 +0) = r1\n${lookup()}if r0 == 0x0 goto out\nr0 = *(u64 *)(r0 +0)\nout: exit`;
    expect(run(src).retval).toBe(77);
  });
  it('BPF_NOEXIST, BPF_EXIST, bad flags, a full table and deleting twice give the kernel errnos', () => {
    const base = `.map hash 8 8 1\n${setKey(1)}*(u64 *)(r10 -16) = r1\n`;
    expect(run(`${base}${update(1)}${update(1)}exit`).retval).toBe(errno(17)); // EEXIST
    expect(run(`${base}${update(2)}exit`).retval).toBe(errno(2)); // ENOENT
    expect(run(`${base}${update(8)}exit`).retval).toBe(errno(22)); // EINVAL
    expect(run(`${base}${update(4)}exit`).retval).toBe(errno(22)); // BPF_F_LOCK without a spin lock
    expect(run(`${base}${update(0)}${setKey(2)}${update(0)}exit`).retval).toBe(errno(7)); // E2BIG
    expect(run(`${base}${update(0)}${setKey(1)}${update(2)}exit`).retval).toBe(0); // replacing in a full table
    expect(run(`${base}${update(0)}${del()}r6 = r0\n${del()}r0 += r6\nexit`).retval).toBe(errno(2));
  });
  it('a pointer to a replaced element is not reproducible (the kernel reuses its memory later)', () => {
    const src = `.map hash 8 8 2\n${setKey(1)}*(u64 *)(r10 -16) = r1\n${update(0)}${lookup()}if r0 == 0x0 goto out\nr6 = r0\n${update(0)}r0 = *(u64 *)(r6 +0)\nout: exit`;
    expect(run(src).unpredictable).toMatch(/replaced/);
  });
});

describe('array maps', () => {
  it('are zeroed, take stores through a lookup, and return NULL past max_entries', () => {
    const key = (k: number) => `r1 = ${k}\n*(u32 *)(r10 -8) = r1\n`;
    expect(run(`.map array 4 8 2\n${key(1)}${lookup()}r0 = *(u64 *)(r0 +0)\nexit`).retval).toBe(0);
    expect(run(`.map array 4 8 2\n${key(2)}${lookup()}exit`).retval).toBe(0);
    const src = `.map array 4 8 2\n${key(1)}${lookup()}*(u64 *)(r0 +0) = 9\n${lookup()}r0 = *(u64 *)(r0 +0)\nexit`;
    expect(run(src).retval).toBe(9);
  });
  it('update copies in place, delete is refused', () => {
    const key = (k: number) => `r1 = ${k}\n*(u32 *)(r10 -8) = r1\n`;
    const src = `.map array 4 8 2\n${key(0)}${lookup()}r6 = r0\nr1 = 5\n*(u64 *)(r10 -16) = r1\n${update(0)}r0 = *(u64 *)(r6 +0)\nexit`;
    expect(run(src)).toMatchObject({ retval: 5, unpredictable: undefined });
    expect(run(`.map array 4 8 2\n${key(2)}*(u64 *)(r10 -16) = r1\n${update(0)}exit`).retval).toBe(errno(7));
    expect(run(`.map array 4 8 2\n${key(0)}*(u64 *)(r10 -16) = r1\n${update(1)}exit`).retval).toBe(errno(17));
    expect(run(`.map array 4 8 2\n${key(0)}${del()}exit`).retval).toBe(errno(22));
  });
  it('a value addressed by LD_IMM64 is the element a lookup of key 0 returns', () => {
    const src = `.map array 4 16 1\nr1 = map[id:0][0]+8\n*(u64 *)(r1 +0) = 31\nr1 = 0\n*(u32 *)(r10 -8) = r1\n${lookup()}r0 = *(u64 *)(r0 +8)\nexit`;
    expect(run(src).retval).toBe(31);
  });
  it('an address stored in a value reads back as that address (to the verifier, a number)', () => {
    const src = `.map array 4 8 1\nr1 = map[id:0][0]+0\nr2 = r10\n*(u64 *)(r1 +0) = r2\nr0 = *(u64 *)(r1 +0)\nexit`;
    expect(run(src).unpredictable).toMatch(/address in stack of frame 0/);
  });
  it('returning a map pointer or value address is not reproducible', () => {
    expect(run('.map array 4 8 1\nr0 = map[id:0] ll\nexit').unpredictable).toMatch(/address/);
  });
});

describe('packet helpers and packet data', () => {
  const input = Uint8Array.from({ length: 64 }, (_, i) => i);
  input[12] = 0x08;
  input[13] = 0x00;
  it('direct reads see the test-run input', () => {
    const src = 'r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr4 = r2\nr4 += 32\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 +31)\nexit\nout: r0 = 1\nexit';
    expect(run(src, input).retval).toBe(31);
  });
  it('bpf_skb_load_bytes copies from skb->data, or fails with -EFAULT and a zeroed buffer', () => {
    const load = (off: number, len: number) => `*(u64 *)(r10 -8) = -1\nr2 = ${off}\nr3 = r10\nr3 += -8\nr4 = ${len}\ncall bpf_skb_load_bytes\nr6 = r0\nr0 = *(u32 *)(r10 -8)\nr6 <<= 32\nr0 |= r6\nexit`;
    expect(run(load(20, 4), input).r0).toBe(0x17161514n);
    expect(run(load(62, 4), input).r0).toBe(0xfffffff200000000n);
    // a socket filter's skb->data is the network header
    expect(run(`.type socket_filter\n${load(0, 1)}`, input).r0).toBe(0xffffff0en);
  });
  it('bpf_skb_store_bytes writes the packet; a reload sees it', () => {
    const src = `r6 = r1\nr1 = 0x55\n*(u8 *)(r10 -1) = r1\nr1 = r6\nr2 = 40\nr3 = r10\nr3 += -1\nr4 = 1\nr5 = 0\ncall bpf_skb_store_bytes\nr2 = *(u32 *)(r6 +76)\nr3 = *(u32 *)(r6 +80)\nr4 = r2\nr4 += 41\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 +40)\nexit\nout: r0 = 1\nexit`;
    expect(run(src, input).retval).toBe(0x55);
    expect(run('r2 = 60\nr3 = r10\nr3 += -8\nr4 = 8\nr5 = 0\ncall bpf_skb_store_bytes\nexit', input).retval).toBe(errno(14));
    expect(run('r2 = 0\nr3 = r10\nr3 += -8\nr4 = 8\nr5 = 4\ncall bpf_skb_store_bytes\nexit', input).retval).toBe(errno(22));
  });
  it('bpf_skb_pull_data succeeds up to the packet length', () => {
    expect(run('r2 = 0\ncall bpf_skb_pull_data\nexit', input).retval).toBe(0);
    expect(run('r2 = 64\ncall bpf_skb_pull_data\nexit', input).retval).toBe(0);
    expect(run('r2 = 65\ncall bpf_skb_pull_data\nexit', input).retval).toBe(errno(12));
  });
});

describe('other helpers', () => {
  it('bpf_sk_lookup_tcp finds no socket in the guest', () => {
    const src = 'r2 = 0\n*(u64 *)(r10 -16) = r2\n*(u32 *)(r10 -8) = r2\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = 0\nr5 = 0\ncall bpf_sk_lookup_tcp\nif r0 == 0x0 goto out\nr1 = r0\ncall bpf_sk_release\nr0 = 1\nout: exit';
    expect(run(src)).toMatchObject({ retval: 0, unpredictable: undefined });
  });
  it('bpf_get_smp_processor_id is 0; a clock or a random number make the retval unpredictable', () => {
    expect(run('call bpf_get_smp_processor_id\nexit')).toMatchObject({ retval: 0, unpredictable: undefined });
    expect(run('call bpf_ktime_get_ns\nr0 &= 1\nexit').unpredictable).toMatch(/clock/);
    expect(run('call bpf_get_prandom_u32\nr0 = 3\nexit').unpredictable).toBeUndefined();
  });
  it('a map key read from uninitialised stack is not reproducible', () => {
    expect(run(`.map hash 8 8 1\n${lookup()}exit`).unpredictable).toMatch(/uninitialised/);
  });
});
