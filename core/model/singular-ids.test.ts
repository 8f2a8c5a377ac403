// Scalar id numbering: 7.x clears the ids of singular scalars on each state is_state_visited keeps
// (bpf_clear_singular_ids), and a bpf-to-bpf call is a prune point at the call and at the callee's
// first insn (visit_func_call_insn). Both shift env->id_gen, which the reference-leak line shows
// (`Unreleased reference id=N`). The programs are campaign c10k program 5102 and its reduction;
// the ids are the real kernels' (test/model-gaps.test.ts runs them).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { programFromAsm } from '../program/assemble.ts';
import { parseProgramJsonText } from '../program/json.ts';
import { PROFILES, verify } from './index.ts';
import { clearSingularIds } from './states.ts';
import { knownScalar, newFrame, unknownScalar, type VState } from './state.ts';

const fixture = (name: string) => programFromAsm(readFileSync(new URL(`../../test/fixtures/model-gaps/${name}`, import.meta.url), 'utf8'));

describe('bpf_clear_singular_ids', () => {
  it('drops an id no other scalar shares, keeps one two registers (or a spill) share', () => {
    const f = newFrame(0, 0, -1);
    const st: VState = { frames: [f], refs: [], insnIdx: 0, prevIdx: -1 };
    f.regs[1] = { ...unknownScalar(), id: 5, delta: 3 };
    f.regs[2] = { ...unknownScalar(), id: 6 };
    f.regs[3] = { ...unknownScalar(), id: 6 };
    f.regs[4] = { ...unknownScalar(), id: 7 };
    f.regs[5] = { ...knownScalar(1n), id: 0 };
    f.stack.push({ types: Array<'spill'>(8).fill('spill'), spilled: { ...unknownScalar(), id: 7 } });
    clearSingularIds(st);
    expect(f.regs.slice(1, 5).map((r) => [r.id, r.delta])).toEqual([[0, 0], [6, 0], [6, 0], [7, 0]]);
  });

  it('7.3 names the reference id the kernel gives (4 in the reduced program, 16 in the original); 6.12, which keeps singular ids, says 3', () => {
    const reduced = fixture('singular-ids.s');
    expect(verify(reduced, PROFILES['linux-7.3']).message).toBe('Unreleased reference id=4 alloc_insn=30');
    expect(verify(reduced, PROFILES['linux-6.12']).message).toBe('Unreleased reference id=3 alloc_insn=30');
    // the original needs the pseudo-call prune points as well: without them the model keeps states the kernel does not
    expect(verify(fixture('singular-ids-full.s'), PROFILES['linux-7.3']).message).toBe('Unreleased reference id=16 alloc_insn=93');
  });

  // clean_verifier_state (core/model/live-regs.ts): a register dead at a prune point is NOT_INIT, so a
  // scalar id it shared with one stack slot is singular there and cleared, and the fill of the slot
  // takes a fresh id. A hand-written reduction (R5 passed to f1, which never reads it) and campaign
  // snd41 program 1363, where the model said id=3 and id=68 before the model cleaned dead registers
  it('7.3 names the id the kernel gives when a dead register held the only other copy (4 reduced, 74 in snd41/a650c1b6); 6.12 says 3', () => {
    const reduced = fixture('dead-reg-ids.s');
    expect(verify(reduced, PROFILES['linux-7.3']).message).toBe('Unreleased reference id=4 alloc_insn=19');
    expect(verify(reduced, PROFILES['linux-6.12']).message).toBe('Unreleased reference id=3 alloc_insn=19');
    const full = parseProgramJsonText(readFileSync(new URL('../../test/fixtures/model-gaps/dead-reg-ids-full.json', import.meta.url), 'utf8'));
    expect(verify(full, PROFILES['linux-7.3'])).toMatchObject({ message: 'Unreleased reference id=74 alloc_insn=97', verifiedInsns: 1538 });
  });
});
