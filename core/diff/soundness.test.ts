import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProgram, programFromAsm, type Program } from '../program/index.ts';
import { brokenBound, brokenStackBound, checkSoundness, describeUnsound } from './soundness.ts';
import { sampled } from './soundness-stage.ts';
import { parseRegState } from './verifier-states.ts';
import { modelVerify } from './model.ts';

const dir = new URL('./fixtures/', import.meta.url);
const fixture = (name: string): { program: Program; log: string } => ({
  program: parseProgram(JSON.parse(readFileSync(new URL(`${name}.program.json`, dir), 'utf8'))),
  log: readFileSync(new URL(`${name}.log`, dir), 'utf8'),
});
/** a kernel that believes every u32 it loads is at most 63 (the default packet is 64 bytes long) */
const plantU32Max63 = (log: string) => log.replaceAll('smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)', 'smax=umax=0x3f,var_off=(0x0; 0x3f)');

describe('the soundness oracle against real 7.2 and 7.3 logs', () => {
  // the retval each real kernel returned when the log was recorded
  const kernelRetval: Record<string, number> = {
    'log2-7.2-subprog': 2501345397,
    'log2-7.2-branches': 2613188478,
    'log2-7.2-return-pruned': 1815375124,
    'log2-7.2-global': 1765496422,
    'log2-7.3-subprog': 2501345397,
    'log2-6.12-subprog': 2501345397,
    // maybe_fork_scalars: r7 in [-1, 0] before `r7 &= 0x10000` splits into r7 = 0x10000 and a
    // second path `from 3 to 3` with r7 = 0; the run (skb->len << 32 s>> 63 = 0) is on the second
    'log2-7.2-fork-and': 0,
    // 170: (57) r9 &= -1686615396 on a constant r9: 7.2 prints no R9 after it (and turns the
    // branch on it at 171 into `goto`); a belief kept from before the AND would be stale
    'log2-7.2-unprinted-alu': 38986867,
  };
  const names = Object.keys(kernelRetval);
  it.each(names)('%s: the interpreter agrees with the kernel on retval, and every checked value is inside the kernel belief', (name) => {
    const { program, log } = fixture(name);
    const profile = name.includes('6.12') ? 'linux-6.12' : name.includes('7.3') ? 'linux-7.3' : 'linux-7.2';
    const model = modelVerify()(program, profile);
    expect(model.verdict).toBe('accept');
    expect(model.retval! >>> 0).toBe(kernelRetval[name]);
    const r = checkSoundness(program, log, 11);
    expect(r.unsound).toEqual([]);
    expect(r.checked).toBeGreaterThan(name.includes('fork-and') ? 3 : 20);
  });

  it('follows the path through the walk: to the end without pruning, to the pruning point with it', () => {
    const plain = checkSoundness(fixture('log2-7.2-subprog').program, fixture('log2-7.2-subprog').log, 11);
    expect(plain.stopped).toBeUndefined();
    expect(plain.steps).toBe(80);
    const g = fixture('log2-7.2-global');
    // the run enters the global functions f2 and f3 and is matched against their own walks
    expect(checkSoundness(g.program, g.log, 11).steps).toBeGreaterThan(80);
  });

  it('catches a planted belief: a u32 load believed <= 63 that holds 64', () => {
    const { program, log } = fixture('log2-7.2-subprog');
    const r = checkSoundness(program, plantU32Max63(log), 11);
    expect(r.unsound.length).toBeGreaterThan(0);
    const first = r.unsound[0]!;
    // 3: (0f) r6 += r0, with r0 = skb->len
    expect(first).toMatchObject({ insn: 3, reg: 0, value: 64n, bound: 'smax', what: 'alu64 add' });
    expect(describeUnsound(first)).toBe('insn 3 (alu64 add): R0 = 0x40, kernel believed smax=0x3f');
  });

  it('checks stack pointers: the frame and the offset the kernel believed', () => {
    const { program, log } = fixture('log2-7.2-subprog');
    // 17: (07) r1 += -16 ; R1=fp-16 — planted as fp-24; the call at 18 passes r1
    const r = checkSoundness(program, log.replace('17: (07) r1 += -16                    ; R1=fp-16', '17: (07) r1 += -16                    ; R1=fp-24'), 11);
    expect(r.unsound.map((u) => [u.insn, u.reg, u.bound])).toEqual([[18, 1, 'fp off']]);
    expect(describeUnsound(r.unsound[0]!)).toBe('insn 18 (jmp call): R1 = fp[0]-16, kernel believed fp-24');
    expect(brokenStackBound(parseRegState(1, 'fp[0]-16'), 1, 0, -16)).toBeUndefined();
    expect(brokenStackBound(parseRegState(1, 'fp[0]-16'), 1, 1, -16)).toBe('frame');
    expect(brokenStackBound(parseRegState(1, 'fp(off=-32,smin=smin32=0,smax=umax=smax32=umax32=8,var_off=(0x0; 0x8))'), 0, 0, -24)).toBeUndefined();
    expect(brokenStackBound(parseRegState(1, 'fp(off=-32,smin=smin32=0,smax=umax=smax32=umax32=8,var_off=(0x0; 0x8))'), 0, 0, -28)).toBe('var var_off');
  });

  it('checks map value, packet and ctx pointers: the offset the kernel believed, fixed or variable', () => {
    // real 7.2.13 log: a packet bounds check, an array lookup, a variable offset into the value
    const { program, log } = fixture('log2-7.2-pointers');
    const clean = checkSoundness(program, log, 11);
    expect(clean.unsound).toEqual([]);
    // R4 = data + 20 compared with data_end at insn 5, planted as data + 24
    const pkt = checkSoundness(program, log.replace('4: (07) r4 += 20                      ; R4=pkt(r=0,imm=20)', '4: (07) r4 += 20                      ; R4=pkt(r=0,imm=24)'), 11);
    expect(pkt.unsound.map((u) => [u.insn, u.reg, u.bound])).toEqual([[5, 4, 'pkt var var_off']]);
    expect(describeUnsound(pkt.unsound[0]!)).toBe('insn 5 (jmp jgt): R4 = pkt+20, kernel believed pkt(var_off=(0x18; 0x0))');
    // R0 = value + 8 after the add at 16, planted as + 12
    const fixed = checkSoundness(program, log.replace('R0=map_value(ks=4,vs=16,imm=8)', 'R0=map_value(ks=4,vs=16,imm=12)'), 11);
    expect(fixed.unsound.map((u) => [u.insn, u.reg, u.bound])).toEqual([[17, 0, 'map_value var var_off']]);
    // the load at 18 through value + 8 + (packet byte & 1): the default packet is zeros, so + 8; planted as 9 only
    const variable = checkSoundness(program, log.replaceAll('smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=9,var_off=(0x8; 0x1)', 'smin=umin=smin32=umin32=9,smax=umax=smax32=umax32=9,var_off=(0x9; 0x0)'), 11);
    expect(variable.unsound.map((u) => [u.insn, u.reg, u.bound])).toEqual([[18, 0, 'map_value var smin']]);
    expect(describeUnsound(variable.unsound[0]!)).toBe('insn 18 (ldx): R0 = map_value+8, kernel believed map_value(smin=0x9,smax=0x9,umin=0x9,umax=0x9,var_off=(0x9; 0x0))');
    // the ctx pointer at its start, planted at +8
    const ctx = checkSoundness(program, log.replace('1: (61) r2 = *(u32 *)(r6 +76)         ; R2=pkt(r=0) R6=ctx()', '1: (61) r2 = *(u32 *)(r6 +76)         ; R2=pkt(r=0) R6=ctx(off=8)'), 11);
    expect(ctx.unsound.map((u) => [u.insn, u.reg, u.bound])).toEqual([[2, 6, 'ctx off']]);
  });

  it('follows a run past a pruning point into the walk that covered it, and catches a branch side no walk took (real 7.2.13 kernel bug)', () => {
    // the stack-argument precision bug (corpus/regressions/stack_arg_precision_not_propagated.s):
    // the run's path (argument 6 = 64) is pruned at the call against the path with argument 3,
    // whose walk of f went from `if r0 == 3` to `ok` only; the run goes on to the fall-through
    // the regression's program with both sides of f's branch returning 99 (so the return values agree)
    const regression = readFileSync(new URL('../../corpus/regressions/stack_arg_precision_unsound_belief.s', import.meta.url), 'utf8');
    const program = programFromAsm(regression.replace('ok:\n        r0 += 0', 'ok:\n        r0 = 99'));
    const log = readFileSync(new URL('log2-7.2-prune-unwalked.log', dir), 'utf8');
    const r = checkSoundness(program, log, 11);
    expect(r.pruned).toBeGreaterThan(0);
    expect(r.unsound.map((u) => [u.insn, u.reg, u.bound, u.to])).toEqual([[24, 0, 'unwalked', 25]]);
    expect(describeUnsound(r.unsound[0]!)).toBe('insn 24 (jmp jeq): the run goes on to insn 25 with R0 = 0x40, a way the verifier never walked from the states it pruned against at insn 11');
    // a sound prune: the walk that covered the path also covers where the run goes
    for (const name of ['log2-7.2-return-pruned', 'log2-7.2-branches', 'log2-7.2-subprog', 'log2-7.2-pointers']) {
      const f = fixture(name);
      expect(checkSoundness(f.program, f.log, 11).unsound, name).toEqual([]);
    }
  });

  it('checks each kind of bound, the tnum included', () => {
    const b = parseRegState(3, 'scalar(smin=-4,smax=100,umax=0xffffffffffffff00,smin32=-4,smax32=100,var_off=(0x0; 0xfffffffffffffffe))');
    expect(brokenBound(b, 6n)).toBeUndefined();
    expect(brokenBound(b, 7n)).toBe('var_off');
    expect(brokenBound(b, 102n)).toBe('smax');
    expect(brokenBound(b, BigInt.asUintN(64, -6n))).toBe('smin');
    expect(brokenBound(parseRegState(1, '5'), 4n)).toBe('value');
    expect(brokenBound(parseRegState(1, 'scalar(umin=umin32=16)'), 0x1_0000_0000n + 15n)).toBe('u32min');
    expect(brokenBound(parseRegState(1, 'fp-8'), 4n)).toBeUndefined();
  });

  it('samples by campaign index: the same programs on every run, about the share asked for', () => {
    const picked = Array.from({ length: 10_000 }, (_, i) => sampled(i, 0.1));
    expect(picked.filter(Boolean).length).toBeGreaterThan(900);
    expect(picked.filter(Boolean).length).toBeLessThan(1100);
    expect(Array.from({ length: 10_000 }, (_, i) => sampled(i, 0.1))).toEqual(picked);
    expect(sampled(5, 1)).toBe(true);
    expect(sampled(5, 0)).toBe(false);
  });
});
