// bpfdiff-gen/5: the malformed-program and pointer-misuse mutation kinds each get their reason
// line from the 7.2 model, and the new statements (exit laid out first, ctx writes) give
// programs the model accepts.
import { describe, expect, it } from 'vitest';
import { resolveProfile, verify } from '../model/index.ts';
import { validateProgram } from '../program/index.ts';
import { generateProgram } from './index.ts';
import { MUTATION_RULES, type MutationKind } from './mutations.ts';
import { MALFORMED_MUTATORS } from './mutate-malformed.ts';
import { POINTER_MUTATORS } from './mutate-pointers.ts';
import { SK_MUTATORS } from './mutate-sk.ts';
import { MAP_VALUE_MUTATORS } from './mutate-mapvalue.ts';

const profile = resolveProfile('7.2')!;
const KINDS = [...Object.keys(MALFORMED_MUTATORS), ...Object.keys(POINTER_MUTATORS), ...Object.keys(SK_MUTATORS), ...Object.keys(MAP_VALUE_MUTATORS)] as MutationKind[];

describe('gen/5 mutation kinds', () => {
  for (const kind of KINDS) {
    it(`${kind}: the 7.2 model rejects with the expected reason (${MUTATION_RULES[kind].rule})`, () => {
      for (let i = 0; i < 12; i++) {
        const p = generateProgram(21, i, { mutationRate: 1, mutations: [kind], progTypes: kind.startsWith('sk-') ? { sched_cls: 1, socket_filter: 1 } : { sched_cls: 1, xdp: 1 } });
        expect(p.meta).toMatchObject({ mutation: kind, rule: MUTATION_RULES[kind].rule });
        expect(validateProgram(p)).toEqual([]);
        const out = verify(p, profile, { xlated: false, jit: false, run: false });
        expect(out.verdict, `program ${i}: ${out.message}`).toBe('reject');
        expect(out.message).toMatch(new RegExp(String(p.meta?.expect)));
      }
    });
  }
});

describe('gen/5 statements', () => {
  it('functions laid out exit first end in ja or gotol, and the model accepts them', () => {
    let endsInJump = 0;
    for (let i = 0; i < 40; i++) {
      const p = generateProgram(22, i, { jumpLayoutRate: 1, mutationRate: 0 });
      const last = p.insns[p.insns.length - 1]!;
      if (last.code === 0x05 || last.code === 0x06) endsInJump++;
      expect(verify(p, profile, { xlated: false, jit: false, run: false }).verdict).toBe('accept');
    }
    expect(endsInJump).toBe(40);
  });
  it('ctx writes: sched_cls and socket_filter programs store into writable fields and are accepted', () => {
    let stores = 0;
    for (let i = 0; i < 40; i++) {
      const p = generateProgram(23, i, { ctxWriteRate: 0.5, mutationRate: 0, progTypes: { sched_cls: 1, socket_filter: 1 } });
      // BPF_STX|BPF_MEM|BPF_W or BPF_ST|BPF_MEM|BPF_W through r1
      stores += p.insns.filter((x) => (x.code === 0x63 || x.code === 0x62) && x.dst === 1).length;
      expect(verify(p, profile, { xlated: false, jit: false, run: false }).verdict).toBe('accept');
    }
    expect(stores).toBeGreaterThan(20);
  });
  it('the skb socket: sched_cls and socket_filter programs load ctx->sk, NULL-check it, read a field; accepted', () => {
    let loads = 0;
    for (let i = 0; i < 40; i++) {
      const p = generateProgram(24, i, { skbSkRate: 0.5, mutationRate: 0, progTypes: { sched_cls: 1, socket_filter: 1 } });
      loads += p.insns.filter((x) => x.code === 0x79 && x.off === 168).length;
      expect(verify(p, profile).verdict).toBe('accept');
    }
    expect(loads).toBeGreaterThan(20);
  });
  it('direct map values: ld_imm64 of a one-element array value, accepted with a predicted retval', () => {
    let direct = 0;
    for (let i = 0; i < 40; i++) {
      const p = generateProgram(25, i, { mapValueImmRate: 0.5, mutationRate: 0 });
      direct += p.insns.filter((x) => x.code === 0x18 && x.src === 2).length;
      expect(p.maps.filter((m) => m.maxEntries === 1 && m.type === 'array').length).toBeLessThanOrEqual(1);
      const out = verify(p, profile);
      expect(out.verdict).toBe('accept');
      expect(out.retval).toBeTypeOf('number');
    }
    expect(direct).toBeGreaterThan(20);
  });
});
