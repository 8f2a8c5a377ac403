// A function's argument types (FuncDecl.argTypes) as the C parameters of a selftest, and back:
// `long a1` a scalar, `struct __sk_buff *a1` (`struct xdp_md *` for xdp) the ctx, and
// `unsigned char (*a1)[N]` N bytes of memory, with `__arg_nonnull` (bpf_misc.h's
// btf_decl_tag("arg:nonnull")) when it may not be NULL. clang's BTF for these is what
// core/btf encodes for the same types.
import { argKindOf, formatArgType, type ArgType } from '../isa/index.ts';
import type { ProgType } from '../program/index.ts';

const CTX_STRUCT: Record<ProgType, string> = { socket_filter: '__sk_buff', sched_cls: '__sk_buff', xdp: 'xdp_md' };

/** The C parameter `k` (0-based) of a function whose argument types are `argTypes`. */
export function cParam(argTypes: readonly ArgType[] | undefined, k: number, progType: ProgType): string {
  const a = argKindOf(argTypes, k);
  const name = `a${k + 1}`;
  if (a.kind === 'ctx') return `struct ${CTX_STRUCT[progType]} *${name}`;
  if (a.kind === 'mem') return `unsigned char (*${name})[${a.size}]${a.nonnull ? ' __arg_nonnull' : ''}`;
  return `long ${name}`;
}

/** The argument type a C parameter declares, or undefined for a pointer of another kind. */
export function paramArgType(param: string): ArgType | undefined {
  const p = param.trim().replace(/\s+/g, ' ');
  if (/^struct (__sk_buff|xdp_md) ?\* ?\w+$/.test(p)) return 'ctx';
  const mem = /^unsigned char \( ?\* ?\w+ ?\) ?\[(\d+)\]( __arg_nonnull)?$/.exec(p);
  if (mem) return formatArgType({ kind: 'mem', size: Number(mem[1]), nonnull: mem[2] !== undefined });
  return p.includes('*') ? undefined : 'scalar';
}
