// Helper mutations: a helper call that breaks one rule of check_helper_call, put at main's exit.
// Main keeps the ctx at fp-8 and its locals below, so fp-8 (once read) and fp-16 are buffers here.
// Each mutator returns the 7.2 reason line as a regular expression source.
import { BPF_ADD, E, R_FP, type Op } from '../isa/index.ts';
import type { ProgType } from '../program/index.ts';
import { helperAvailable } from '../model/helpers.ts';
import { BPF_FUNC } from './body-helpers.ts';
import { snippetCtx, type MapMutationCtx } from './mutate-maps.ts';
import type { MutationCtx, Mutator } from './mutate-ctx.ts';
import type { MutationKind } from './mutations.ts';
import { CTX_SCALAR_FIELD } from './values.ts';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const whole = (s: string): string => `^${esc(s)}$`;
const MEM_EXPECTED = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_, ctx';

export interface HelperMutationCtx extends MapMutationCtx {
  progType: ProgType;
}

const ctxTo = (r: number): Op => E.ldx('DW', r, R_FP, -8);
const fpPlus = (r: number, off: number): Op[] => [E.movReg(r, R_FP), E.aluImm(BPF_ADD, r, off)];
/** csum_diff(r1, r2, r3, r4, seed) with `from`/`to` set up by the caller */
const csum = (from: Op[], to: Op[]): Op[] => [...from, ...to, E.movImm(5, 0), E.callHelper(BPF_FUNC.csum_diff)];
const validTo = [...fpPlus(3, -16), E.movImm(4, 8)];
const skbLoad = (to: Op[], len: Op[]): Op[] => [ctxTo(1), E.movImm(2, 0), ...to, ...len, E.callHelper(BPF_FUNC.skb_load_bytes)];

/** check_reg_type: a scalar where a pointer goes, a stack pointer where the ctx goes, a pointer where a size goes */
function helperBadArg(c: HelperMutationCtx): string {
  const { rng } = c;
  const csumOk = helperAvailable(c.progType, BPF_FUNC.csum_diff);
  const loadOk = helperAvailable(c.progType, BPF_FUNC.skb_load_bytes);
  const variant = rng.pick([...(csumOk ? [0, 1] : []), ...(loadOk ? [2, 3] : [])]);
  switch (variant) {
    case 0:
      c.atMainExit(csum([E.movImm(1, rng.pick([1, 8, 0x100, -16])), E.movImm(2, 4)], validTo));
      return whole(`R1 type=scalar expected=${MEM_EXPECTED}`);
    case 1:
      c.atMainExit(csum([...fpPlus(1, -16), ...fpPlus(2, -16)], validTo));
      return whole('R2 type=fp expected=scalar');
    case 2:
      c.atMainExit([...fpPlus(1, -16), E.movImm(2, 0), ...fpPlus(3, -16), E.movImm(4, 4), E.callHelper(BPF_FUNC.skb_load_bytes)]);
      return whole('R1 type=fp expected=ctx');
    default:
      c.atMainExit(skbLoad([E.movImm(3, rng.pick([16, 64, -8]))], [E.movImm(4, 4)]));
      return whole(`R3 type=scalar expected=${MEM_EXPECTED}`);
  }
}

/** check_helper_mem_access / check_mem_size_reg: a buffer smaller than the size, a size never bounded, negative or zero */
function helperBadSize(c: HelperMutationCtx): string {
  const { rng } = c;
  const csumOk = helperAvailable(c.progType, BPF_FUNC.csum_diff);
  const loadOk = helperAvailable(c.progType, BPF_FUNC.skb_load_bytes);
  const variant = rng.pick([...(csumOk ? [0, 1] : []), ...(loadOk ? [2, 3, 4] : [])]);
  switch (variant) {
    case 0: {
      const size = rng.pick([12, 16, 32]);
      c.atMainExit(csum([...fpPlus(1, -8), E.movImm(2, size)], validTo));
      return whole(`invalid read from stack R1 off=-8 size=${size}`);
    }
    case 1: // the size is a u32 of the ctx: up to 4G, past what a helper may touch
      c.atMainExit(csum([...fpPlus(1, -16), ctxTo(2), E.ldx('W', 2, 2, CTX_SCALAR_FIELD[c.progType])], validTo));
      return whole("R2 unbounded memory access, use 'var &= const' or 'if (var < const)'");
    case 2: {
      const size = rng.pick([12, 16, 24]);
      c.atMainExit(skbLoad(fpPlus(3, -8), [E.movImm(4, size)]));
      return whole(`invalid write to stack R3 off=-8 size=${size}`);
    }
    case 3:
      c.atMainExit(skbLoad(fpPlus(3, -16), [ctxTo(4), E.ldx('W', 4, 4, CTX_SCALAR_FIELD[c.progType]), E.aluImm(BPF_ADD, 4, -0x40)]));
      return whole("R4 min value is negative, either use unsigned or 'var &= const'");
    default:
      c.atMainExit(skbLoad(fpPlus(3, -16), [E.movImm(4, 0)]));
      return whole('R4 invalid zero-sized read: u64=[0,0]');
  }
}

/** check_helper_call (env->ops->get_func_proto): a helper this program type may not call, or no helper at all */
function helperNotAllowed(c: HelperMutationCtx): string {
  const { rng } = c;
  // helpers of the other program types (xdp_adjust_head 44, skb_load_bytes 26, skb_pull_data 39, csum_diff 28, skb_store_bytes 9)
  const foreign = [44, 26, 39, 28, 9].filter((id) => !helperAvailable(c.progType, id));
  if (foreign.length === 0 || rng.chance(0.2)) {
    const id = rng.pick([212, 300, 0x7fff]);
    c.atMainExit([E.callHelper(id)]);
    return whole(`invalid func unknown#${id}`);
  }
  const id = rng.pick(foreign);
  c.atMainExit([ctxTo(1), E.movImm(2, 0), E.callHelper(id)]);
  const NAMES: Record<number, string> = { 44: 'bpf_xdp_adjust_head', 26: 'bpf_skb_load_bytes', 39: 'bpf_skb_pull_data', 28: 'bpf_csum_diff', 9: 'bpf_skb_store_bytes' };
  return whole(`program of this type cannot use helper ${NAMES[id]}#${id}`);
}

/** the snippet context with the program's type */
export const helperCtx = (c: MutationCtx): HelperMutationCtx => ({ ...snippetCtx(c), progType: c.opts.progType });

export const HELPER_MUTATORS = {
  'helper-bad-arg': (c) => helperBadArg(helperCtx(c)),
  'helper-bad-size': (c) => helperBadSize(helperCtx(c)),
  'helper-not-allowed': (c) => helperNotAllowed(helperCtx(c)),
} satisfies Partial<Record<MutationKind, Mutator>>;
