// Call sites: the outgoing stack arguments stored through r11 (slots in random order), the
// register arguments r1..r5, the call, and the fold of its result. Tags mark the stores, the
// start of the register arguments and the call, so mutations can find them.
import { BPF_ADD, E, R_FP, R_PARAMS, tagged, type Op } from '../isa/index.ts';
import type { ArgKind, SitePlan } from './plan.ts';
import type { BodyCtx } from './body-ctx.ts';
import { READ_REGS, W, imm32 } from './values.ts';
import { mapArgPrelude } from './body-maps.ts';
import { packetArgPrelude } from './body-packet.ts';
import { memArgPrelude } from './body-global-ptr.ts';

export function callSite(ctx: BodyCtx, s: SitePlan): void {
  const { rng, emit } = ctx;
  const callee = ctx.program.funcs[s.callee];
  const mapArgs = mapArgPrelude(ctx, callee);
  const pktArgs = packetArgPrelude(ctx, callee, new Set(mapArgs?.slotOf.values() ?? []));
  const memArgs = memArgPrelude(ctx, callee);
  const slots = rng.shuffle([...Array(Math.max(0, callee.args - 5)).keys()].map((k) => k + 1));
  for (const slot of slots) {
    const kind = callee.kinds[slot + 4];
    const tag = { role: 'argStore' as const, site: s.id, slot };
    if (kind === 'scalar' && rng.chance(0.35)) {
      emit(tagged(E.st('DW', R_PARAMS, -8 * slot, imm32(rng)), tag));
    } else if (kind === 'scalar' && rng.chance(0.5)) {
      emit(tagged(E.stx('DW', R_PARAMS, -8 * slot, rng.pick(READ_REGS)), tag));
    } else {
      emit(...argValue(ctx, kind, 0, mapArgs?.slotOf.get(slot + 4) ?? pktArgs?.slot), tagged(E.stx('DW', R_PARAMS, -8 * slot, 0), tag));
    }
  }
  emit({ kind: 'mark', tag: { role: 'regArg', site: s.id } });
  const regs = rng.shuffle([...Array(Math.min(5, callee.args)).keys()]);
  for (const i of regs) emit(...(memArgs?.value(i, i + 1) ?? argValue(ctx, callee.kinds[i], i + 1, mapArgs?.slotOf.get(i) ?? pktArgs?.slot)));
  emit(tagged(E.call(s.callee), { role: 'call', site: s.id }));
  ctx.fold(0);
  if (rng.chance(0.3)) emit(E.movReg(rng.pick(W), 0));
  if (pktArgs) emit(...pktArgs.close);
  if (mapArgs) emit(...mapArgs.close);
}

/** the value of one argument into register `r` (r0 for stack-argument stores); `mapSlot` holds a map-value or packet argument */
function argValue(ctx: BodyCtx, kind: ArgKind, r: number, mapSlot?: number): Op[] {
  const { rng, frame } = ctx;
  if (kind === 'ctx') return [E.ldx('DW', r, R_FP, frame.ctxSlot)];
  if (kind === 'map' || kind === 'pkt') return [E.ldx('DW', r, R_FP, mapSlot!)];
  if (kind === 'stack') {
    if (frame.ptrSlots.length > 0 && rng.chance(0.3)) return [E.ldx('DW', r, R_FP, rng.pick(frame.ptrSlots))];
    return [E.movReg(r, R_FP), E.aluImm(BPF_ADD, r, rng.pick(frame.locals))];
  }
  switch (rng.int(0, 2)) {
    case 0:
      return [E.movReg(r, rng.pick(READ_REGS))];
    case 1:
      return [E.movImm(r, imm32(rng))];
    default:
      return [E.ldx('DW', r, R_FP, rng.pick(frame.locals))];
  }
}
