// Subprograms of a pasted verifier log (no `.func` lines) found from call targets, as the
// kernel's add_subprog_and_kfunc finds them, with argument counts read from the instructions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from './asm.ts';
import { inferFunctions } from './subprogs.ts';

/** examples/seven-args.s as the 7.2 kernel's log prints it: no function markers */
const SEVEN_ARGS_LOG = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'seven-args.log'), 'utf8');

describe('subprograms from call targets', () => {
  it('a log listing with call pc+N assembles: the callee is a function with its stack arguments counted', () => {
    const a = assemble(SEVEN_ARGS_LOG);
    expect(a.funcs).toEqual([
      { name: 'main', start: 0, args: 1, linkage: 'static' },
      { name: 'subprog_9', start: 9, args: 7, linkage: 'static' },
    ]);
    expect(a.inferred).toEqual([{ name: 'subprog_9', note: 'called, not declared: loads stack argument 7 from r11 +16' }]);
  });

  it('straight-line callees read as many arguments as the registers they read first; with branches, 5 is assumed', () => {
    const a = assemble(['r1 = 1', 'r2 = 2', 'call pc+4', 'call pc+7', 'r0 = 0', 'exit', 'exit', 'r0 = r2', 'r1 = 5', 'r0 += r1', 'exit', 'if r1 > 3 goto pc+1', 'r0 = 0', 'exit'].join('\n'));
    expect(a.funcs.map((f) => [f.name, f.start, f.args])).toEqual([
      ['main', 0, 1],
      ['subprog_7', 7, 2],
      ['subprog_11', 11, 5],
    ]);
    expect(a.inferred?.[1].note).toMatch(/has branches.*5 assumed/);
  });

  it('a function pointer load starts a subprogram too; declared .func lines are kept as written', () => {
    const a = assemble(['r2 = func[pc+4] ll', 'r1 = 1', 'r0 = 0', 'exit', 'r0 = 1', 'exit'].join('\n'));
    expect(inferFunctions(a.insns).map((f) => f.start)).toEqual([0, 5]);
    const declared = assemble(['.func main', 'call pc+2', 'r0 = 0', 'exit', '.func g args=3', 'r0 = r3', 'exit'].join('\n'));
    expect(declared.funcs.map((f) => [f.name, f.args])).toEqual([['main', 0], ['g', 3]]);
    expect(declared.inferred).toBeUndefined();
  });
});
