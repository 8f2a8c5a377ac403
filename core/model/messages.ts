// The kernel's reason lines, one function per message, with the kernel function that prints it.
// Keeping them here lets a reader grep the kernel for each text.

export const E2BIG = 7, EACCES = 13, EFAULT = 14, EINVAL = 22, EPROTO = 71, ENOTSUPP = 524;

/** a profile's message template with its {name} placeholders filled in */
export const fillMessage = (template: string, vars: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (all, k: string) => (k in vars ? String(vars[k]) : all));

export const msg = {
  // check_and_resolve_insns / check_insn_fields
  regInvalid: (r: number) => `R${r} is invalid`,
  unknownOpcode: (code: number) => `unknown opcode ${code.toString(16).padStart(2, '0')}`,
  invalidLdImm64: () => 'invalid bpf_ld_imm64 insn',
  ldImm64Reserved: () => 'BPF_LD_IMM64 uses reserved fields',
  unrecognizedLdImm64: () => 'unrecognized bpf_ld_imm64 insn',
  // add_subprog / check_subprogs
  callToInvalidDest: () => 'call to invalid destination',
  tooManySubprogs: () => 'too many subprograms',
  jumpOutOfRange: (from: number, to: number) => `jump out of range from insn ${from} to ${to}`,
  lastInsnNotExit: () => 'last insn is not an exit or jmp',
  // check_btf_func
  funcInfoCountMismatch: () => "number of funcs in func_info doesn't match number of subprogs",
  funcInfoLayoutMismatch: () => "func_info BTF section doesn't match subprog layout in BPF program",
  // cfg.c
  backEdge: (from: number, to: number) => `back-edge from insn ${from} to ${to}`,
  unreachable: (i: number) => `unreachable insn ${i}`,
  // btf_prepare_func_args
  tooManyParams: (max: number, name: string, n: number) => `kernel supports at most ${max} parameters, function ${name} has ${n}`,
  globalStackArgs: (name: string, n: number, max: number) => `global function ${name} has ${n} > ${max} args, stack args not supported`,
  globalTooManyArgs612: (name: string, n: number, max: number) => `Global function ${name}() with ${n} > ${max} args. Buggy compiler.`,
  callerPassesInvalidArgs: (sub: number, name: string) => `Caller passes invalid args into func#${sub} ('${name}')`,
  // registers
  notReadOk: (r: number) => `R${r} !read_ok`,
  fpReadOnly: () => 'frame pointer is read only',
  invalidMemAccess: (who: string, type: string) => `${who} invalid mem access '${type}'`,
  // alu
  divByZero: () => 'div by zero',
  invalidShift: (imm: number) => `invalid shift ${imm}`,
  ptrArith32: (r: number) => `R${r} 32-bit pointer arithmetic prohibited`,
  ptrArithProhibited: (r: number) => `R${r} pointer arithmetic prohibited`,
  ptrPtrProhibited: (r: number, op: string) => `R${r} pointer ${op} pointer prohibited`,
  ptrBitwise: (r: number, op: string) => `R${r} bitwise operator ${op} on pointer prohibited`,
  ptrArithOp: (r: number, op: string) => `R${r} pointer arithmetic with ${op} operator prohibited`,
  subFromStackPtr: (r: number) => `R${r} subtraction from stack pointer prohibited`,
  subPtrFromScalar: (r: number) => `R${r} tried to subtract pointer from scalar`,
  partialCopyPtr: (r: number) => `R${r} partial copy of pointer`,
  sextPtr: (r: number) => `R${r} sign-extension part of pointer`,
  mathPtrConst: (t: string, v: bigint) => `math between ${t} pointer and ${v} is not allowed`,
  mathPtrUnbounded: (t: string) => `math between ${t} pointer and register with unbounded min value is not allowed`,
  valueMakesPtrOob: (v: bigint, t: string) => `value ${v} makes ${t} pointer be out of bounds`,
  ptrOffsetNotAllowed: (t: string, v: bigint) => `${t} pointer offset ${v} is not allowed`,
  // memory
  invalidStackAccess: (rw: 'read from' | 'write to', who: string, off: bigint, size: number) => `invalid ${rw} stack ${who} off=${off} size=${size}`,
  misalignedStack: (tn: string, off: number, size: number) => `misaligned stack access off ${tn}+${off} size ${size}`,
  invalidReadStack: (who: string, off: number, size: number) => `invalid read from stack ${who} off ${off}+0 size ${size}`,
  invalidSizeSpill: () => 'invalid size of register spill',
  ctxAccess: (off: number, size: number) => `invalid bpf_context access off=${off} size=${size}`,
  modifiedCtx: (who: string, off: bigint) => `dereference of modified ctx ptr ${who} off=${off} disallowed`,
  negativeCtx: (who: string, off: bigint) => `negative offset ctx ptr ${who} off=${off} disallowed`,
  leaksIntoCtx: (r: number) => `R${r} leaks addr into ctx`,
  // stack arguments
  stackArgWriteMax: (off: number, max: number) => `stack arg write offset ${off} exceeds max ${max} stack args`,
  stackArgReadOob: (off: number, depth: number) => `invalid read from stack arg off ${off} depth ${depth}`,
  stackArgLoadOrder: () => 'r11 load must be before any r11 store or call insn',
  stackArgNotInit: (nargs: number, slot: number) => `callee expects ${nargs} args, stack arg${slot} is not initialized`,
  stackArgUnused: (func: number, writes: number, need: number) => `func#${func} writes ${writes} stack arg slots, but calls only require ${need}`,
  // calls and exits
  callStackTooDeep: (frames: number) => `the call stack of ${frames} frames is too deep`,
  combinedStackTooLarge: (calls: number, size: number) => `combined stack size of ${calls} calls is ${size}. Too large`,
  recursiveCall: (from: string, to: string) => `recursive call from ${from}() to ${to}()`,
  exitR0NotKnown: (t: string) => `At program exit the register R0 is not a known value (${t})`,
  subprogExitR0: (t: string) => `At subprogram exit the register R0 is not a scalar value (${t})`,
  complexity: (n: number) => `BPF program is too large. Processed ${n} insn`,
  loopLimit: () => 'infinite loop detected at insn %d',
  unknownFunc: (id: number) => `invalid func unknown#${id}`,
};

