// The reason line each mutation should provoke on 7.2, as a regular expression source. Texts
// are the kernel's own (kernel/bpf/verifier.c, btf.c, fixups.c); where a number depends on
// which paths the verifier walks, the pattern leaves it open.

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const whole = (s: string): string => `^${s}$`;

export const expectedMessage = {
  missingStore: (nargs: number, slot: number): string => whole(esc(`callee expects ${nargs} args, stack arg${slot} is not initialized`)),
  extraStore: (func: number, slots: number): string => whole(`${esc(`func#${func} writes ${slots} stack arg slots, but calls only require `)}\\d+`),
  loadAfter: (): string => whole(esc('r11 load must be before any r11 store or call insn')),
  readPast: (off: number, depth: number): string => whole(esc(`invalid read from stack arg off ${off} depth ${depth}`)),
  writePastMax: (off: number): string => whole(esc(`stack arg write offset ${off} exceeds max 7 stack args`)),
  r11Invalid: (): string => whole(esc('R11 is invalid')),
  // btf_prepare_func_args logs the rule, then check_func_call adds its own line for a global callee.
  globalManyArgs: (func: number, name: string, nargs: number): string =>
    `^(${esc(`Caller passes invalid args into func#${func} ('${name}')`)}|${esc(`global function ${name} has ${nargs} > 5 args, stack args not supported`)})$`,
  tooDeep: (): string => '^the call stack of \\d+ frames is too deep( !)?$',
  tooMuchStack: (): string => '^combined stack size of \\d+ calls is \\d+\\. Too large$',
  scalarDeref: (): string => "^R\\d+ invalid mem access 'scalar'$",
};
