import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProgram, programFromAsm } from '../program/index.ts';
import { modelBeliefs } from '../model/beliefs.ts';
import { PROFILES, resolveProfile } from '../model/index.ts';
import { firstDisagreement } from './first-disagreement.ts';
import { liveRegsFromLog } from './live-regs.ts';
import { parseVerifierStates, type InsnBelief, type RegBelief } from './verifier-states.ts';

const ctx: RegBelief = { reg: 1, type: 'ctx', off: 0 };
const fp: RegBelief = { reg: 10, type: 'fp', off: 0 };
const byte = (reg: number, umax: bigint): RegBelief => ({
  reg, type: 'scalar', smin: 0n, smax: umax, umin: 0n, umax, s32min: 0n, s32max: umax, u32min: 0n, u32max: umax, varOff: { value: 0n, mask: umax },
});
const step = (insn: number, ...regs: RegBelief[]): InsnBelief => ({ insn, frame: 0, regs: [ctx, fp, ...regs] });

describe('firstDisagreement on hand-built walks', () => {
  it('names the instruction, register and bound, model first', () => {
    const model = [step(0), step(1, byte(3, 255n)), step(2, byte(3, 255n))];
    // the kernel prints only what differs from the defaults: smin=0 is printed, smin32 etc. merged
    const kernel = [step(0), step(1, byte(3, 255n)), step(2, { reg: 3, type: 'scalar', smin: 0n, smax: 511n, umax: 511n, s32min: 0n, s32max: 511n, u32max: 511n, varOff: { value: 0n, mask: 511n } })];
    const d = firstDisagreement(model, kernel)!;
    expect(d.kind).toBe('state');
    expect(d.text).toBe('model and kernel first disagree at insn 2: R3 smax 255 vs 511');
    expect(d).toMatchObject({ insn: 2, step: 2, agreedSteps: 2, reg: 3, field: 'smax', model: '255', kernel: '511' });
  });

  it('an omitted bound is the default, not a difference; a set one that differs from it is', () => {
    const unknown: RegBelief = { reg: 2, type: 'scalar' };
    const full: RegBelief = { reg: 2, type: 'scalar', smin: -(1n << 63n), smax: (1n << 63n) - 1n, umin: 0n, umax: (1n << 64n) - 1n, s32min: -(1n << 31n), s32max: (1n << 31n) - 1n, u32min: 0n, u32max: (1n << 32n) - 1n, varOff: { value: 0n, mask: (1n << 64n) - 1n } };
    expect(firstDisagreement([step(0, full)], [step(0, unknown)])!.kind).toBe('end');
    const d = firstDisagreement([step(0, full)], [step(0, { reg: 2, type: 'scalar', umax: 0xffffffffn })])!;
    expect(d.text).toBe('model and kernel first disagree at insn 0: R2 umax 0xffffffffffffffff vs 0xffffffff');
  });

  it('a constant equals the same value spelled as bounds; u64 and s64 spellings of one value are equal', () => {
    const c: RegBelief = { reg: 4, type: 'scalar', value: -1n };
    const asBounds: RegBelief = { reg: 4, type: 'scalar', smin: -1n, smax: -1n, umin: (1n << 64n) - 1n, umax: (1n << 64n) - 1n, s32min: -1n, s32max: -1n, u32min: 0xffffffffn, u32max: 0xffffffffn, varOff: { value: (1n << 64n) - 1n, mask: 0n } };
    expect(firstDisagreement([step(0, c)], [step(0, asBounds)])!.kind).toBe('end');
    expect(firstDisagreement([step(0, c)], [step(0, { reg: 4, type: 'scalar', value: 0xffffffffffffffffn })])!.kind).toBe('end');
    expect(firstDisagreement([step(0, c)], [step(0, { reg: 4, type: 'scalar', value: 1n })])!.text).toBe('model and kernel first disagree at insn 0: R4 smin -1 vs 1');
  });

  it('type differences and registers only the kernel knows; registers only the model knows are dead to the kernel', () => {
    expect(firstDisagreement([step(5, byte(2, 7n))], [step(5, { reg: 2, type: 'map_value', off: 0 })])!.text).toBe('model and kernel first disagree at insn 5: R2 scalar vs map_value');
    expect(firstDisagreement([step(5)], [step(5, { reg: 6, type: 'scalar', value: 3n })])!.text).toBe('model and kernel first disagree at insn 5: R6 not_init vs 3');
    expect(firstDisagreement([step(5, byte(6, 1n))], [step(5)])!.kind).toBe('end');
    expect(firstDisagreement([step(5, { reg: 0, type: 'map_value', off: 0 })], [step(5, { reg: 0, type: 'map_value_or_null', off: 0 })])!.text).toBe(
      'model and kernel first disagree at insn 5: R0 map_value vs map_value_or_null',
    );
  });

  it('pointer offsets: 6.12 off plus var_off, 7.x var_off alone, fp-8 as off; variable offsets are not compared', () => {
    expect(firstDisagreement([step(3, { reg: 2, type: 'fp', off: -8 })], [step(3, { reg: 2, type: 'fp', off: -8 })])!.kind).toBe('end');
    expect(firstDisagreement([step(3, { reg: 2, type: 'fp', off: -8 })], [step(3, { reg: 2, type: 'fp', varOff: { value: -16n & ((1n << 64n) - 1n), mask: 0n } })])!.text).toBe(
      'model and kernel first disagree at insn 3: R2 off -8 vs -16',
    );
    const variable: RegBelief = { reg: 2, type: 'fp', off: -100, varOff: { value: 0n, mask: 0x78n } };
    expect(firstDisagreement([step(3, { reg: 2, type: 'fp', varOff: { value: 0xff9cn, mask: 0xffffffffffff007fn } })], [step(3, variable)])!.kind).toBe('end');
    expect(firstDisagreement([step(3, { reg: 2, type: 'fp', off: -8 })], [step(3, variable)])!.text).toBe('model and kernel first disagree at insn 3: R2 off -8 vs variable');
  });

  it('stops where the walks part ways, and says so; says where one walk ends', () => {
    const d = firstDisagreement([step(0), step(1), step(24)], [step(0), step(1), step(2)])!;
    expect(d).toMatchObject({ kind: 'walk', step: 2, agreedSteps: 2 });
    expect(d.text).toBe('model and kernel agree on the state at each of the first 2 steps; then their walks part ways: the model goes to insn 24, the kernel to insn 2');
    const e = firstDisagreement([step(0), step(1), step(2)], [step(0), step(1)])!;
    expect(e.text).toBe("model and kernel agree on the state at each of the 2 steps both walked, up to insn 1; the kernel's walk ends there, the model's goes on to insn 2");
    expect(firstDisagreement([], [])).toBeUndefined();
    expect(firstDisagreement([], [step(0)])!.text).toBe('model and kernel part ways before the walk: the model rejects before it walks any instruction, the other walks from insn 0');
  });
});

