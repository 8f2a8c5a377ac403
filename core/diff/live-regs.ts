// The registers live before each instruction, as 7.x verifier logs print them at level 2 before
// the walk (kernel/bpf/liveness.c, `Live regs before insn:` then `   N: .1.345.... (op) ...`, a
// digit for each live register R0-R9). The kernel stops tracking what a dead register holds
// (clean_verifier_state, collect_linked_regs), so a belief about one is not compared.

/** `     29: ......6789 (07) ...`; inside a loop the row starts with its SCC number: `  1  31: ...` */
const ROW = /^\s+(?:\d+\s+)?(\d+): ([0-9.]{10}) \(/;

/** insn → bit mask of the registers live before it (bit i = Ri); empty when the log has no table (6.12) */
export function liveRegsFromLog(log: string): Map<number, number> {
  const live = new Map<number, number>();
  const lines = log.split('\n');
  let i = lines.indexOf('Live regs before insn:');
  if (i < 0) return live;
  for (i++; i < lines.length; i++) {
    const m = ROW.exec(lines[i]!);
    if (!m) break;
    let mask = 0;
    for (let r = 0; r < 10; r++) if (m[2]![r] !== '.') mask |= 1 << r;
    live.set(Number(m[1]), mask);
  }
  return live;
}
