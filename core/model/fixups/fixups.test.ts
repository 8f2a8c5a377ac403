import { describe, expect, it } from 'vitest';
import { assemble, disassemble, rawFromHex } from '../../isa/index.ts';
import type { Program } from '../../program/types.ts';
import { PROFILES, verify } from '../index.ts';
import { programFromAsm } from '../../program/assemble.ts';
import { CMPXCHG32_CASES } from './zext-cases.ts';

function program(src: string, progType: Program['progType'] = 'sched_cls'): Program {
  const a = assemble(src);
  return { progType, insns: a.insns, funcs: a.funcs, maps: a.maps, input: new Uint8Array(64) };
}

/** the model's predicted rewritten program as verifier-log lines */
function xlated(src: string, profile = PROFILES['linux-7.2'], progType: Program['progType'] = 'sched_cls'): string[] {
  const o = verify(program(src, progType), profile, { run: false });
  expect(o.verdict).toBe('accept');
  const insns = rawFromHex(o.xlated ?? '');
  return disassemble(insns).map((d) => d.text.replace(/^\(\w+\) /, ''));
}

describe('predicted xlated (bpf_check rewrite passes)', () => {
  it('folds a branch on constants and removes the dead side (bpf_prune_dead_branches, opt_remove_dead_code, opt_remove_nops)', () => {
    expect(xlated(['r1 = 5', 'if r1 > 0x3 goto l', 'r0 = 1', 'exit', 'l: r0 = 2', 'exit'].join('\n'))).toEqual(['r1 = 5', 'r0 = 2', 'exit']);
  });

  it('keeps a branch the walk cannot decide, and hard-wires one whose fall-through is dead', () => {
    const src = ['r2 = *(u32 *)(r1 +0)', 'if r2 > 0x3 goto l', 'r0 = 1', 'exit', 'l: r0 = 2', 'exit'].join('\n');
    expect(xlated(src)).toEqual(['r2 = *(u32 *)(r1 +112)', 'if r2 > 0x3 goto pc+2', 'r0 = 1', 'exit', 'r0 = 2', 'exit']);
  });

  it('converts __sk_buff and xdp_md field loads (convert_ctx_accesses) with the narrow-load mask', () => {
    expect(xlated(['r0 = *(u8 *)(r1 +1)', 'exit'].join('\n'))).toEqual(['r0 = *(u32 *)(r1 +112)', 'w0 >>= 8', 'w0 &= 255', 'exit']);
    expect(xlated(['r0 = *(u32 *)(r1 +16)', 'exit'].join('\n'), PROFILES['linux-7.2'], 'xdp')).toEqual(['r0 = *(u64 *)(r1 +32)', 'r0 = *(u32 *)(r0 +8)', 'exit']);
  });

  it('converts bpf_sock field loads of a looked-up socket (bpf_sock_convert_ctx_access) as 7.2.13 does', () => {
    const fields = [0, 4, 8, 12, 16, 20, 24, 28, 44, 48, 52, 56, 72, 76];
    const src = [
      '*(u32 *)(r10 -16) = 0', '*(u32 *)(r10 -12) = 0', '*(u32 *)(r10 -8) = 0', 'r2 = r10', 'r2 += -16', 'r3 = 12', 'r4 = -1', 'r5 = 0',
      'call bpf_sk_lookup_tcp#84', 'if r0 == 0x0 goto out', ...fields.map((f) => `r1 = *(u32 *)(r0 +${f})`), 'r1 = r0', 'call bpf_sk_release#86', 'out: r0 = 0', 'exit',
    ].join('\n');
    // the real kernel's xlated dump of this program (bpfdiff run -k 7.2), the converted loads
    expect(xlated(src).slice(10, 26)).toEqual([
      'r1 = *(u32 *)(r0 +20)', 'r1 = *(u16 *)(r0 +16)', 'r1 = *(u16 *)(r0 +542)', 'r1 = *(u16 *)(r0 +540)', 'r1 = *(u32 *)(r0 +532)',
      'r1 = *(u32 *)(r0 +528)', 'r1 = *(u32 *)(r0 +4)', 'r1 = *(u32 *)(r0 +72)', 'r1 = *(u16 *)(r0 +14)', 'r1 = *(u16 *)(r0 +12)',
      'r1 = *(u32 *)(r0 +0)', 'r1 = *(u32 *)(r0 +56)', 'r1 = *(u8 *)(r0 +18)', 'r1 = *(u16 *)(r0 +122)', 'if r1 != 0xffff goto pc+1', 'w1 = -1',
    ]);
  });

  it('guards a division by a register (do_misc_fixups) with the scratch register r12 on 7.2', () => {
    const out = xlated(['r0 = *(u32 *)(r1 +0)', 'r2 = *(u32 *)(r1 +0)', 'r0 /= r2', 'exit'].join('\n'));
    expect(out.slice(2)).toEqual(['if r2 != 0x0 goto pc+2', 'w0 ^= w0', 'goto pc+1', 'r0 /= r2', 'exit']);
  });

  it('inlines an array lookup with offsetof(struct bpf_array, value): 0x130 on 7.2, 0x128 on 7.3', () => {
    const src = ['.map array 4 8 4', 'r2 = r10', 'r2 += -4', '*(u32 *)(r10 -4) = 0', 'r1 = map[id:0] ll', 'call bpf_map_lookup_elem#1', 'r0 = 0', 'exit'].join('\n');
    expect(xlated(src)[4]).toBe('r1 += 304');
    expect(xlated(src, PROFILES['linux-7.3'])[4]).toBe('r1 += 296');
    expect(xlated(src).slice(5, 11)).toEqual(['r0 = *(u32 *)(r2 +0)', 'if r0 >= 0x4 goto pc+3', 'r0 <<= 3', 'r0 += r1', 'goto pc+1', 'r0 = 0']);
  });

  it('dumps a subprogram call as (imm = subprog id, off = pc offset), after dead code moved it', () => {
    const src = ['.func main args=1', 'r1 = 0', 'if r1 != 0x0 goto l', 'call f', 'l: r0 = 0', 'exit', '.func f', 'r0 = 1', 'exit'].join('\n');
    const o = verify(program(src), PROFILES['linux-7.2'], { run: false });
    const call = rawFromHex(o.xlated ?? '').find((i) => i.code === 0x85)!;
    expect(call).toMatchObject({ src: 1, imm: 1, off: 2 });
  });

  // bpf_opt_subreg_zext_lo32_rnd_hi32: x86-64 needs no zero extension except after a 32-bit cmpxchg
  // whose R0 a path reads as 64 bits (zext_dst, set by mark_insn_zext)
  for (const c of CMPXCHG32_CASES) {
    it(`32-bit cmpxchg ${c.name}: ${c.zext ? 'BPF_ZEXT_REG(r0) after it' : 'no zero extension'}`, () => {
      for (const profile of [PROFILES['linux-7.2'], PROFILES['linux-7.3']]) {
        const o = verify(programFromAsm(c.source), profile, { run: false });
        const lines = disassemble(rawFromHex(o.xlated ?? '')).map((d) => d.text.replace(/^\d+: /, ''));
        expect(lines.filter((l) => l === '(bc) w0 = w0')).toHaveLength(c.zext);
        const at = lines.findIndex((l) => l.includes('atomic_cmpxchg'));
        if (c.zext && c.name.startsWith('read by')) expect(lines[at + 1]).toBe('(bc) w0 = w0');
      }
    });
  }
});
