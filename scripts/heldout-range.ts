// A held-out set of range-analysis programs, written from templates here and nowhere else (not
// by core/gen): unknown ctx fields (skb->len, mark, queue_mapping, protocol, priority) bounded by
// masks, shifts and branches (64- and 32-bit, unsigned and signed), then used as variable stack
// offsets (reads and writes of every size, in and out of bounds, aligned and not), passed through
// r11 stack-argument slots to a callee that uses them, and used as loop bounds.
//   node --import tsx scripts/heldout-range.ts [COUNT] > corpus/heldout-range/programs.jsonl
// Deterministic: the same COUNT gives the same file.
import { assemble } from '../core/isa/index.ts';
import { programToJson, validateProgram, type Program } from '../core/program/index.ts';

let seed = 0x2545f491;
/** xorshift32: small and fixed, so the set never changes under us */
function rnd(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;

const FIELDS = [0, 8, 12, 16, 32]; // __sk_buff len, mark, queue_mapping, protocol, priority
const SIZES = [1, 2, 4, 8] as const;
const SZ: Record<number, string> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

/** Bound register `r` (a u32 ctx field): returns lines; `out` is the label of an early exit. */
function bound(r: number): { lines: string[]; max: number } {
  switch (rnd(7)) {
    case 0: {
      const m = pick([1, 3, 7, 8, 15, 16, 24, 31, 48, 63, 120, 127, 255, 504, 511, 1023]);
      return { lines: [`r${r} &= ${m}`], max: m };
    }
    case 1: {
      const n = pick([7, 15, 16, 31, 64, 100, 255, 511, 600]);
      return { lines: [`if r${r} > ${n} goto out`], max: n };
    }
    case 2: {
      const n = pick([8, 16, 32, 64, 256, 512]);
      return { lines: [`if w${r} >= ${n} goto out`], max: n - 1 };
    }
    case 3: {
      const n = pick([15, 63, 255]);
      // signed only: no lower bound on a 64-bit value, unless the load already zero-extended it
      return { lines: [`if r${r} s> ${n} goto out`], max: n };
    }
    case 4: {
      const k = pick([20, 23, 24, 26, 28, 29]);
      return { lines: [`r${r} >>= ${k}`], max: 2 ** (32 - k) - 1 };
    }
    case 5: {
      const n = pick([16, 64, 256]);
      return { lines: [`r${r} <<= 32`, `r${r} s>>= 32`, `if r${r} s< 0 goto out`, `if r${r} s>= ${n} goto out`], max: n - 1 };
    }
    default: {
      const m = pick([0xf8, 0x1f8, 0x78, 0x38, 0xf0, 0x1f0]);
      return { lines: [`r${r} &= ${m}`], max: m };
    }
  }
}

/** `out:` when some line branches there: check_cfg refuses unreachable instructions */
const outBlock = (lines: readonly string[]): string[] => (lines.some((l) => l.endsWith('goto out')) ? ['out:', 'r0 = 1', 'exit'] : []);

const input = (): string => (rnd(3) === 0 ? `.input ${'ab'.repeat(pick([14, 20, 64, 100, 128, 200, 256, 300]))}` : '');

/** A variable-offset stack access in one function. */
function stackAccess(): string[] {
  const size = pick(SIZES);
  const b = bound(6);
  const base = -pick([8, 16, 24, 32, 64, 100, 128, 256, 300, 504, 512]);
  const off = pick([0, 0, 0, -8, 8, -4, 2]);
  const write = rnd(2) === 0;
  const init = rnd(3);
  const lines = [`r6 = *(u32 *)(r1 +${pick(FIELDS)})`, ...b.lines];
  if (size > 1 && rnd(4) !== 0) lines.push(`r6 &= -${size}`);
  if (init > 0) {
    // initialize the slots around base: spills (init 1) or zero bytes written from a register at unaligned offsets (init 2)
    for (let o = base; o < Math.min(0, base + 64); o += 8) {
      if (init === 1) lines.push(`r3 = ${o & 0xff}`, `*(u64 *)(r10 ${o}) = r3`);
      else lines.push(`r3 = 0`, `*(u32 *)(r10 ${o + 4}) = r3`);
    }
  }
  lines.push('r2 = r10', `r2 += ${base}`, 'r2 += r6');
  const at = `(r2 ${off >= 0 ? '+' : ''}${off})`;
  if (write && rnd(2)) lines.push(`*(${SZ[size]} *)${at} = ${pick([0, 1, 42])}`);
  else if (write) lines.push(`r3 = ${pick([0, 7])}`, `*(${SZ[size]} *)${at} = r3`);
  lines.push(`r0 = *(${SZ[size]} *)${at}`);
  return lines;
}

function simple(): string {
  const body = stackAccess();
  return ['.type sched_cls', input(), ...body, 'exit', ...outBlock(body)].join('\n');
}

/** main bounds a ctx field and passes it (arg 6, maybe 7) through r11; f uses it as a stack offset or a loop bound. */
function throughR11(): string {
  const b = bound(6);
  const args = pick([6, 7]);
  const use = rnd(3);
  const main = ['.type sched_cls', input(), '.func main args=1', `r6 = *(u32 *)(r1 +${pick(FIELDS)})`, ...b.lines];
  main.push('r1 = 1', 'r2 = 2', 'r3 = 3', 'r4 = 4', 'r5 = 5', '*(u64 *)(r11 -8) = r6');
  if (args === 7) main.push(`*(u64 *)(r11 -16) = ${pick([0, 8, 16])}`);
  main.push('call f', 'exit', ...outBlock(b.lines));
  const f = [`.func f args=${args}`, 'r6 = *(u64 *)(r11 +8)'];
  if (args === 7) f.push('r7 = *(u64 *)(r11 +16)');
  if (use === 0) {
    const size = pick(SIZES);
    const base = -pick([16, 64, 256, 512]);
    f.push('r2 = r10', `r2 += ${base}`, 'r2 += r6');
    if (args === 7) f.push('r2 += r7');
    if (rnd(2)) f.push(`*(${SZ[size]} *)(r2 +0) = 5`);
    f.push(`r0 = *(${SZ[size]} *)(r2 +0)`, 'exit');
  } else if (use === 1) {
    f.push('r0 = 0', 'r8 = 0', 'loop:', 'r0 += r8', 'r8 += 1', 'if r8 < r6 goto loop', 'exit');
  } else {
    // a pointer into main's stack would need main to pass it; here f's own stack, offset by both args
    f.push('r3 = 0', '*(u64 *)(r10 -8) = r3', '*(u64 *)(r10 -16) = r3', 'r6 &= 8', 'r2 = r10', 'r2 += -16', 'r2 += r6', 'r0 = *(u64 *)(r2 +0)', 'exit');
  }
  return [...main, ...f].join('\n');
}

/** A stack pointer with a variable offset passed to a callee (arg 1..5 or through r11). */
function pointerToCallee(): string {
  const b = bound(6);
  const viaR11 = rnd(2) === 0;
  const size = pick(SIZES);
  const main = ['.type sched_cls', input(), '.func main args=1', `r6 = *(u32 *)(r1 +${pick(FIELDS)})`, ...b.lines, 'r3 = 9', '*(u64 *)(r10 -8) = r3', '*(u64 *)(r10 -16) = r3'];
  main.push('r7 = r10', `r7 += ${-pick([16, 32, 64, 128])}`, 'r7 += r6');
  if (viaR11) main.push('r1 = 1', 'r2 = 2', 'r3 = 3', 'r4 = 4', 'r5 = 5', '*(u64 *)(r11 -8) = r7', 'call f', 'exit');
  else main.push('r1 = r7', 'call f', 'exit');
  main.push(...outBlock(b.lines));
  const f = [`.func f args=${viaR11 ? 6 : 1}`, viaR11 ? 'r1 = *(u64 *)(r11 +8)' : 'r0 = 0'];
  if (rnd(2)) f.push(`*(${SZ[size]} *)(r1 +0) = 3`);
  f.push(`r0 = *(${SZ[size]} *)(r1 +0)`, 'exit');
  return [...main, ...f].join('\n');
}

/** A bounded loop whose bound is a masked or branch-bounded ctx field. */
function loopBound(): string {
  const b = bound(6);
  const step = pick([1, 1, 2, 4]);
  // < and <= end when r7 passes the bound's maximum; != with a step over 1 may never meet it (the
  // verifier then walks a million instructions, minutes under TCG)
  const cmp = pick(['<', '<=']);
  return ['.type sched_cls', input(), `r6 = *(u32 *)(r1 +${pick(FIELDS)})`, ...b.lines, 'r0 = 0', 'r7 = 0', 'loop:', 'r0 += 1', `r7 += ${step}`, `if r7 ${cmp} r6 goto loop`, 'exit', ...outBlock(b.lines)].join('\n');
}

const count = Number(process.argv[2] ?? 600);
const makers = [simple, simple, simple, throughR11, pointerToCallee, loopBound];
const out: string[] = [];
for (let i = 0; i < count; i++) {
  const maker = makers[i % makers.length]!;
  const text = maker();
  const a = assemble(text);
  const p: Program = { progType: a.progType ?? 'sched_cls', insns: a.insns, funcs: a.funcs, maps: a.maps, input: a.input ?? new Uint8Array(64), meta: { heldout: i, template: maker.name } };
  const issues = validateProgram(p);
  if (issues.length > 0) throw new Error(`program ${i} (${maker.name}): ${JSON.stringify(issues)}\n${text}`);
  out.push(JSON.stringify(programToJson(p)));
}
process.stdout.write(out.join('\n') + '\n');
