// Test helper: Programs from assembler text (core/isa syntax) or from raw records, for the model's tests.
import type { RawInsn } from '../isa/raw.ts';
import { programFromAsm } from '../program/index.ts';
import type { FuncDecl, Program, ProgType } from '../program/types.ts';

/** Unvalidated: the model's tests load malformed programs on purpose. */
export function asm(source: string, progType: ProgType = 'sched_cls'): Program {
  return programFromAsm(source, { progType, validate: false });
}

export const raw = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn => ({ code, dst, src, off, imm });

export function rawProgram(insns: RawInsn[], funcs: FuncDecl[] = [{ name: 'main', start: 0, args: 1, linkage: 'static' }], progType: ProgType = 'sched_cls'): Program {
  return { progType, insns, funcs, maps: [], input: new Uint8Array(64) };
}
