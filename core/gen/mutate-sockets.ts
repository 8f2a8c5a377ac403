// Socket mutations, put at main's exit: the tuple goes to fp-24..fp-13 (main's locals, which the
// exit folds afterwards: plain numbers), the ctx is read from fp-8 first, then fp-8 holds the
// socket's copy when one is needed. Each returns the 7.2 reason line as a regular expression
// source; a socket_filter program may not look sockets up at all (check_helper_call).
import { BPF_ADD, BPF_JEQ, E, R_FP, type Op } from '../isa/index.ts';
import { arrayMapIndex } from './map-decls.ts';
import { BPF_FUNC_map_lookup_elem, ldMap } from './body-maps.ts';
import { BPF_FUNC_sk_release, lookupCall, tupleOps } from './body-sockets.ts';
import { helperCtx, type HelperMutationCtx } from './mutate-helpers.ts';
import type { Mutator } from './mutate-ctx.ts';
import type { MutationKind } from './mutations.ts';
import { helperAvailable } from '../model/helpers.ts';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const whole = (s: string): string => `^${esc(s)}$`;
const TUPLE = -24;
const SOCK_EXPECTED = 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_';

const lookup = (c: HelperMutationCtx): Op[] => [...tupleOps(c.rng, TUPLE, 12), ...lookupCall(c.rng, -8, TUPLE, 12)];
/** the reason line, or the program type's refusal of the lookup helper */
const unlessRefused = (c: HelperMutationCtx, reason: string): string =>
  helperAvailable(c.progType, 84) ? reason : '^program of this type cannot use helper bpf_sk_lookup_(tcp#84|udp#85)$';

/**
 * check_reference_leak: a socket looked up and never released. The lookup goes at the end of
 * main's entry, so the reference id 7.3 prints (`Unreleased reference id=N`) does not depend on
 * the order in which the verifier walks the branches after it.
 */
function sockLeak(c: HelperMutationCtx): string {
  const skip = c.newLabel();
  const check = c.rng.chance(0.5);
  c.atMainEntry([...lookup(c), ...(check ? [E.jumpImm(BPF_JEQ, 0, 0, skip), E.ldx('W', 1, 0, 4)] : []), E.label(skip)]);
  return unlessRefused(c, whole('BPF_EXIT instruction in main prog would lead to reference leak'));
}

/** check_func_arg (release of PTR_TO_SOCKET_OR_NULL): the release before the NULL check */
function sockReleaseUnchecked(c: HelperMutationCtx): string {
  c.atMainExit([...lookup(c), E.movReg(1, 0), E.callHelper(BPF_FUNC_sk_release)]);
  return unlessRefused(c, whole(`R1 type=sock_or_null expected=${SOCK_EXPECTED}`));
}

/** release_reference: the socket's spilled copy released a second time, or read after the release */
function sockUseAfterRelease(c: HelperMutationCtx): string {
  const skip = c.newLabel();
  const twice = c.rng.chance(0.5);
  const after: Op[] = twice ? [E.ldx('DW', 1, R_FP, -8), E.callHelper(BPF_FUNC_sk_release)] : [E.ldx('DW', 1, R_FP, -8), E.ldx('W', 2, 1, 4)];
  c.atMainExit([
    ...lookup(c), E.jumpImm(BPF_JEQ, 0, 0, skip), E.stx('DW', R_FP, -8, 0), E.movReg(1, 0), E.callHelper(BPF_FUNC_sk_release), ...after, E.label(skip),
  ]);
  return unlessRefused(c, twice ? whole(`R1 type=scalar expected=${SOCK_EXPECTED}`) : whole("R1 invalid mem access 'scalar'"));
}

/** check_reg_type for bpf_sk_release: something that is no socket (a stack pointer, the ctx, a map value) */
function sockReleaseNonSocket(c: HelperMutationCtx): string {
  const { rng } = c;
  switch (rng.int(0, 2)) {
    case 0:
      c.atMainExit([E.movReg(1, R_FP), E.aluImm(BPF_ADD, 1, -8 * rng.int(1, 2)), E.callHelper(BPF_FUNC_sk_release)]);
      return whole(`R1 type=fp expected=${SOCK_EXPECTED}`);
    case 1:
      c.atMainExit([E.ldx('DW', 1, R_FP, -8), E.callHelper(BPF_FUNC_sk_release)]);
      return whole(`R1 type=ctx expected=${SOCK_EXPECTED}`);
    default: {
      const mi = arrayMapIndex(c.plan.maps, rng);
      const skip = c.newLabel();
      c.atMainExit([
        E.st('W', R_FP, -8, 0), ldMap(1, mi), E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, -8), E.callHelper(BPF_FUNC_map_lookup_elem), E.jumpImm(BPF_JEQ, 0, 0, skip),
        E.movReg(1, 0), E.callHelper(BPF_FUNC_sk_release), E.label(skip),
      ]);
      return whole(`R1 type=map_value expected=${SOCK_EXPECTED}`);
    }
  }
}

export const SOCKET_MUTATORS = {
  'sock-leak': (c) => sockLeak(helperCtx(c)),
  'sock-release-unchecked': (c) => sockReleaseUnchecked(helperCtx(c)),
  'sock-use-after-release': (c) => sockUseAfterRelease(helperCtx(c)),
  'sock-release-non-socket': (c) => sockReleaseNonSocket(helperCtx(c)),
} satisfies Partial<Record<MutationKind, Mutator>>;
