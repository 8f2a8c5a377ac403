// The statements between a body's entry and exit: filler statements and call sites in random
// order, some wrapped in forward branches (if / if-else) or preceded by a bounded loop or a
// helper call. Top-level call sites are never put inside a branch, so the walk reaches them.
import { BPF_ADD, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JLE, BPF_JLT, BPF_JNE, BPF_JSET, BPF_JSGE, BPF_JSGT, BPF_JSLE, BPF_JSLT, BPF_SUB, E, type Op } from '../isa/index.ts';
import type { SitePlan } from './plan.ts';
import type { BodyCtx } from './body-ctx.ts';
import { filler } from './body-fillers.ts';
import { callSite } from './body-calls.ts';
import { STATEMENT_FEATURES, drawFeatures } from './body-features.ts';
import { signedCond, signedLoop } from './body-branches.ts';
import { READ_REGS, W, imm32 } from './values.ts';

interface Unit {
  site?: SitePlan;
}

const COND_JUMPS = [BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET];

export function statements(ctx: BodyCtx, sites: SitePlan[]): void {
  const { rng, opts } = ctx;
  const units: Unit[] = [];
  const fillers = rng.int(opts.bodySize[0], opts.bodySize[1]);
  for (let i = 0; i < fillers; i++) units.push({});
  for (const s of sites) units.splice(rng.int(0, units.length), 0, { site: s });
  let i = 0;
  while (i < units.length) {
    if (rng.chance(opts.loopRate)) loop(ctx);
    if (rng.chance(opts.helperCallRate)) ctx.emit(E.callHelper(rng.pick(opts.helpers)));
    drawFeatures(STATEMENT_FEATURES, ctx, false, false);
    if (rng.chance(opts.branchRate)) {
      let k = rng.int(1, 3);
      let j = i;
      while (j < units.length && j < i + k && !units[j].site?.topLevel) j++;
      k = j - i;
      if (k > 0) {
        branch(ctx, units.slice(i, j));
        i = j;
        continue;
      }
    }
    unit(ctx, units[i]);
    i++;
  }
}

function unit(ctx: BodyCtx, u: Unit): void {
  if (u.site) callSite(ctx, u.site);
  else filler(ctx, false);
}

function condJump(ctx: BodyCtx, label: number): Op {
  const { rng } = ctx;
  if (rng.chance(ctx.opts.signedCmpRate)) return signedCond(ctx, label);
  const w64 = rng.chance(0.7);
  if (rng.chance(0.5)) return E.jumpReg(rng.pick(COND_JUMPS), rng.pick(W), rng.pick(READ_REGS), label, w64);
  return E.jumpImm(rng.pick(COND_JUMPS), rng.pick(READ_REGS), imm32(rng), label, w64);
}

/** `if (cond) { units }` or, for two or more units, sometimes `if (cond) { a } else { b }`. */
function branch(ctx: BodyCtx, units: Unit[]): void {
  const { rng, emit } = ctx;
  const end = ctx.newLabel();
  if (units.length >= 2 && rng.chance(0.4)) {
    const split = rng.int(1, units.length - 1);
    const other = ctx.newLabel();
    emit(condJump(ctx, other));
    units.slice(0, split).forEach((u) => unit(ctx, u));
    emit(E.ja(end), E.label(other));
    units.slice(split).forEach((u) => unit(ctx, u));
  } else {
    emit(condJump(ctx, end));
    units.forEach((u) => unit(ctx, u));
  }
  emit(E.label(end));
}

/** A loop of 1..6 rounds over one to three fillers, counting in r5. */
function loop(ctx: BodyCtx): void {
  const { rng, emit } = ctx;
  if (rng.chance(ctx.opts.signedCmpRate)) {
    signedLoop(ctx);
    return;
  }
  const head = ctx.newLabel();
  // r5 counts; loop bodies hold no calls, so nothing clobbers it.
  emit(E.movImm(5, rng.int(1, 6)), E.label(head));
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) filler(ctx, true);
  if (rng.chance(0.5)) emit(E.aluImm(BPF_ADD, 5, -1), E.jumpImm(BPF_JNE, 5, 0, head));
  else emit(E.aluImm(BPF_SUB, 5, 1, false), E.jumpImm(BPF_JSGT, 5, 0, head, false));
}
