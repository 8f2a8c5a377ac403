// The first disagreement on a real kernel: 6.12.118 run with the 7.2 profile as its prediction (a
// planted profile error: 7.2 knows that an array lookup with a constant in-range key cannot
// return NULL, 6.12 does not), so the model accepts what 6.12 rejects; `bpfdiff run` loads the
// program once more at log level 2 and names the instruction and register where they part ways.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { programFromAsm, programToJson } from '../core/program/index.ts';
import { Engine } from '../engine/index.ts';
import type { Outcome } from '../core/program/types.ts';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'bpfdiff.js');

const ARRAY_LOOKUP_CONST_KEY = `.map array 4 8 4
        r6 = *(u32 *)(r1 +0)
        r6 &= 0xff
        *(u32 *)(r10 -4) = 0
        r2 = r10
        r2 += -4
        r1 = map[id:0] ll
        call bpf_map_lookup_elem#1
        r0 = *(u64 *)(r0 +0)
        r0 += r6
        exit
`;

// 6.12's scalar_min_max_mul gives up when a factor may be negative; 7.2 (BPF_MUL's precise
// bounds, 6.14+) keeps [-16, 14], so only 7.2 lets R6 move a stack pointer
const MUL_SIGNED_RANGE = `r6 = *(u32 *)(r1 +0)
        r6 &= 0xf
        r6 += -8
        r6 *= 2
        r2 = r10
        r2 += -32
        r2 += r6
        r0 = 0
        *(u8 *)(r2 +0) = r0
        exit
`;

describe('bpfdiff run: first disagreement with a real kernel', () => {
  it('prints where the model (7.2 profile) and the real 6.12 first disagree, and nothing where they agree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-disagree-'));
    const file = join(dir, 'lookup.json');
    writeFileSync(file, JSON.stringify(programToJson(programFromAsm(ARRAY_LOOKUP_CONST_KEY))));
    const planted = `${join(root, 'vm-images', 'cache', 'kernels', '6.12', 'vmlinuz')}:7.2`;
    const r = await execa('node', [bin, 'run', file, '--kernel', planted, '--kernel', '6.12', '--kernel', '7.2'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const outcomes = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Outcome);
    expect(outcomes.map((o) => o.verdict)).toEqual(['reject', 'reject', 'accept']);
    expect(r.stderr.trim().split('\n')).toEqual([
      `kernel ${planted}: model accept, kernel reject (R0 invalid mem access 'map_value_or_null'): model and kernel first disagree at insn 8: R0 map_value vs map_value_or_null`,
    ]);
    const quiet = await execa('node', [bin, 'run', file, '--kernel', planted, '--no-explain'], { reject: false });
    expect(quiet.stderr).toBe('');
  }, 240_000);

  it('names the bound where the two part ways: a signed multiplication the real 6.12 does not bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdiff-disagree-'));
    const file = join(dir, 'mul.json');
    writeFileSync(file, JSON.stringify(programToJson(programFromAsm(MUL_SIGNED_RANGE))));
    const planted = `${join(root, 'vm-images', 'cache', 'kernels', '6.12', 'vmlinuz')}:7.2`;
    const r = await execa('node', [bin, 'run', file, '--kernel', planted], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe(
      `kernel ${planted}: model accept, kernel reject (math between fp pointer and register with unbounded min value is not allowed): model and kernel first disagree at insn 4: R6 smin -16 vs 0x8000000000000000`,
    );
  }, 240_000);

  it('the engine explains a batch divergence and a check (what the batch and check workers run), on the real 6.12 predicted by the 7.2 profile', async () => {
    const engine = new Engine({ poolSize: 1, profiles: { '6.12': '7.2' }, soundnessRate: 0 });
    try {
      const program = programFromAsm(ARRAY_LOOKUP_CONST_KEY);
      const batch = await engine.runBatch([program], ['6.12']);
      expect(batch.divergences.map((d) => [d.class, d.firstDisagreement?.text])).toEqual([
        ['verdict-model-accept', 'model and kernel first disagree at insn 8: R0 map_value vs map_value_or_null'],
      ]);
      const checked = await engine.kernelOutcomes(program, ['6.12']);
      expect(checked['6.12']!.verdict).toBe('reject');
      expect(checked['6.12']!.firstDisagreement).toMatchObject({ kind: 'state', insn: 8, reg: 0, field: 'type', model: 'map_value', kernel: 'map_value_or_null' });
    } finally {
      await engine.close();
    }
  }, 240_000);
});
