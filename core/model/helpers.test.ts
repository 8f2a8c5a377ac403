// The helper table against itself and the interpreter: names from the ISA's id list, prototype
// flags consistent with the kernel's lists, and a test-run implementation for every helper the
// verifier model knows, nondeterministic exactly where the table says so.
import { describe, expect, it } from 'vitest';
import { HELPER_NAMES } from '../isa/index.ts';
import { DEFAULT_HELPERS, MapStore } from './interp/index.ts';
import { buildTestRun } from './interp/test-run.ts';
import { HELPER_PROTOS, helperAvailable, helperChangesPktData, helperName, helperProto } from './helpers.ts';

describe('helper prototypes', () => {
  it('are named as disasm.c names them and listed once', () => {
    for (const p of HELPER_PROTOS) expect(p.name).toBe(HELPER_NAMES[p.id]);
    expect(new Set(HELPER_PROTOS.map((p) => p.id)).size).toBe(HELPER_PROTOS.length);
    expect(helperName(1)).toBe('bpf_map_lookup_elem');
    expect(helperName(999)).toBe('unknown');
  });
  it('cover every helper the stack-argument selftests use and the ones the brief asks for', () => {
    for (const name of ['map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'get_prandom_u32', 'ktime_get_ns', 'get_smp_processor_id',
      'skb_load_bytes', 'skb_pull_data', 'sk_lookup_tcp', 'sk_release']) {
      expect(helperProto(HELPER_NAMES.indexOf(`bpf_${name}`)), name).toBeDefined();
    }
  });
  it('mark packet-moving helpers as bpf_helper_changes_pkt_data does, and pair memory with a size', () => {
    for (const p of HELPER_PROTOS) {
      expect(!!p.changesPktData, p.name).toBe(helperChangesPktData(p.id));
      p.args.forEach((a, i) => {
        if (a.base === 'mem') expect(p.args[i + 1]?.base, p.name).toMatch(/^const_size/);
        if (a.base === 'const_size' || a.base === 'const_size_or_zero') expect(p.args[i - 1]?.base, p.name).toBe('mem');
      });
      expect(p.args.filter((a) => a.release).length, p.name).toBeLessThanOrEqual(1);
      expect(['sched_cls', 'xdp', 'socket_filter'].some((t) => helperAvailable(t as 'xdp', p.id)), p.name).toBe(true);
    }
  });
  it('know which program types may call what', () => {
    expect(helperAvailable('sched_cls', 39)).toBe(true);
    expect(helperAvailable('xdp', 39)).toBe(false);
    expect(helperAvailable('xdp', 44)).toBe(true);
    expect(helperAvailable('socket_filter', 84)).toBe(false);
    expect(helperAvailable('socket_filter', 1)).toBe(true);
  });
});

describe('the interpreter implements what the model verifies', () => {
  const call = (id: number) => {
    const env = buildTestRun('sched_cls', new Uint8Array(64));
    const args = [{ value: env.ctx.base, prov: { kind: 'addr' as const, region: env.ctx } }, { value: 0n }, { value: 0n }, { value: 0n }, { value: 0n }];
    const unpredictable: string[] = [];
    const memory = { read: () => ({ bytes: new Uint8Array(0), prov: [] }), write: () => undefined };
    const ret = DEFAULT_HELPERS.get(id)!.run({ args, markUnpredictable: (w) => unpredictable.push(w), memory, maps: new MapStore([], () => undefined), testRun: env });
    return { ret, unpredictable };
  };
  it('has an implementation for every prototype but xdp_adjust_head (no headroom in the test run)', () => {
    const missing = HELPER_PROTOS.filter((p) => !DEFAULT_HELPERS.has(p.id)).map((p) => p.name);
    expect(missing).toEqual(['bpf_xdp_adjust_head']);
  });
  it('taints the result exactly of the helpers the table calls nondeterministic', () => {
    for (const p of HELPER_PROTOS.filter((q) => q.args.length === 0)) {
      const { ret } = call(p.id);
      expect(ret.prov?.kind === 'taint', p.name).toBe(!!p.nondeterministic);
    }
  });
});
