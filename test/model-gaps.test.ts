// Model gaps the 10,000-program campaigns found, each fixed in the model: the reproducer runs on
// the real Debian kernels and the model must give what they give.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES, verify } from '../core/model/index.ts';
import { CMPXCHG32_CASES } from '../core/model/fixups/zext-cases.ts';
import { BOUNDS_612_CASES } from '../core/model/bounds-612.cases.ts';
import { compareOutcomes } from '../core/diff/index.ts';
import { disassemble, rawFromHex } from '../core/isa/index.ts';
import { programFromAsm } from '../core/program/assemble.ts';
import { parseProgram, parseProgramsJsonl, type Outcome, type Program } from '../core/program/index.ts';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';

const fixtureText = (name: string) => readFileSync(new URL(`./fixtures/model-gaps/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): Program => (name.endsWith('.json') ? parseProgram(JSON.parse(fixtureText(name))) : programFromAsm(fixtureText(name)));
const facts = (o: Outcome) => ({ verdict: o.verdict, errno: o.errno, message: o.message });

describe('model gaps from the campaigns, on real kernels', () => {
  const pools = new Map<string, VmPool>();
  const run = async (kernel: string, programs: Program[]) => pools.get(kernel)!.run(programs);

  beforeAll(async () => {
    const catalog = readCatalog();
    for (const id of ['7.2', '7.3', '6.12']) pools.set(id, await VmPool.create({ kernel: resolveKernel(id, catalog), size: 1, timeoutMs: 30_000, wantJitImage: id !== '6.12' }));
  });
  afterAll(async () => {
    await Promise.all([...pools.values()].map((p) => p.close()));
  });

  // bpf_clear_singular_ids and the pseudo-call prune points move env->id_gen on 7.x; the model
  // said id=3 (reduced) and id=15 (original) where 7.3-rc7 says 4 and 16
  it('reference ids: 7.3 and 6.12 name the id the model names', async () => {
    const programs = [fixture('singular-ids.s'), fixture('singular-ids-full.s')];
    const on73 = await run('7.3', programs);
    expect(on73.map(facts)).toEqual(programs.map((p) => facts(verify(p, PROFILES['linux-7.3']))));
    expect(on73.map((o) => o.message)).toEqual(['Unreleased reference id=4 alloc_insn=30', 'Unreleased reference id=16 alloc_insn=93']);
    const [on612] = await run('6.12', programs.slice(0, 1));
    expect(facts(on612!)).toEqual(facts(verify(programs[0]!, PROFILES['linux-6.12'])));
    expect(on612!.message).toBe('Unreleased reference id=3 alloc_insn=30');
  });

  // regsafe's check_scalar_ids: an old scalar without an id matches a current one with an id. The
  // model asked for the same id-ness on both sides, pruned less, and hit the 1M-insn limit on this
  // program of seed 3 (index 590) that 7.2 accepts after 36,349 insns
  it('pruning with scalar ids: 7.2 accepts a program the model called too large, with the retval the model computes', async () => {
    const p = fixture('scalar-ids-pruning.json');
    const [on72] = await run('7.2', [p]);
    const model = verify(p, PROFILES['linux-7.2']);
    expect(on72).toMatchObject({ verdict: 'accept', retval: 168230289 });
    expect({ verdict: model.verdict, retval: model.retval }).toEqual({ verdict: on72!.verdict, retval: on72!.retval });
  });

  // not a model gap: the campaign's xlated divergence (c10k/a90b4205, f1 303 bytes in the model, 235
  // in the kernel) is a kernel finding; corpus/regressions/stack_arg_precision_not_propagated.s
  it('stack-argument precision: 7.2 and 7.3 return 1 where the program (and the model) give 99', async () => {
    const p = programFromAsm(readFileSync(new URL('../corpus/regressions/stack_arg_precision_not_propagated.s', import.meta.url), 'utf8'));
    const [[on72], [on73]] = await Promise.all([run('7.2', [p]), run('7.3', [p])]);
    expect(verify(p, PROFILES['linux-7.2'])).toMatchObject({ verdict: 'accept', retval: 99 });
    expect(on72).toMatchObject({ verdict: 'accept', retval: 1 });
    expect(on73).toMatchObject({ verdict: 'accept', retval: 1 });
  });

  // the same bug as a belief the verifier gets wrong: its only walk of `ok` has R0=3, the run
  // returns skb->len (64) from there
  it('stack-argument precision: 7.2 runs `ok` with R0 = 64 where its level-2 log says R0=3', async () => {
    const p = programFromAsm(readFileSync(new URL('../corpus/regressions/stack_arg_precision_unsound_belief.s', import.meta.url), 'utf8'));
    const pool = await VmPool.create({ kernel: resolveKernel('7.2', readCatalog()), size: 1, timeoutMs: 30_000, keepLog: true, logLevel: 2 });
    try {
      const [o] = await pool.run([p]);
      expect(verify(p, PROFILES['linux-7.2'])).toMatchObject({ verdict: 'accept', retval: 99 });
      expect(o).toMatchObject({ verdict: 'accept', retval: 64 });
      const okInsn = (o!.log ?? '').split('\n').filter((l) => /^\d+: \(07\) r0 \+= 0 /.test(l));
      expect(okInsn).toHaveLength(1);
      expect(okInsn[0]).toMatch(/frame1: R0=3$/);
    } finally {
      await pool.close();
    }
  });

  // campaign g4/eebc1af8: the model rejected `invalid write to stack R2 off=11136 size=4` (reduced:
  // off=3920) on a path 7.2 and 7.3 prune. Two pruning gaps: cnum_is_subset said the whole circle
  // (an unknown scalar) does not hold an arc that wraps past UMAX (range_within in regsafe), and
  // explored states were one list per insn instead of per (insn ^ callsite) bucket
  // (core/model/range-within.test.ts, explored-bucket.test.ts hold the level-2 walks)
  it('pruning like the kernel: a wrapping scalar inside an unknown one, states per callsite bucket, dead registers, and g4/eebc1af8', async () => {
    // and a register no later insn reads (clean_verifier_state): live-regs.test.ts
    const small = [fixture('range-within-wrap.s'), fixture('explored-bucket.s'), fixture('dead-reg.s')];
    const expected = [['accept', 0, 24], ['accept', 2, 50], ['accept', 1, 14]];
    for (const [kernel, profile] of [['7.2', PROFILES['linux-7.2']], ['7.3', PROFILES['linux-7.3']], ['6.12', PROFILES['linux-6.12']]] as const) {
      const actual = await run(kernel, small);
      expect(actual.map((o) => [o.verdict, o.retval, o.verifiedInsns])).toEqual(expected);
      expect(small.map((p) => verify(p, profile)).map((o) => [o.verdict, o.retval, o.verifiedInsns])).toEqual(expected);
    }
    const campaign = [fixture('g4-eebc1af8.json'), fixture('g4-eebc1af8-reduced.json')];
    for (const [kernel, profile] of [['7.2', PROFILES['linux-7.2']], ['7.3', PROFILES['linux-7.3']]] as const) {
      const [full, reduced] = await run(kernel, campaign);
      expect(full).toMatchObject({ verdict: 'accept', retval: 3796554335 });
      expect(verify(campaign[0]!, profile)).toMatchObject({ verdict: 'accept', retval: 3796554335 });
      expect(reduced!.verdict).toBe('accept');
      expect(verify(campaign[1]!, profile).verdict).toBe('accept');
    }
  });

  // clean_verifier_state: 7.x makes the registers dead at a prune point NOT_INIT; a scalar id held
  // by a dead register and a stack slot is then singular, bpf_clear_singular_ids drops it, and the
  // fill takes a fresh id. Before the model cleaned dead registers it said id=3 (reduced) and id=68
  // (snd41 program 1363) where 7.3 says 4 and 74; 6.12 does not clean there and says 3
  it('dead registers and scalar ids: 7.3 and 6.12 name the reference id the model names', async () => {
    const programs = [fixture('dead-reg-ids.s'), fixture('dead-reg-ids-full.json')];
    const on73 = await run('7.3', programs);
    expect(on73.map((o) => o.message)).toEqual(['Unreleased reference id=4 alloc_insn=19', 'Unreleased reference id=74 alloc_insn=97']);
    expect(on73.map(facts)).toEqual(programs.map((p) => facts(verify(p, PROFILES['linux-7.3']))));
    const [on612] = await run('6.12', programs.slice(0, 1));
    expect(on612!.message).toBe('Unreleased reference id=3 alloc_insn=19');
    expect(facts(on612!)).toEqual(facts(verify(programs[0]!, PROFILES['linux-6.12'])));
  });

  // bpf_opt_subreg_zext_lo32_rnd_hi32 zero-extends R0 after a 32-bit cmpxchg read as 64 bits, on
  // x86-64 too; the model's xlated had no such insn (7 of these 10 programs differed)
  it('32-bit cmpxchg: 7.2 and 7.3 rewrite and JIT each program as the model predicts', async () => {
    const programs = CMPXCHG32_CASES.map((c) => programFromAsm(c.source));
    for (const [kernel, profile] of [['7.2', PROFILES['linux-7.2']], ['7.3', PROFILES['linux-7.3']]] as const) {
      const actual = await run(kernel, programs);
      const zexts = actual.map((o) => disassemble(rawFromHex(o.xlated ?? '')).filter((d) => d.text.endsWith('(bc) w0 = w0')).length);
      expect(zexts).toEqual(CMPXCHG32_CASES.map((c) => c.zext));
      expect(actual.every((o) => o.jit?.image)).toBe(true);
      expect(programs.map((p, i) => compareOutcomes(verify(p, profile), actual[i]!))).toEqual(programs.map(() => []));
    }
  });
  // campaign g5 (gen/5, 7.2 and 7.3): an atomic through a scalar register. check_mem_access runs
  // check_ptr_alignment (strict for atomics) before the pointer type, and a scalar falls to its
  // default case: 'misaligned access off <its tnum>+<off>' where the model said "invalid mem
  // access 'scalar'" (20 divergences in 2 signatures). An aligned constant gets the type check.
  it('atomics through a scalar: the alignment check comes first, on 7.2, 7.3 and 6.12', async () => {
    const names = ['atomic-align-scalar-rmw.s', 'atomic-align-scalar-load-acquire.s', 'atomic-align-scalar-store-release.s', 'atomic-align-scalar-aligned.s'];
    const programs = names.map(fixture);
    for (const [kernel, profile] of [['7.2', 'linux-7.2'], ['7.3', 'linux-7.3'], ['6.12', 'linux-6.12']] as const) {
      const real = await run(kernel, programs);
      expect(real.map(facts), kernel).toEqual(programs.map((p) => facts(verify(p, PROFILES[profile]))));
    }
    const on72 = await run('7.2', programs);
    expect(on72.map((o) => o.message)).toEqual(['misaligned access off (0x0; 0xffffffff)+32 size 8', 'misaligned access off 65535+-32 size 8', 'misaligned access off 7+0 size 4', "R1 invalid mem access 'scalar'"]);
  });
  // campaign g5 (gen/5 at 8aab671, 7.2 and 7.3): 2 `xlated` divergences, the model keeping main's
  // `if r9 > 0xffff` that the kernel removes as never false. A JSET in a callee three frames down
  // narrows a scalar that main's R6, fp-24 and fp-32 share; 7.x links only five registers
  // (LINKED_REGS_MAX) and only live ones, so main's stack slots kept their range in the kernel and
  // learned the narrowed one in the model (core/model/linked-regs.ts)
  it('linked registers: a jump links at most LINKED_REGS_MAX, live ones on 7.x, and g5/a90b4205 is rewritten as 7.2 and 7.3 rewrite it', async () => {
    const names = ['linked-regs-max.s', 'linked-regs-live.s', 'linked-regs-decided.s'];
    const programs = names.map(fixture);
    const expected: Record<string, string[]> = {
      '7.2': ['reject R5 !read_ok', 'accept ', 'reject R5 !read_ok'],
      '7.3': ['reject R5 !read_ok', 'accept ', 'reject R5 !read_ok'],
      '6.12': ['accept ', 'accept ', 'accept '],
    };
    for (const [kernel, profile] of [['7.2', 'linux-7.2'], ['7.3', 'linux-7.3'], ['6.12', 'linux-6.12']] as const) {
      const real = await run(kernel, programs);
      expect(real.map((o) => `${o.verdict} ${o.message}`), kernel).toEqual(expected[kernel]);
      expect(programs.map((p) => verify(p, PROFILES[profile])).map((o) => `${o.verdict} ${o.message}`), kernel).toEqual(expected[kernel]);
    }
    const campaign = [fixture('g5-a90b4205.json'), fixture('g5-a90b4205-reduced.json')];
    for (const [kernel, profile] of [['7.2', PROFILES['linux-7.2']], ['7.3', PROFILES['linux-7.3']]] as const) {
      const real = await run(kernel, campaign);
      expect(real.map((o) => o.verdict)).toEqual(['accept', 'accept']);
      expect(campaign.map((p, i) => compareOutcomes(verify(p, profile), real[i]!)), kernel).toEqual([[], []]);
    }
  });
  // kernel selftests the model disagreed with (scripts/selftests-report.ts): save_aux_ptr_type's
  // 'same insn cannot be used with different pointers', a 32-bit delta never synced with a 64-bit
  // one (7.x), and 6.12's links: only through a 64-bit add of 0..S32_MAX
  it('kernel selftests: pointer types per instruction and linked-register deltas, on 7.2 and 6.12', async () => {
    const wanted = [
      'verifier_unpriv.c:fill_of_different_pointers_stx', 'verifier_unpriv.c:stx_sock_and_ctx_read',
      'verifier_linked_scalars.c:scalars_alu32_alu64_cross_type', 'verifier_linked_scalars.c:scalars_neg',
      'verifier_linked_scalars.c:scalars_neg_alu32_add', 'verifier_linked_scalars.c:scalars_sub_neg_imm',
    ];
    const corpus = parseProgramsJsonl(readFileSync(new URL('../corpus/kernel-selftests/selftests.jsonl', import.meta.url), 'utf8'));
    const programs = wanted.map((w) => corpus.find((p) => `${String(p.meta?.source)}:${String(p.meta?.name)}` === w)!);
    expect(programs.every(Boolean)).toBe(true);
    const on72 = await run('7.2', programs);
    const on612 = await run('6.12', programs);
    expect(on72.map((o) => o.message)).toEqual(['same insn cannot be used with different pointers', 'same insn cannot be used with different pointers', 'div by zero', '', '', '']);
    expect(on612.map((o) => o.message)).toEqual(['same insn cannot be used with different pointers', 'same insn cannot be used with different pointers', 'div by zero', 'div by zero', 'div by zero', 'div by zero']);
    expect(programs.map((p) => facts(verify(p, PROFILES['linux-7.2'])))).toEqual(on72.map(facts));
    expect(programs.map((p) => facts(verify(p, PROFILES['linux-6.12'])))).toEqual(on612.map(facts));
  });

  // 7.x's bounds refinements 6.12.118 lacks (profile feature boundsSync7x): tnum_step's single overlap
  // point, simulate_both_branches_taken, cnum64_cnum32_intersect. Each selftest (and each program of
  // bounds-612.cases.ts) proves `r10 = 0` dead on 7.2; 6.12 walks into it
  it('kernel selftests: bounds refinements 7.x has and 6.12 lacks, on 7.2 and 6.12', async () => {
    const wanted = [
      'bounds_refinement_tnum_umax', 'bounds_refinement_tnum_umin', 'bounds_refinement_tnum_middle',
      'refinement_32bounds_not_overwriting_64bounds', 'tnums_equal_impossible_constant',
      'deduce64_from_32_before_block_start', 'deduce64_from_32_wrapping_32bit',
    ];
    const corpus = parseProgramsJsonl(readFileSync(new URL('../corpus/kernel-selftests/selftests.jsonl', import.meta.url), 'utf8'));
    const selftests = wanted.map((w) => corpus.find((p) => p.meta?.source === 'verifier_bounds.c' && p.meta?.name === w)!);
    expect(selftests.every(Boolean)).toBe(true);
    const programs = [...selftests, ...BOUNDS_612_CASES.map((c) => programFromAsm(c.source, { progType: 'socket_filter' }))];
    const on72 = await run('7.2', programs);
    const on612 = await run('6.12', programs);
    expect(on72.map((o) => o.message)).toEqual(programs.map(() => ''));
    expect(on612.map((o) => o.message)).toEqual(programs.map(() => 'frame pointer is read only'));
    expect(programs.map((p) => facts(verify(p, PROFILES['linux-7.2'])))).toEqual(on72.map(facts));
    expect(programs.map((p) => facts(verify(p, PROFILES['linux-6.12'])))).toEqual(on612.map(facts));
  });

  // 6.12 keeps u64 and s64 ranges apart (after `r0 <<= 12`: umax 0xfffffffffffff000 beside smax
  // 0x7ffffffffffff000), so the 64-bit multiply and the `if r0 > 3` that follow leave R0 a small
  // offset; the model's 6.12 profile, with 6.12's reg_bounds_sync and reg_set_min_max, accepts too
  it('6.12 bounds on min/max pairs: a shifted, or-ed and multiplied value bounded by a branch, on 6.12 and 7.2', async () => {
    const p = fixture('lsh-bounds-612.s');
    const [[on612], [on72]] = await Promise.all([run('6.12', [p]), run('7.2', [p])]);
    expect(on612).toMatchObject({ verdict: 'accept' });
    expect(on72).toMatchObject({ verdict: 'reject', message: 'invalid write to stack R2 off=3920 size=4' });
    expect(facts(verify(p, PROFILES['linux-6.12']))).toEqual(facts(on612!));
    expect(facts(verify(p, PROFILES['linux-7.2']))).toEqual(facts(on72!));
  });
});
