// Programs around a 32-bit cmpxchg, each with whether the kernel zero-extends R0 after it (a path
// reads R0 as 64 bits before redefining it). Measured on the real 7.2.13 and 7.3-rc7: their xlated
// and JIT images equal the model's (test/model-gaps.test.ts); used by fixups.test.ts too.
const head = ['r1 = 0x11223344', '*(u64 *)(r10 -8) = r1', 'r0 = 0x11223344', 'r2 = 7'];
const cmpxchg = 'r0 = atomic_cmpxchg((u32 *)(r10 -8), r0, r2)';
const main = (...body: string[]) => ['.type sched_cls', '.func main args=1', ...head, cmpxchg, ...body].join('\n');

export const CMPXCHG32_CASES: ReadonlyArray<{ name: string; source: string; zext: number }> = [
  { name: 'read by a 64-bit mov', source: main('r6 = r0', 'r0 = r6', 'exit'), zext: 1 },
  { name: 'read by a 32-bit mov only', source: main('w6 = w0', 'r0 = r6', 'exit'), zext: 0 },
  { name: 'returned (exit reads R0 as 64 bits)', source: main('exit'), zext: 1 },
  { name: 'compared by JMP32 only', source: main('if w0 == 5 goto l', 'r0 = 1', 'exit', 'l:', 'r0 = 2', 'exit'), zext: 0 },
  { name: 'compared by a 64-bit jump', source: main('if r0 == 5 goto l', 'r0 = 1', 'exit', 'l:', 'r0 = 2', 'exit'), zext: 1 },
  { name: 'spilled as 64 bits', source: main('*(u64 *)(r10 -16) = r0', 'r0 = *(u64 *)(r10 -16)', 'exit'), zext: 1 },
  { name: 'stored as 32 bits', source: main('*(u32 *)(r10 -16) = r0', 'r0 = *(u32 *)(r10 -16)', 'exit'), zext: 0 },
  { name: 'redefined by 32-bit ALU first', source: main('w0 += 1', 'r0 += 1', 'exit'), zext: 0 },
  { name: 'the first of two, only the second read as 64 bits', source: main('r3 = 0x11223344', cmpxchg, 'r0 += r3', 'exit'), zext: 1 },
  {
    name: 'in a callee that returns it',
    source: ['.type sched_cls', '.func main args=1', 'call f', 'r6 = r0', 'r0 = r6', 'exit', '.func f args=0', ...head, cmpxchg, 'exit'].join('\n'),
    zext: 1,
  },
];
