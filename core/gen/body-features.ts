// The bpfdiff-gen/3 features a body draws, each with its rate option (features.ts): statements
// (drawn before each unit of a body, outside loops) and fillers (drawn in place of a gen/2 filler,
// also inside loops). A feature whose rate is 0, or that does not apply to the body, draws no
// randomness, so gen/2's programs come out unchanged. New features go at the end of a table.
import type { BodyCtx } from './body-ctx.ts';
import type { ProgramOptions } from './options.ts';
import { hasPacket, packetStatement } from './body-packet.ts';
import { mapStatement } from './body-maps.ts';
import { helperApplies, helperStatement } from './body-helpers.ts';
import { socketFits, socketStatement } from './body-sockets.ts';
import { hasLocals, stackVarStatement } from './body-stackvar.ts';
import { bswapFiller, ldsxFiller, movsxFiller, sdivFiller } from './body-arith.ts';
import { atomicStatement } from './body-atomics.ts';
import { ptrArithStatement } from './body-ptrarith.ts';
import { ctxWriteFits, ctxWriteStatement } from './body-ctxwrite.ts';
import { acqRelStatement } from './body-acqrel.ts';
import { skbSkFits, skbSkStatement } from './body-sk.ts';
import { mapValueStatement } from './body-mapvalue.ts';

interface BodyFeature {
  name: string;
  rate(o: ProgramOptions): number;
  /** whether the feature can be drawn in this body; must draw no randomness */
  applies(ctx: BodyCtx, inLoop: boolean): boolean;
  emit(ctx: BodyCtx): void;
}

/** statements, drawn before each unit of a body: r0-r4 are free there (r5 counts loops only inside them) */
export const STATEMENT_FEATURES: readonly BodyFeature[] = [
  { name: 'map', rate: (o) => o.mapRate, applies: () => true, emit: mapStatement },
  { name: 'packet', rate: (o) => o.packetRate, applies: hasPacket, emit: packetStatement },
  { name: 'helper', rate: (o) => o.helperRate, applies: helperApplies, emit: helperStatement },
  { name: 'socket', rate: (o) => o.socketRate, applies: socketFits, emit: socketStatement },
  { name: 'stackVar', rate: (o) => o.stackVarRate, applies: hasLocals, emit: stackVarStatement },
  { name: 'atomicOps', rate: (o) => o.atomicOpsRate, applies: hasLocals, emit: atomicStatement },
  { name: 'ptrArith', rate: (o) => o.ptrArithRate, applies: () => true, emit: ptrArithStatement },
  { name: 'ctxWrite', rate: (o) => o.ctxWriteRate, applies: ctxWriteFits, emit: ctxWriteStatement },
  { name: 'acqRel', rate: (o) => o.acqRelRate, applies: hasLocals, emit: acqRelStatement },
  { name: 'skbSk', rate: (o) => o.skbSkRate, applies: skbSkFits, emit: skbSkStatement },
  { name: 'mapValueImm', rate: (o) => o.mapValueImmRate, applies: () => true, emit: mapValueStatement },
];

/** fillers: they may write the working registers and read the locals; r0-r5 are not theirs */
export const FILLER_FEATURES: readonly BodyFeature[] = [
  { name: 'sdiv', rate: (o) => o.sdivRate, applies: () => true, emit: sdivFiller },
  { name: 'movsx', rate: (o) => o.movsxRate, applies: () => true, emit: movsxFiller },
  { name: 'ldsx', rate: (o) => o.ldsxRate, applies: () => true, emit: ldsxFiller },
  { name: 'bswap', rate: (o) => o.bswapRate, applies: () => true, emit: bswapFiller },
];

/** Draws each feature of `table` that applies with its rate; true when one was emitted and `stopAtFirst`. */
export function drawFeatures(table: readonly BodyFeature[], ctx: BodyCtx, inLoop: boolean, stopAtFirst: boolean): boolean {
  for (const f of table) {
    if (!f.applies(ctx, inLoop) || !ctx.rng.chance(f.rate(ctx.opts))) continue;
    f.emit(ctx);
    if (stopAtFirst) return true;
  }
  return false;
}
