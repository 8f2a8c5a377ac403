// check_reg_arg (kernel/bpf/verifier.c): a register read must be initialised, and r10 is never
// written.
import { BPF_REG_FP } from '../isa/index.ts';
import { EACCES, msg } from './messages.ts';
import { reject, type CheckResult } from './precheck.ts';
import type { Reg } from './state.ts';

/** check_reg_arg(SRC_OP) */
export function readReg(regs: Reg[], r: number): CheckResult | undefined {
  return regs[r]!.type === 'not_init' ? reject(EACCES, msg.notReadOk(r)) : undefined;
}

/** check_reg_arg(DST_OP) */
export function writeReg(r: number): CheckResult | undefined {
  return r === BPF_REG_FP ? reject(EACCES, msg.fpReadOnly()) : undefined;
}
