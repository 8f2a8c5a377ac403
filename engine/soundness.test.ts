// The soundness oracle end to end through the engine, without a guest: a "kernel" that is the
// model for the first load and, for the level-2 load, a recorded real 7.2.13 log in which the
// verifier's belief about every u32 load was planted wrong (at most 63; the packet is 64 bytes).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelVerify, type KernelRunner } from '../core/diff/index.ts';
import { parseProgram, type Outcome, type Program } from '../core/program/index.ts';
import { Engine } from './engine.ts';

const dir = new URL('../core/diff/fixtures/', import.meta.url);
const program = parseProgram(JSON.parse(readFileSync(new URL('log2-7.2-subprog.program.json', dir), 'utf8')));
const realLog = readFileSync(new URL('log2-7.2-subprog.log', dir), 'utf8');
const planted = realLog.replaceAll('smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)', 'smax=umax=0x3f,var_off=(0x0; 0x3f)');

function runner(log: string, level2Loads: Program[][]): KernelRunner {
  const verify = modelVerify();
  const outcome = (p: Program): Outcome => ({ ...verify(p, 'linux-7.2'), kernel: 'test:planted-7.2' });
  return {
    run: async (ps) => ps.map(outcome),
    runLevel2: async (ps) => {
      level2Loads.push(ps);
      return ps.map((p) => ({ ...outcome(p), log }));
    },
  };
}

describe('verifier-unsound through the engine', () => {
  it('a kernel log that claims a wrong range is a verifier-unsound finding, though verdict and retval agree', async () => {
    const loads: Program[][] = [];
    const engine = new Engine({ runner: runner(planted, loads), soundnessRate: 1 });
    const r = await engine.runBatch([program], ['7.2']);
    expect(loads.length).toBe(1);
    expect(r.byClass['verifier-unsound']).toBe(1);
    expect(r.divergences.map((d) => d.signature)).toEqual(['verifier-unsound|alu64 add R0 smax']);
    expect(r.divergences[0]!.detail).toContain('insn 3 (alu64 add): R0 = 0x40, kernel believed smax=0x3f');
    expect(r.soundness).toMatchObject({ programs: 1 });
    expect(r.soundness!.values).toBeGreaterThan(20);
    // the reducer keeps the class: its oracle loads every candidate at level 2 again
    const before = loads.length;
    const red = await engine.reduce(r.divergences[0]!, { maxChecks: 20 });
    expect(red).toBeDefined();
    expect(loads.length).toBeGreaterThan(before);
    expect(red!.actual).toBeDefined();
    await engine.close();
  });

  it('the same log as the kernel wrote it gives no finding; --no-soundness makes no second load', async () => {
    const loads: Program[][] = [];
    const engine = new Engine({ runner: runner(realLog, loads), soundnessRate: 1 });
    const r = await engine.runBatch([program], ['7.2']);
    expect(r.divergences).toEqual([]);
    expect(r.soundness?.programs).toBe(1);
    const off = await new Engine({ runner: runner(planted, loads), soundnessRate: 0 }).runBatch([program], ['7.2']);
    expect(off.divergences).toEqual([]);
    expect(off.soundness).toBeUndefined();
    expect(loads.length).toBe(1);
    await engine.close();
  });
});