/**
 * 7.3's structured report ("Verification failed: <category>: <title>", kernel/bpf/diagnostics.c)
 * for the reason lines the model produces; reasons without an entry carry no report.
 */
const REPORTS: Array<[RegExp, string]> = [
  [/^(jump out of range from insn|indirect jump out of range)/, 'Program Structure: Jump out of range'],
  [/^last insn is not an exit or jmp$/, 'Program Structure: Subprogram can fall through'],
  [/^recursive call from /, 'Program Structure: Recursive subprogram call'],
  [/^unreachable insn /, 'Program Structure: Unreachable instruction'],
  [/^jump into the middle of ldimm64 insn /, 'Program Structure: Jump into ldimm64 immediate'],
  [/^back-edge from insn /, 'Program Structure: Back-edge is not allowed'],
  [/^R\d+ !read_ok$/, 'Register Type Safety: Unreadable register'],
  [/^callee expects \d+ args, stack arg\d+ is not initialized$/, 'Register Type Safety: Missing stack argument'],
  [/ invalid mem access '/, 'Register Type Safety: Invalid dereference'],
  [/^(dereference of modified|negative offset) \S+ ptr /, 'Register Type Safety: Invalid dereference'],
  [/^R\d+ 32-bit pointer arithmetic prohibited$/, 'Register Type Safety: 32-bit pointer arithmetic'],
  [/^R\d+ subtraction from stack pointer prohibited$/, 'Register Type Safety: Subtraction from stack pointer'],
  [/^R\d+ tried to subtract pointer from scalar$/, 'Register Type Safety: Pointer subtracted from scalar'],
  [/^R\d+ bitwise operator \S+ on pointer prohibited$/, 'Register Type Safety: Bitwise operation on pointer'],
  [/^R\d+ pointer arithmetic with \S+ operator prohibited$/, 'Register Type Safety: Invalid pointer arithmetic operator'],
  [/^(math between \S+ pointer and|value -?\d+ makes \S+ pointer be out of bounds|\S+ pointer offset -?\d+ is not allowed)/, 'Register Type Safety: Pointer offset is not safe'],
  [/^attempt to corrupt spilled pointer on stack$/, 'Memory Safety: Stack spill corruption'],
  [/^R\d+ pointer arithmetic on \S+ prohibited, null-check it first$/, 'Register Type Safety: Pointer arithmetic before NULL check'],
  [/^R\d+ pointer arithmetic on \S+ prohibited$/, 'Register Type Safety: Pointer arithmetic is not allowed'],
  [/^R\d+ (min|max) value is outside of the allowed memory range$/, 'Memory Safety: Access outside bounds'],
  [/^R\d+ type=\S+ expected=/, 'Call Type Safety: Invalid call argument'],
  [/^release helper \S+ expects referenced PTR_TO_BTF_ID passed to /, 'Call Type Safety: Invalid call argument'],
  [/^Unreleased reference id=\d+ alloc_insn=\d+$/, 'Resource Lifetime Safety: Unreleased resource'],
  [/^program of this type cannot use helper /, 'Policy: Operation is not allowed'],
];

export function reportFor(message: string): string | undefined {
  for (const [re, report] of REPORTS) if (re.test(message)) return report;
  return undefined;
}
