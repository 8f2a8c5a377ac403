// The breadth of a set of generated programs under the 7.2 model (scripts/gen-breadth.ts and
// test/gen-breadth.test.ts): reject reason lines, helpers, maps, packet reads, unknowns, and
// whether each mutation kind gets the reason line its `meta.expect` names.
import { BPF_CALL, BPF_JMP, BPF_LDX, opClass } from '../core/isa/index.ts';
import { check, resolveProfile, verify } from '../core/model/index.ts';
import { normalizeReason } from '../core/diff/compare.ts';
import type { Program } from '../core/program/index.ts';

interface BreadthReport {
  programs: number;
  accepted: number;
  rejected: number;
  unknown: number;
  /** normalized reject reason line -> programs */
  reasons: Record<string, number>;
  /** helper id -> programs calling it */
  helpers: Record<string, number>;
  withMap: number;
  readingPacket: number;
  /** unknown's `what` -> programs */
  unknowns: Record<string, number>;
  /** mutation kind -> programs and how many got the expected reason */
  mutations: Record<string, { programs: number; matched: number; other: Record<string, number> }>;
  byProgType: Record<string, number>;
  /** programs without a mutation the model rejected: reason -> programs (valid by construction: should be empty) */
  unmutatedRejects: Record<string, number>;
}

const bump = (o: Record<string, number>, k: string): void => {
  o[k] = (o[k] ?? 0) + 1;
};

/** true when the walk reaches a load through a packet pointer (PTR_TO_PACKET) */
function readsPacket(program: Program): boolean {
  const profile = resolveProfile('7.2')!;
  let seen = false;
  check(program, profile, {
    onInsn: (idx, st) => {
      const insn = program.insns[idx];
      if (seen || !insn || opClass(insn.code) !== BPF_LDX) return;
      const reg = st.frames[st.frames.length - 1]?.regs[insn.src];
      if (reg && (reg.type === 'pkt' || reg.type === 'pkt_meta')) seen = true;
    },
  });
  return seen;
}

function helpersOf(program: Program): Set<number> {
  const out = new Set<number>();
  for (const insn of program.insns) if (insn.code === (BPF_JMP | BPF_CALL) && insn.src === 0) out.add(insn.imm);
  return out;
}

export function measureBreadth(programs: readonly Program[]): BreadthReport {
  const profile = resolveProfile('7.2')!;
  const r: BreadthReport = { programs: programs.length, accepted: 0, rejected: 0, unknown: 0, reasons: {}, helpers: {}, withMap: 0, readingPacket: 0, unknowns: {}, mutations: {}, byProgType: {}, unmutatedRejects: {} };
  for (const p of programs) {
    bump(r.byProgType, p.progType);
    const out = verify(p, profile, { xlated: false, jit: false });
    if (out.verdict === 'unknown') {
      r.unknown++;
      bump(r.unknowns, normalizeReason(out.unknown ?? ''));
    } else if (out.verdict === 'reject') {
      r.rejected++;
      bump(r.reasons, normalizeReason(out.message));
    } else r.accepted++;
    for (const h of helpersOf(p)) bump(r.helpers, String(h));
    if (p.maps.length > 0) r.withMap++;
    if (readsPacket(p)) r.readingPacket++;
    const kind = typeof p.meta?.mutation === 'string' ? p.meta.mutation : undefined;
    if (kind === undefined && out.verdict === 'reject') bump(r.unmutatedRejects, normalizeReason(out.message));
    if (kind !== undefined) {
      const m = (r.mutations[kind] ??= { programs: 0, matched: 0, other: {} });
      m.programs++;
      const expect = typeof p.meta?.expect === 'string' ? new RegExp(p.meta.expect) : undefined;
      // an accept matches only the expectation '^$' (a kind the kernel accepts, e.g. map-update-uninit)
      if ((out.verdict === 'reject' || out.verdict === 'accept') && expect?.test(out.message)) m.matched++;
      else bump(m.other, out.verdict === 'reject' ? normalizeReason(out.message) : out.verdict);
    }
  }
  return r;
}

const pct = (n: number, of: number): string => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;

export function formatBreadth(r: BreadthReport): string {
  const lines: string[] = [];
  const reasons = Object.entries(r.reasons).sort((a, b) => b[1] - a[1]);
  lines.push(`programs ${r.programs} (${Object.entries(r.byProgType).map(([t, n]) => `${t} ${n}`).join(', ')}): accepted ${r.accepted}, rejected ${r.rejected}, unknown ${r.unknown} (${pct(r.unknown, r.programs)})`);
  lines.push(`distinct reject reason lines: ${reasons.length}`);
  for (const [reason, n] of reasons) lines.push(`  ${String(n).padStart(5)}  ${reason}`);
  lines.push(`distinct helpers called: ${Object.keys(r.helpers).length} (${Object.entries(r.helpers).map(([h, n]) => `${h}:${n}`).join(' ')})`);
  lines.push(`programs with a map: ${r.withMap} (${pct(r.withMap, r.programs)})`);
  lines.push(`programs reading packet data: ${r.readingPacket} (${pct(r.readingPacket, r.programs)})`);
  for (const [what, n] of Object.entries(r.unknowns)) lines.push(`  unknown ${n}: ${what}`);
  const unmutated = Object.entries(r.unmutatedRejects);
  lines.push(`programs without a mutation rejected: ${unmutated.reduce((a, [, n]) => a + n, 0)}`);
  for (const [reason, n] of unmutated) lines.push(`  ${String(n).padStart(5)}  ${reason}`);
  lines.push('mutation kinds (model reason matches meta.expect):');
  for (const [kind, m] of Object.entries(r.mutations).sort()) {
    const other = Object.entries(m.other).map(([k, n]) => `${n}x ${k}`).join('; ');
    lines.push(`  ${kind.padEnd(32)} ${m.matched}/${m.programs}${other ? `  other: ${other}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
