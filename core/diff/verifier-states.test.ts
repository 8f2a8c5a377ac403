import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRegState, parseStateText, parseVerifierStates, parseVerifierWalk, type InsnBelief, type RegBelief, type VerifierWalk, type WalkSegment } from './verifier-states.ts';

// real level-2 logs of generated programs (bpfdiff run --log --log-level 2), programs beside them
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}.log`, import.meta.url), 'utf8');
const reg = (v: InsnBelief | undefined, r: number): RegBelief | undefined => v?.regs.find((b) => b.reg === r);
const firstVisit = (visits: InsnBelief[], insn: number) => visits.find((v) => v.insn === insn);

describe('register states as the kernel prints them (kernel/bpf/log.c print_reg_state)', () => {
  it('reads constants: decimal in s16 range, else the u64 in hex', () => {
    expect(parseRegState(6, '0xffffffffb92c33c9')).toMatchObject({ type: 'scalar', value: 0xffffffffb92c33c9n, smin: -0x46d3cc37n, u32max: 0xb92c33c9n, s32min: -0x46d3cc37n });
    expect(parseRegState(8, '-1')).toMatchObject({ value: (1n << 64n) - 1n, smax: -1n, umin: (1n << 64n) - 1n });
    expect(parseRegState(7, 'P0x40000000')).toMatchObject({ value: 0x40000000n, precise: true });
  });

  it('reads ranges with merged names, 32-bit hex as u32, omitted bounds at their limits', () => {
    const b = parseRegState(0, 'scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))');
    expect(b).toMatchObject({ type: 'scalar', smin: 0n, smax: 0xffffffffn, umin: 0n, umax: 0xffffffffn, varOff: { value: 0n, mask: 0xffffffffn } });
    expect(b.s32min).toBe(-(1n << 31n));
    const c = parseRegState(9, 'Pscalar(id=3,umax=0xffffffff6f89d27c,smin32=0,smax32=umax32=0x6f89d27c,var_off=(0x0; 0xffffffff7fffffff))');
    expect(c).toMatchObject({ precise: true, id: 3, umax: 0xffffffff6f89d27cn, s32min: 0n, s32max: 0x6f89d27cn, u32max: 0x6f89d27cn, smin: -(1n << 63n) });
    // a 32-bit signed bound printed in hex is the u32 pattern, not sign-extended
    expect(parseRegState(1, 'scalar(smin32=0x80000001)').s32min).toBe(-0x7fffffffn);
    expect(parseRegState(1, 'scalar(smin=smin32=-128,smax=smax32=127)')).toMatchObject({ smin: -128n, s32min: -128n, smax: 127n, s32max: 127n });
  });

  it('reads pointers: stack with its frame, ctx, map values with offsets', () => {
    expect(parseRegState(1, 'fp-16')).toEqual({ reg: 1, type: 'fp', off: -16 });
    expect(parseRegState(1, 'fp[0]-16')).toEqual({ reg: 1, type: 'fp', off: -16, frameno: 0 });
    expect(parseRegState(1, 'ctx()')).toEqual({ reg: 1, type: 'ctx' });
    expect(parseRegState(0, 'map_value(map=m,ks=4,vs=8,off=4)')).toMatchObject({ type: 'map_value', off: 4 });
    expect(parseRegState(0, 'map_value_or_null(id=1,ks=4,vs=8)')).toMatchObject({ type: 'map_value_or_null', id: 1 });
  });

  it('reads a frame prefix and 6.12 liveness marks, and skips stack slots', () => {
    const st = parseStateText(' frame1: R1_w=fp[0]-16 R10=fp0 fp-8_w=ctx() fp-24=mmmmmmmm');
    expect(st.frame).toBe(1);
    expect(st.regs.map((r) => r.reg)).toEqual([1, 10]);
  });
});

describe('the walk of a level-2 log (kernel/bpf/verifier.c do_check)', () => {
  it('7.2: a static subprogram call, states carried across the call and the return', () => {
    const visits = parseVerifierStates(fixture('log2-7.2-subprog'));
    expect(visits.length).toBe(80); // processed 80 insns, no pruning
    // before insn 3 (r6 += r0): r0 is the u32 ctx load, r6 the constant
    const v3 = firstVisit(visits, 3);
    expect(reg(v3, 0)).toMatchObject({ type: 'scalar', umax: 0xffffffffn, smin: 0n });
    expect(reg(v3, 6)?.value).toBe(0xffffffffb92c33c9n);
    expect(reg(v3, 1)?.type).toBe('ctx');
    // the callee runs in frame 1 with the caller's stack pointer as R1
    const v48 = firstVisit(visits, 48);
    expect(v48?.frame).toBe(1);
    expect(v48?.regs.map((r) => r.reg)).toEqual([1, 10]);
    expect(reg(v48, 1)).toEqual({ reg: 1, type: 'fp', off: -16, frameno: 0 });
    // back in the caller after the return: R0 unknown, R1-R5 gone, R8 kept
    const v19 = firstVisit(visits, 19);
    expect(v19?.frame).toBe(0);
    expect(v19?.regs.map((r) => r.reg)).toEqual([0, 6, 7, 8, 9, 10]);
    expect(reg(v19, 8)?.value).toBe(0xaf09f8can);
  });

  it('7.2: popped branches start new paths, pruned paths end `safe`, helper calls clear R0-R5', () => {
    const w = parseVerifierWalk(fixture('log2-7.2-branches'));
    // `from 124 to 27` after `to caller at 27:` continues the path; `from 109 to 111: safe` is a pruned branch
    expect(w.segments.map((s) => [s.end, s.from])).toEqual([
      ['exit', undefined],
      ['safe', { insn: 109, to: 111 }],
    ]);
    const popped = parseVerifierWalk(fixture('log2-7.2-return-pruned')).segments.find((s) => s.from && s.visits.length > 0)!;
    expect(popped.from).toEqual({ insn: 257, to: 261 });
    expect(popped.visits[0]).toMatchObject({ insn: 261, frame: 1 });
    // 32: call bpf_get_numa_node_id#42 — the next instruction sees no R1-R5 and an unprinted R0
    const v33 = w.segments[0]!.visits.find((v) => v.insn === 33);
    expect(v33?.regs.filter((r) => r.reg <= 5)).toEqual([]);
  });

  it('7.2: a path pruned right where a subprogram returns ends `safe` at the return address', () => {
    const w: VerifierWalk = parseVerifierWalk(fixture('log2-7.2-return-pruned'));
    const seg: WalkSegment = w.segments.find((s) => s.from?.insn === 257)!;
    expect(seg.visits.at(-1)?.insn).toBe(281);
    expect(seg).toMatchObject({ end: 'safe', safeAt: 86 });
    // every path of an accepted program ends at an exit or a pruning point
    expect(w.segments.every((s) => s.end !== 'open')).toBe(true);
  });

  it('7.2: each global function is a walk of its own, from its generic arguments', () => {
    const w = parseVerifierWalk(fixture('log2-7.2-global'));
    expect(w.walkStarts).toEqual([0, 161, 228]);
    const root = w.segments.find((s) => s.walk === 1 && !s.from)!;
    expect(root.start).toBe(161);
    expect(root.visits[0]).toMatchObject({ insn: 161, frame: 0 });
    expect(root.visits[0]!.regs.map((r) => [r.reg, r.type])).toEqual([
      [1, 'scalar'],
      [2, 'scalar'],
      [10, 'fp'],
    ]);
    // the call site sees the global callee's R0 as unknown and R1-R5 cleared
    const after = w.segments[0]!.visits.find((v) => v.insn === 14);
    expect(reg(after, 0)?.type).toBe('scalar');
    expect(after?.regs.some((r) => r.reg >= 1 && r.reg <= 5)).toBe(false);
  });

  it('7.2: a state forked at one instruction (maybe_fork_scalars) is a path `from 3 to 3`', () => {
    const w = parseVerifierWalk(fixture('log2-7.2-fork-and'));
    expect(w.segments.map((s) => [s.start, s.from, s.end, s.visits.map((v) => v.insn)])).toEqual([
      [0, undefined, 'exit', [0, 1, 2, 3, 4, 5]],
      [3, { insn: 3, to: 3 }, 'exit', [3, 4, 5]],
    ]);
    expect(reg(w.segments[0]!.visits[3], 7)).toMatchObject({ smin: -1n, smax: 0n });
    expect(reg(w.segments[0]!.visits[4], 7)?.value).toBe(0x10000n);
    expect(reg(w.segments[1]!.visits[0], 7)?.value).toBe(0n);
  });

  it('7.2: a register an instruction writes without the kernel printing it has no belief after it', () => {
    const visits = parseVerifierStates(fixture('log2-7.2-unprinted-alu'));
    // 165: r9 = 1311221558 ... 170: r9 &= -1686615396 ; frame1:   (nothing printed)
    expect(reg(firstVisit(visits, 170), 9)?.value).toBe(0x4e27a736n);
    expect(reg(firstVisit(visits, 171), 9)).toBeUndefined();
  });

  it('6.12 and 7.3 give the same beliefs as 7.2 for the same program', () => {
    const strip = (v: InsnBelief[]) => v.map((x) => ({ ...x, regs: x.regs.map((r) => ({ ...r })) }));
    const a = strip(parseVerifierStates(fixture('log2-7.2-subprog')));
    const c = strip(parseVerifierStates(fixture('log2-7.3-subprog')));
    expect(c).toEqual(a);
    const b = parseVerifierStates(fixture('log2-6.12-subprog'));
    expect(b.map((v) => v.insn)).toEqual(a.map((v) => v.insn));
    // 6.12 lost track of r6 after the multiplication where 7.2 keeps a range: same shape, its own beliefs
    expect(reg(firstVisit(b, 3), 0)).toMatchObject({ umax: 0xffffffffn });
  });
});
