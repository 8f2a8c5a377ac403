// The code oracle: for a program both sides accept, the rewritten program (`xlated`) first, then
// the JIT image under its mask. A difference's reason names the first differing BPF
// instruction's opcode class and the kernel function that wrote it (a verifier rewrite pass for
// xlated, the bpf_jit_comp.c emitter for jit), never raw bytes, so one bug is one signature.
import { rawFromHex } from '../isa/index.ts';
import { kernelEmitterOf } from '../jit/index.ts';
import type { Outcome } from '../program/index.ts';
import { firstJitDifference } from './jit.ts';
import { firstXlatedDifference } from './xlated.ts';
import type { OutcomeDifference } from './compare.ts';

const CLASS_NAMES = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'];

export function codeDifference(model: Outcome, actual: Outcome): OutcomeDifference | undefined {
  if (!model.xlated || !actual.xlated) return undefined;
  const xd = firstXlatedDifference(model.xlated, actual.xlated);
  if (xd) {
    const writer = model.rewrites?.find(([i]) => i === xd.index)?.[1] ?? (xd.kind === 'length' ? 'bpf_opt_remove_dead_code' : 'the program');
    const reason = `${xd.opClass} ${writer}${xd.kind === 'length' ? ' (length)' : ''}`;
    return {
      class: 'xlated',
      detail: `xlated insn ${xd.index}: model ${xd.model ?? '(end)'} | kernel ${xd.kernel ?? '(end)'} (${writer})`,
      reason,
    };
  }
  // the image only where both sides ran on the same CPU model (the JIT's output depends on it)
  if (!model.jit?.image || !actual.jit?.image || (model.cpu ?? 'qemu64') !== (actual.cpu ?? 'qemu64')) return undefined;
  const jd = firstJitDifference(model.jit, actual.jit);
  if (!jd) return undefined;
  const insns = rawFromHex(model.xlated);
  const where = { func: jd.func, insn: insnAt(model.jit.insnOffsets ?? [], model.jit.funcLens ?? [], jd.offset) };
  const insn = where.insn >= 0 ? insns[where.insn] : undefined;
  const emitter = kernelEmitterOf(insn);
  const opClass = insn ? CLASS_NAMES[insn.code & 7]! : 'prologue';
  return {
    class: 'jit',
    detail: `image byte ${jd.offset} (function ${where.func}, insn ${where.insn}, ${emitter})${jd.funcLensEqual ? '' : `; funcLens model ${JSON.stringify(model.jit.funcLens)} kernel ${JSON.stringify(actual.jit.funcLens)}`} on ${actual.cpu ?? 'qemu64'}`,
    reason: `${opClass} ${emitter} ${actual.cpu ?? 'qemu64'}`,
  };
}

/** the xlated instruction whose code holds image byte `offset` (-1: a prologue, as core/jit's locate) */
function insnAt(insnOffsets: readonly number[], funcLens: readonly number[], offset: number): number {
  let funcAt = 0;
  for (let k = 0, at = 0; k < funcLens.length; at += funcLens[k]!, k++) if (offset >= at) funcAt = at;
  let insn = -1;
  for (let i = 0; i < insnOffsets.length && insnOffsets[i]! <= offset; i++) insn = i;
  return insn >= 0 && insnOffsets[insn]! < funcAt ? -1 : insn;
}
