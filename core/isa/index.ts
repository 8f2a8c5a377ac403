// Public surface of the BPF instruction toolkit: opcodes, typed decode/encode, the kernel's
// disassembly text and the assembler that reads it back.
export * from './raw.ts';
export * from './opcode.ts';
export * from './insn.ts';
export * from './classify.ts';
export * from './decls.ts';
export * from './arg-types.ts';
export * from './ir.ts';
export { HELPER_NAMES, HELPER_ID_LIMIT } from './helper-ids.ts';
export { disassemble, formatInsn, type DisasmOptions } from './disasm.ts';
export { assemble, assembleInsn, AsmError, type Assembled } from './asm.ts';
export * as build from './build.ts';
export { inferFunctions, subprogramStarts, type InferredFunc } from './subprogs.ts';
