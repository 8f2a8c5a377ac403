// Test helper: Programs from assembler text (core/isa syntax) or from raw records, for the model's tests.
import { assemble } from '../isa/index.ts';
import type { RawInsn } from '../isa/raw.ts';
import type { FuncDecl, Program, ProgType } from '../program/types.ts';

export function asm(source: string, progType: ProgType = 'sched_cls'): Program {
  const a = assemble(source);
  return { progType: a.progType ?? progType, insns: a.insns, funcs: a.funcs, maps: a.maps, input: a.input ?? new Uint8Array(64) };
}

export const raw = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn => ({ code, dst, src, off, imm });

export function rawProgram(insns: RawInsn[], funcs: FuncDecl[] = [{ name: 'main', start: 0, args: 1, linkage: 'static' }], progType: ProgType = 'sched_cls'): Program {
  return { progType, insns, funcs, maps: [], input: new Uint8Array(64) };
}