describe('modelBeliefs', () => {
  it('walks the program in order with the kernel names and bounds before each instruction', () => {
    const p = programFromAsm('r6 = *(u32 *)(r1 +0)\nr6 &= 0xff\nr2 = r10\nr2 += -8\nr0 = 0\nexit\n');
    const b = modelBeliefs(p, PROFILES['linux-7.2']);
    expect(b.map((s) => s.insn)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(b[0]!.regs).toEqual([{ reg: 1, type: 'ctx', off: 0 }, { reg: 10, type: 'fp', off: 0 }]);
    const r6 = b[2]!.regs.find((r) => r.reg === 6)!;
    expect(r6).toMatchObject({ type: 'scalar', umin: 0n, umax: 255n, smax: 255n, u32max: 255n, varOff: { value: 0n, mask: 255n } });
    expect(b[4]!.regs.find((r) => r.reg === 2)).toEqual({ reg: 2, type: 'fp', off: -8 });
  });

  it('two profiles that differ in one rule first disagree where that rule applies (array lookup with a constant key)', () => {
    const p = programFromAsm(
      '.map array 4 8 4\nr6 = *(u32 *)(r1 +0)\nr6 &= 0xff\n*(u32 *)(r10 -4) = 0\nr2 = r10\nr2 += -4\nr1 = map[id:0] ll\ncall bpf_map_lookup_elem#1\nr0 = *(u64 *)(r0 +0)\nr0 += r6\nexit\n',
    );
    const d = firstDisagreement(modelBeliefs(p, PROFILES['linux-7.2']), modelBeliefs(p, PROFILES['linux-6.12']))!;
    expect(d.text).toBe('model and kernel first disagree at insn 8: R0 map_value vs map_value_or_null');
  });
});

describe('firstDisagreement along paths', () => {
  const at = (path: number, insn: number, ...regs: RegBelief[]): InsnBelief => ({ ...step(insn, ...regs), path });
  it('matches each kernel path with a model path from the same instruction, skipping paths the kernel pruned', () => {
    // the model walks 0 1 2 | 5 6 (a path the kernel pruned) | 3 4; the kernel 0 1 2 | 3 4
    const model = [at(0, 0), at(0, 1), at(0, 2), at(1, 5), at(1, 6), at(2, 3), at(2, 4, byte(2, 15n))];
    const kernel = [at(0, 0), at(0, 1), at(0, 2), at(1, 3), at(1, 4, byte(2, 7n))];
    expect(firstDisagreement(model, kernel)!.text).toBe('model and kernel first disagree at insn 4: R2 smax 15 vs 7');
    const agreeing = [at(0, 0), at(0, 1), at(0, 2), at(1, 3), at(1, 4, byte(2, 7n))];
    expect(firstDisagreement([...model.slice(0, 6), at(2, 4, byte(2, 7n))], agreeing)!.text).toBe(
      "model and kernel agree on the state at each of the 5 steps both walked, on the kernel's 2 paths (the model walks 1 more that the kernel does not)",
    );
  });
  it('says where the kernel stops while the model goes on in the same state (a rule, not a belief, differs)', () => {
    const d = firstDisagreement([at(0, 0), at(0, 1), at(0, 2), at(0, 3)], [at(0, 0), at(0, 1)])!;
    expect(d.text).toBe("model and kernel agree on the state at each of the 2 steps both walked, on the kernel's 1 path; the kernel stops at insn 1, the model goes on to insn 2");
  });

  it('says so when the kernel walks a path the model never does', () => {
    const d = firstDisagreement([at(0, 0), at(0, 1)], [at(0, 0), at(0, 1), at(1, 9)])!;
    expect(d).toMatchObject({ kind: 'walk', insn: 9, agreedSteps: 2 });
    expect(d.text).toBe('model and kernel agree on the state at each of the 2 steps both walked; then their walks part ways: the kernel walks path 2 from insn 9, which the model never walks');
  });
  it('does not compare a register the log says is dead before the instruction', () => {
    const model = [at(0, 3, byte(0, 255n), byte(2, 1n))];
    const kernel = [at(0, 3, { reg: 0, type: 'scalar' }, byte(2, 1n))];
    expect(firstDisagreement(model, kernel)!.kind).toBe('state');
    expect(firstDisagreement(model, kernel, { liveRegs: new Map([[3, 0b100]]) })!.kind).toBe('end');
  });
});

describe('firstDisagreement on real level-2 logs', () => {
  const fixtures = join(import.meta.dirname, 'fixtures');
  const read = (f: string) => readFileSync(join(fixtures, f), 'utf8');
  const program = (name: string, kernel: string) => {
    const own = `log2-${kernel}-${name}.program.json`;
    try {
      return parseProgram(JSON.parse(read(own)));
    } catch {
      return parseProgram(JSON.parse(read(`log2-${name}.program.json`)));
    }
  };
  const explain = (name: string, kernel: string, profile = kernel) => {
    const log = read(`log2-${kernel}-${name}.log`);
    return firstDisagreement(modelBeliefs(program(name, kernel), resolveProfile(profile)!), parseVerifierStates(log), { liveRegs: liveRegsFromLog(log) })!;
  };

  // 6.12.118, 7.2.13 and 7.3-rc7 logs of generated and held-out programs the model gets right
  it.each([
    ['subprog', '7.2', 80], ['subprog', '7.3', 80], ['branches', '7.2', 175], ['global', '7.2', 547], ['return-pruned', '7.2', 488],
    ['arraynull', '7.2', 10], ['arraynull', '6.12', 8], ['heldout251', '7.2', 17], ['heldout251', '6.12', 14], ['seven-args', '6.12', 6],
  ])('%s on %s: every state both walks share agrees', (name, kernel, steps) => {
    const d = explain(name, kernel);
    expect(d.kind, d.text).toBe('end');
    expect(d.agreedSteps).toBe(steps);
  });

  it('the model under the 7.2 profile against the real 6.12: the array lookup a constant key makes non-NULL on 7.2 only', () => {
    expect(explain('arraynull', '6.12', '7.2').text).toBe('model and kernel first disagree at insn 8: R0 map_value vs map_value_or_null');
  });

  it('a multiplication by a negative factor: the real 6.12 gives up on its bounds (scalar_min_max_mul), as its profile does; the 7.2 profile multiplies signed ranges', () => {
    // 4: r6 *= -140221627 with R6 in [0xffffffffb92c33c9, 0xb92c33c8] signed: 6.12 prints R6=scalar()
    const own = explain('subprog', '6.12');
    expect(own.kind, own.text).toBe('end');
    expect(explain('subprog', '6.12', '7.2').text).toBe('model and kernel first disagree at insn 5: R6 smin 0xf9f45a4d25104ce8 vs 0x8000000000000000');
  });

  it('reads the liveness table, loop rows (an SCC number before the insn) included', () => {
    const live = liveRegsFromLog(read('log2-7.2-return-pruned.log'));
    expect(live.get(28)).toBe(0b1111000000);
    expect(live.get(31)).toBe(0b1111100000);
    expect(liveRegsFromLog(read('log2-6.12-subprog.log')).size).toBe(0);
  });
});
