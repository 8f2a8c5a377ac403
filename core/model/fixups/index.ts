// The rewritten program (`xlated`) the verifier hands the JIT, predicted from the program and
// what the walk recorded, through bpf_check's rewrite passes in their order (kernel/bpf/verifier.c,
// after do_check): the privileged dead-code passes, convert_ctx_accesses, do_misc_fixups, the
// zero-extension pass (on x86-64, whose JIT does not ask for it, only after a 32-bit cmpxchg:
// zext.ts); then the call layout of jit_subprogs and bpf_insn_prepare_dump.
import type { RawInsn } from '../../isa/raw.ts';
import { isLdAbsInd } from '../../isa/index.ts';
import type { Program } from '../../program/types.ts';
import type { ProfileId } from '../profile.ts';
import type { WalkTrace } from '../trace.ts';
import { pruneDeadBranches } from './const-fold.ts';
import { convertCtxAccess } from './ctx-access.ts';
import { convertSockAccess } from './sock-access.ts';
import { LAYOUT_7, type CtxLayout } from './ctx-layout.ts';
import { hardWireDeadCodeBranches, removeDeadCode, removeNops } from './dead-code.ts';
import { addressImms, dumpCalls } from './dump.ts';
import { miscFixups, type MiscLayout } from './misc.ts';
import { patchInsn, type XProg } from './xprog.ts';
import { cmpxchgZext } from './zext.ts';
import { cover } from '../cover/sink.ts';
import type { CheckRuleId } from '../cover/rules.ts';

export { addressImms } from './dump.ts';

interface BuildLayout {
  ctx: CtxLayout;
  misc: MiscLayout;
}

const LAYOUTS: Partial<Record<ProfileId, BuildLayout>> = {
  'linux-7.2': { ctx: LAYOUT_7, misc: { arrayValueOffset: 0x130, htabElemKey: 48, regAx: 12, cpuNumberAddr: -2082324428 } },
  // (u32)&cpu_number of Debian's 7.3-rc7 build (0x83e3c038; guests boot nokaslr), read off 589 of 589 real dumps
  'linux-7.3': { ctx: LAYOUT_7, misc: { arrayValueOffset: 0x128, htabElemKey: 48, regAx: 12, cpuNumberAddr: -2082226120 } },
  next: { ctx: LAYOUT_7, misc: { arrayValueOffset: 0x128, htabElemKey: 48, regAx: 12 } },
};

export interface XlatedPrediction {
  insns: RawInsn[];
  /** instruction indices whose imm is a kernel address (compared masked) */
  masked: number[];
  /** start of each function that survived dead-code removal */
  funcStarts: number[];
  /** the program's function index of each surviving function */
  funcIds: number[];
  /** per instruction, the kernel function that wrote it ('' = the program's own instruction) */
  origins: string[];
}

type XlatedResult = XlatedPrediction | { unknown: string };

const CTX_CONVERT_RULES: Record<Program['progType'], CheckRuleId> = {
  sched_cls: 'convert_ctx_accesses:sched_cls', xdp: 'convert_ctx_accesses:xdp', socket_filter: 'convert_ctx_accesses:socket_filter',
};

/** bpf_convert_ctx_accesses: returns false when a ctx or socket access has no known conversion */
function convertCtxAccesses(x: XProg, program: Program, L: CtxLayout): boolean {
  for (let i = 0; i < x.insns.length; i++) {
    const t = x.aux[i]!.ptrType;
    let conv: RawInsn[] | undefined;
    if (t === 'ptr_to_ctx') conv = convertCtxAccess(x.insns[i]!, program.progType, L);
    else if (t === 'sock' || t === 'sock_common') conv = L.sock && convertSockAccess(x.insns[i]!, L.sock);
    else if (t === 'tcp_sock') conv = undefined; // bpf_tcp_sock_convert_ctx_access: not predicted
    else continue;
    if (!conv) return false;
    cover(t === 'sock' || t === 'sock_common' ? 'bpf_sock_convert_ctx_access:converted' : CTX_CONVERT_RULES[program.progType]);
    i += patchInsn(x, i, conv, t === 'sock' || t === 'sock_common' ? 'bpf_sock_convert_ctx_access' : 'convert_ctx_access');
  }
  return true;
}

export function predictXlated(program: Program, profile: ProfileId, trace: WalkTrace): XlatedResult {
  const layout = LAYOUTS[profile];
  if (!layout) return { unknown: `no struct layout for ${profile}` };
  const x: XProg = {
    insns: program.insns.map((i) => ({ ...i })),
    aux: program.insns.map((_, i) => ({ seen: trace.seen[i] === 1, ptrType: trace.ptrType.get(i), callMap: trace.callMap.get(i), zextDst: trace.zextDst.has(i) })),
    starts: [...program.funcs.map((f) => f.start), program.insns.length],
    subIds: program.funcs.map((_, k) => k),
  };
  // the second half of an LD_IMM64 counts as seen with its first (do_check steps over both)
  for (let i = 0; i < x.insns.length; i++) if (x.insns[i]!.code === 0x18 && x.aux[i]!.seen && x.aux[i + 1]) x.aux[i + 1]!.seen = true;
  if ([...trace.ptrType.values()].includes('mixed')) return { unknown: 'an instruction accessed memory through different pointer types' };
  // do_misc_fixups hands LD_ABS/LD_IND to the program type's gen_ld_abs (bpf_gen_ld_abs): not modelled
  if (x.insns.some((insn, i) => x.aux[i]!.seen && isLdAbsInd(insn)))
    return { unknown: 'an LD_ABS/LD_IND load (bpf_gen_ld_abs rewrites it; not modelled)' };
  // bpf_prune_dead_branches runs before the walk; the walk reached the same instructions either way
  for (const i of pruneDeadBranches(x.insns, program.funcs.map((f) => f.start), 11)) {
    cover('bpf_prune_dead_branches:pruned');
    x.aux[i]!.origin = 'bpf_prune_dead_branches';
  }
  hardWireDeadCodeBranches(x);
  removeDeadCode(x);
  removeNops(x);
  if (!convertCtxAccesses(x, program, layout.ctx)) return { unknown: 'a ctx or socket field whose kernel layout the model does not know' };
  if (!miscFixups(x, program.maps, layout.misc)) return { unknown: 'a helper call whose rewrite the model does not know for this kernel' };
  cmpxchgZext(x);
  const starts = x.starts.slice(0, -1);
  const insns = dumpCalls(x.insns, starts);
  return { insns, masked: addressImms(insns), funcStarts: starts, funcIds: x.subIds, origins: x.aux.map((a) => a.origin ?? '') };
}
