// Socket statements: bpf_sk_lookup_tcp/udp with a struct bpf_sock_tuple on the stack (IPv4, 12
// bytes, or IPv6, 36), the NULL check that turns the acquired PTR_TO_SOCKET_OR_NULL into a socket
// (mark_ptr_or_null_regs), a read of a bpf_sock field (check_sock_access), and bpf_sk_release
// (release_reference). Sometimes the socket is spilled and released through the reloaded copy.
// The reference must be gone at every exit (check_reference_leak). The guest has no sockets: at
// run time every lookup returns NULL, so the checksum never sees a socket.
import { BPF_ADD, BPF_JEQ, BPF_JNE, BPF_XOR, E, R_FP, type Op } from '../isa/index.ts';
import { helperAvailable } from '../model/helpers.ts';
import type { Prng } from './prng.ts';
import type { BodyCtx } from './body-ctx.ts';
import { progTypeOf } from './body-helpers.ts';
import { CHECKSUM } from './values.ts';

const BPF_FUNC_sk_lookup_tcp = 84;
const BPF_FUNC_sk_lookup_udp = 85;
export const BPF_FUNC_sk_release = 86;
/** BPF_F_CURRENT_NETNS: the netns argument that means the program's own */
const BPF_F_CURRENT_NETNS = -1;
const TUPLE_V4 = 12;
const TUPLE_V6 = 36;
/** u32 fields of struct bpf_sock: family, type, protocol, mark, priority, src_ip4, src_port, dst_ip4, state */
const SOCK_FIELDS = [4, 8, 12, 16, 20, 24, 44, 52, 72];

/** the tuple's bytes at fp + `base`: addresses and ports as immediates (`bytes` is 12 or 36) */
export function tupleOps(rng: Prng, base: number, bytes: number): Op[] {
  const ops: Op[] = [];
  for (let off = 0; off < bytes - 4; off += 4) ops.push(E.st('W', R_FP, base + off, rng.pick([0x0100007f, 0, -1, rng.i32()])));
  ops.push(E.st('H', R_FP, base + bytes - 4, rng.int(0, 0xffff)), E.st('H', R_FP, base + bytes - 2, rng.pick([80, 443, 53, rng.int(0, 0xffff)])));
  return ops;
}

/** r1 = ctx (from `ctxSlot`), r2 = fp + base, r3 = size, r4 = current netns, r5 = 0, call */
export const lookupCall = (rng: Prng, ctxSlot: number, base: number, size: number): Op[] => [
  E.ldx('DW', 1, R_FP, ctxSlot), E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, base), E.movImm(3, size), E.movImm(4, BPF_F_CURRENT_NETNS), E.movImm(5, 0),
  E.callHelper(rng.chance(0.5) ? BPF_FUNC_sk_lookup_tcp : BPF_FUNC_sk_lookup_udp),
];

/** whether this function can look a socket up: a ctx, the helpers, and room on the stack for a tuple */
export function socketFits(ctx: BodyCtx): boolean {
  return ctx.frame.ctxSlot !== 0 && helperAvailable(progTypeOf(ctx), BPF_FUNC_sk_lookup_tcp) && ctx.frame.scratch.length >= 2;
}

/** lookup, NULL check, maybe a field read and a spill, release */
export function socketStatement(ctx: BodyCtx): void {
  const { rng, emit, frame } = ctx;
  const bytes = frame.scratch.length >= 5 && rng.chance(0.3) ? TUPLE_V6 : TUPLE_V4;
  const base = frame.scratch[Math.ceil(bytes / 8) - 1];
  emit(...tupleOps(rng, base, bytes), ...lookupCall(rng, frame.ctxSlot, base, bytes));
  const skip = ctx.newLabel();
  if (rng.chance(0.7)) emit(E.jumpImm(BPF_JEQ, 0, 0, skip));
  else {
    const body = ctx.newLabel();
    emit(E.jumpImm(BPF_JNE, 0, 0, body), E.ja(skip), E.label(body));
  }
  // never run (no socket is found); the verifier still checks the field is readable
  if (rng.chance(0.5)) emit(E.ldx('W', 1, 0, rng.pick(SOCK_FIELDS)), E.aluReg(BPF_XOR, CHECKSUM, 1));
  if (rng.chance(0.3)) emit(E.stx('DW', R_FP, base, 0), E.ldx('DW', 1, R_FP, base));
  else emit(E.movReg(1, 0));
  emit(E.callHelper(BPF_FUNC_sk_release), E.label(skip));
}
