// Mutations of the skb's socket (body-sk.ts), placed at main's entry where r1 is the ctx:
// a store into the sock_common (check_sock_access: no bpf_sock field is writable), a read of a
// field a sock_common does not have (bpf_sock_common_is_valid_access: type, protocol, mark,
// priority), and bpf_sk_release of it although the program holds no reference to it
// (check_func_arg: a release helper needs a referenced pointer).
import { BPF_JEQ, E, type Op } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import type { MutationCtx, Mutator } from './mutate-ctx.ts';
import { SKB_SK } from './body-sk.ts';
import { BPF_FUNC_sk_release } from './body-sockets.ts';

/** at main's entry: r2 = ctx->sk, and `ops` run when it is not NULL */
function withSk(c: MutationCtx, ops: Op[]): void {
  const skip = c.newLabel();
  c.main.ops.splice(0, 0, E.ldx('DW', 2, 1, SKB_SK), E.jumpImm(BPF_JEQ, 2, 0, skip), ...ops, E.label(skip));
}

function skWrite(c: MutationCtx): string {
  const off = c.rng.pick([0, 4, 16, 48]);
  withSk(c, [c.rng.chance(0.5) ? E.st('W', 2, off, 1) : E.stx('W', 2, off, 1)]);
  return '^R2 cannot write into sock_common$';
}

function skBadField(c: MutationCtx): string {
  const off = c.rng.pick([8, 12, 16, 20]);
  withSk(c, [E.ldx('W', 0, 2, off)]);
  return `^R2 invalid sock_common access off=${off} size=4$`;
}

/** sched_cls only: socket_filter may not call bpf_sk_release at all (it gets a bad field instead) */
function skReleaseUnreferenced(c: MutationCtx): string {
  if (c.opts.progType !== 'sched_cls') return skBadField(c);
  withSk(c, [E.movReg(1, 2), E.callHelper(BPF_FUNC_sk_release)]);
  return '^(release helper \\S+ expects referenced PTR_TO_BTF_ID passed to R1|R1 must be referenced when passed to release function)$';
}

export const SK_MUTATORS = {
  'sk-write': skWrite,
  'sk-bad-field': skBadField,
  'sk-release-unreferenced': skReleaseUnreferenced,
} satisfies Partial<Record<MutationKind, Mutator>>;
