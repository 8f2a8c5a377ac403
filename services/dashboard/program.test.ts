// The finding page's reading of a program in the browser (program.js): which instruction it
// highlights for the model's own reason lines, and the call graph it draws.
import { describe, expect, it } from 'vitest';
import { assemble } from '../../core/isa/index.ts';
import { resolveProfile, verify } from '../../core/model/index.ts';
import { parseProgram, programToJson, type Outcome, type ProgramJson } from '../../core/program/index.ts';

interface Hit {
  index: number;
  how: string;
}
interface Graph {
  nodes: Array<{ name: string; args: number; stackArgStores: Array<{ insn: number; off: number }> }>;
  edges: Array<{ from: number; to: number; sites: Array<{ insn: number; stackArgs: number[] }> }>;
}
// a plain browser module: loaded by a specifier TypeScript does not resolve, typed here
const dashboard = (await import('./program.js' as string)) as {
  divergingInsn(outcome: Outcome | undefined, program: ProgramJson): Hit | undefined;
  refusingSide(example: { model: Outcome; actual: Outcome }): { outcome: Outcome; who: string } | undefined;
  callGraph(program: ProgramJson): Graph;
  layers(graph: Graph): number[][];
};

function program(asm: string): ProgramJson {
  const a = assemble(asm);
  return programToJson({ progType: 'sched_cls', insns: a.insns, funcs: a.funcs, maps: a.maps, input: new Uint8Array(64) });
}
const model = (p: ProgramJson, kernel: string) => verify(parseProgram(p), resolveProfile(kernel)!);

const SEVEN_ASM = `
.func main args=1
  r1 = 1
  r2 = 2
  r3 = 3
  r4 = 4
  r5 = 5
  *(u64 *)(r11 -8) = 600
  *(u64 *)(r11 -16) = 700
  call f
  exit
.func f args=7
  r6 = *(u64 *)(r11 +8)
  r7 = *(u64 *)(r11 +16)
  r0 = r6
  r0 += r7
  exit
`;
const SEVEN = program(SEVEN_ASM);

describe('divergingInsn: the instruction a reason line points at', () => {
  it('the r11 store at the offset `stack arg write offset -64 exceeds max 7 stack args` names', () => {
    const stores = Array.from({ length: 8 }, (_, k) => `*(u64 *)(r11 -${8 * (k + 1)}) = ${k}`).join('\n');
    const loads = Array.from({ length: 7 }, (_, k) => `r0 = *(u64 *)(r11 +${8 * (k + 1)})`).join('\n');
    const p = program(`.func main args=1\nr1 = 1\nr2 = 2\nr3 = 3\nr4 = 4\nr5 = 5\n${stores}\ncall f\nexit\n.func f args=12\n${loads}\nexit\n`);
    const outcome = model(p, '7.2');
    expect(outcome.message).toBe('stack arg write offset -64 exceeds max 7 stack args');
    expect(dashboard.divergingInsn(outcome, p)).toEqual({ index: 12, how: 'the first r11 access at the offset the reason line names' });
  });

  it('the call whose stack argument is missing', () => {
    const p = program(SEVEN_ASM.replace('  *(u64 *)(r11 -16) = 700\n', ''));
    const outcome = model(p, '7.2');
    expect(outcome.message).toMatch(/^callee expects 7 args, stack arg\d+ is not initialized$/);
    expect(dashboard.divergingInsn(outcome, p)?.index).toBe(6);
  });

  it('the r11 load that comes after a call in its function', () => {
    const p = program(SEVEN_ASM.replace('  r7 = *(u64 *)(r11 +16)\n', '  call g\n  r7 = *(u64 *)(r11 +16)\n') + '.func g\n  r0 = 0\n  exit\n');
    const outcome = model(p, '7.2');
    expect(outcome.message).toBe('r11 load must be before any r11 store or call insn');
    expect(dashboard.divergingInsn(outcome, p)?.index).toBe(11);
  });

  it('the first r11 access for 6.12, which has no stack arguments', () => {
    const outcome = model(SEVEN, '6.12');
    expect(outcome.message).toBe('R11 is invalid');
    expect(dashboard.divergingInsn(outcome, SEVEN)).toEqual({ index: 5, how: 'the first r11 access' });
  });

  it('a kept verifier log wins: its last instruction line before the reason', () => {
    const log = 'func#0 @0\n0: (b7) r1 = 1\n1: (b7) r2 = 2\n5: (7a) *(u64 *)(r11 -8) = 600\nR11 is invalid\nprocessed 3 insns';
    expect(dashboard.divergingInsn({ verdict: 'reject', errno: 22, message: 'R11 is invalid', kernel: '6.12.0', log }, SEVEN)).toEqual({
      index: 5,
      how: 'the last instruction in the verifier log before its reason line',
    });
  });

  it('an instruction the reason line names; nothing for reasons that name no place', () => {
    const jump = { verdict: 'reject' as const, errno: 22, message: 'jump out of range from insn 3 to 40', kernel: 'k' };
    expect(dashboard.divergingInsn(jump, SEVEN)?.index).toBe(3);
    expect(dashboard.divergingInsn({ ...jump, message: 'div by zero' }, SEVEN)).toBeUndefined();
  });

  it('reads the side that refused; a retval difference has none', () => {
    const accept: Outcome = { verdict: 'accept', errno: 0, message: '', retval: 1, kernel: 'k' };
    const reject: Outcome = { verdict: 'reject', errno: 22, message: 'R11 is invalid', kernel: 'k' };
    expect(dashboard.refusingSide({ model: accept, actual: reject })?.who).toBe('kernel');
    expect(dashboard.refusingSide({ model: reject, actual: accept })?.who).toBe('model');
    expect(dashboard.refusingSide({ model: accept, actual: { ...accept, retval: 2 } })).toBeUndefined();
  });
});

describe('callGraph', () => {
  it('functions with their argument counts, calls with the r11 stores each passes', () => {
    const graph = dashboard.callGraph(SEVEN);
    expect(graph.nodes.map((n) => [n.name, n.args])).toEqual([['main', 1], ['f', 7]]);
    expect(graph.nodes[0].stackArgStores).toEqual([{ insn: 5, off: -8 }, { insn: 6, off: -16 }]);
    expect(graph.nodes[1].stackArgStores).toEqual([]);
    expect(graph.edges).toEqual([{ from: 0, to: 1, target: 9, kind: 'call', sites: [{ insn: 7, stackArgs: [-8, -16] }] }]);
    expect(dashboard.layers(graph)).toEqual([[0], [1]]);
  });
});
