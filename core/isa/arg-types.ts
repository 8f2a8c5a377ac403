// The type of each argument a function's BTF declares, as the program format writes it: the
// kernel derives a global function's argument states from these (btf_prepare_func_args,
// kernel/bpf/btf.c), so a pointer argument needs its own type, not just a count.
//   scalar            a `long`: ARG_ANYTHING, the callee starts with an unknown scalar
//   ctx               a pointer to the program type's context struct (`struct __sk_buff *`,
//                     `struct xdp_md *`): ARG_PTR_TO_CTX
//   mem:N             a pointer to N bytes (`u8 (*)[N]`): for a global function
//                     ARG_PTR_TO_MEM | PTR_MAYBE_NULL of size N, so the callee must test it for NULL
//   mem:N:nonnull     the same with the `arg:nonnull` decl tag: no PTR_MAYBE_NULL, and the
//                     caller may not pass NULL

export type ArgType = 'scalar' | 'ctx' | `mem:${number}` | `mem:${number}:nonnull`;

export type ArgKind =
  | { kind: 'scalar' }
  | { kind: 'ctx' }
  | { kind: 'mem'; size: number; nonnull: boolean };

/** The largest `mem:N`: check_mem_reg refuses sizes above S32_MAX, and N is a BTF array length. */
export const MAX_MEM_ARG_SIZE = 0x7fff_ffff;

/** The JSON schema pattern of one entry (its size range is checked by parseArgType). */
export const ARG_TYPE_PATTERN = '^(scalar|ctx|mem:[1-9][0-9]{0,9}(:nonnull)?)$';
const ARG_TYPE_RE = /^(?:(scalar)|(ctx)|mem:([1-9][0-9]{0,9})(:nonnull)?)$/;

/** What an argument type means, or a sentence saying what was expected. */
export function parseArgType(text: string): ArgKind | { error: string } {
  const m = ARG_TYPE_RE.exec(text);
  const expected = `expected scalar, ctx, mem:N or mem:N:nonnull (N 1..${MAX_MEM_ARG_SIZE})`;
  if (!m) return { error: `${JSON.stringify(text)} is not an argument type, ${expected}` };
  if (m[1]) return { kind: 'scalar' };
  if (m[2]) return { kind: 'ctx' };
  const size = Number(m[3]);
  if (size > MAX_MEM_ARG_SIZE) return { error: `${JSON.stringify(text)}: size ${size} is too large, ${expected}` };
  return { kind: 'mem', size, nonnull: m[4] !== undefined };
}

export function formatArgType(a: ArgKind): ArgType {
  if (a.kind !== 'mem') return a.kind;
  return a.nonnull ? `mem:${a.size}:nonnull` : `mem:${a.size}`;
}

/** The kind of argument `i` (0-based) of a function: scalar when the function lists no types. */
export function argKindOf(argTypes: readonly ArgType[] | undefined, i: number): ArgKind {
  const t = argTypes?.[i];
  if (t === undefined) return { kind: 'scalar' };
  const k = parseArgType(t);
  return 'error' in k ? { kind: 'scalar' } : k;
}

/** True when some argument is not a scalar (the BTF and the model then need the types). */
export function hasPointerArgs(argTypes: readonly ArgType[] | undefined): boolean {
  return argTypes !== undefined && argTypes.some((t) => t !== 'scalar');
}
