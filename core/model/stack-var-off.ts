// Variable-offset stack access by an instruction (kernel/bpf/verifier.c, privileged program):
// check_stack_access_within_bounds for a pointer whose var_off is not constant, then
// check_stack_write_var_off (every byte the write may touch becomes misc, or stays zero when a
// zero is written over zeros; spilled registers in range are scrubbed) or check_stack_read_var_off
// (check_stack_range_initialized: a privileged program may read any byte; mark_reg_stack_read:
// all-zero bytes give a known zero, anything else an unknown scalar). Alignment (strict for the
// stack) is checked by the caller before, as check_ptr_alignment runs before these.
// The kernel prints the pointer's var_off and the instruction's own offset separately:
// `invalid variable-offset read from stack R2 var_off=(0xfffffffffffffff0; 0xf) off=-8 size=8`.
import { EACCES } from './messages.ts';
import { reject, type CheckResult } from './precheck.ts';
import { cover } from './coverage.ts';
import { narrowLoad, stackBoundsErrno, tnumStr, type Access, type MemEnv } from './memory.ts';
import { markUnknown, smax, smin } from './scalar/bounds.ts';
import { tnumConst, tnumIsConst } from './scalar/tnum.ts';
import type { Profile } from './profile.ts';
import { BPF_REG_SIZE, growStack, knownScalar, type Frame, type Reg, type VState } from './state.ts';

/**
 * How a stack message names the offset: 7.x prints the pointer's var_off and the instruction's
 * offset; 6.12 printed the variable part as var_off and reg->off + the instruction's offset.
 */
export function varOffText(ptr: Reg, insnOff: number, profile: Profile): { varOff: string; off: number } {
  if (!profile.features.ptrFixedOff) return { varOff: tnumStr(ptr.varOff), off: insnOff };
  return { varOff: tnumStr(ptr.varPart ?? tnumConst(0n)), off: ptr.fixedOff + insnOff };
}

/** check_ptr_alignment's message for the stack (strict): `misaligned stack access off ...` */
export function misalignedStack(ptr: Reg, insnOff: number, size: number, profile: Profile): string {
  if (!profile.features.ptrFixedOff) return `misaligned stack access off ${tnumStr(ptr.varOff)}+${insnOff} size ${size}`;
  return `misaligned stack access off ${tnumStr(ptr.varPart ?? tnumConst(0n))}+${ptr.fixedOff}+${insnOff} size ${size}`;
}

/** BPF_MAX_VAR_OFF: a larger variable offset is "unbounded" */
const BPF_MAX_VAR_OFF = 1n << 29n;

/** check_mem_access for PTR_TO_STACK with a variable offset (the pointer's var_off is not constant). */
export function stackVarOffAccess(st: VState, ptr: Reg, a: Access, env: MemEnv): CheckResult | undefined {
  const rw = a.write ? ' write to' : ' read from';
  // check_stack_access_within_bounds
  if (smax(ptr) >= BPF_MAX_VAR_OFF || smin(ptr) <= -BPF_MAX_VAR_OFF) return reject(EACCES, `invalid unbounded variable-offset${rw} stack ${a.who}`);
  const minOff = smin(ptr) + BigInt(a.off);
  const maxOff = smax(ptr) + BigInt(a.off) + BigInt(a.size);
  const bounds = stackBoundsErrno(minOff, maxOff);
  if (bounds) {
    const t = varOffText(ptr, a.off, env.profile);
    return reject(bounds, `invalid variable-offset${rw} stack ${a.who} var_off=${t.varOff} off=${t.off} size=${a.size}`);
  }
  const target = st.frames[ptr.frameno]!;
  growStack(target, Number(-minOff));
  env.onStackDepth(target, Number(-minOff));
  const cur = st.frames[st.frames.length - 1]!;
  cover(a.write ? 'check_mem_access:stack-var-write' : 'check_mem_access:stack-var-read');
  if (a.write) return writeVarOff(target, cur, Number(minOff), Number(maxOff), a);
  // check_stack_read: a read that does not go to a register needs a constant offset
  if (a.valueRegno < 0) {
    const t = varOffText(ptr, a.off, env.profile);
    return reject(EACCES, `variable offset stack pointer cannot be passed into helper function; var_off=${t.varOff} off=${t.off} size=${a.size}`);
  }
  readVarOff(target, cur, Number(minOff), Number(maxOff), a);
  return undefined;
}

const slotOf = (f: Frame, i: number) => {
  const slot = -i - 1;
  return { s: f.stack[Math.floor(slot / BPF_REG_SIZE)]!, k: slot % BPF_REG_SIZE };
};

/** check_stack_write_var_off, privileged (allow_ptr_leaks, allow_uninit_stack) */
function writeVarOff(target: Frame, cur: Frame, minOff: number, maxOff: number, a: Access): CheckResult | undefined {
  const value = a.valueRegno >= 0 ? cur.regs[a.valueRegno]! : undefined;
  const writingZero = value ? value.type === 'scalar' && tnumIsConst(value.varOff) && value.varOff.value === 0n : a.imm === 0;
  cover('check_stack_write_var_off:write');
  for (let i = minOff; i < maxOff; i++) {
    const { s, k } = slotOf(target, i);
    // a zero written over a spilled constant zero keeps the spill
    if (writingZero && s.types[k] === 'spill' && s.spilled.type === 'scalar' && tnumIsConst(s.spilled.varOff) && s.spilled.varOff.value === 0n) continue;
    // scrub_special_slot: the spilled register is gone, its bytes become misc
    s.spilled = { ...s.spilled, type: 'not_init' };
    if (s.types[BPF_REG_SIZE - 1] === 'spill') {
      cover('check_stack_write_var_off:scrub-spill');
      for (let j = 0; j < BPF_REG_SIZE; j++) if (s.types[j] !== 'invalid') s.types[j] = 'misc';
    }
    s.types[k] = writingZero && s.types[k] === 'zero' ? 'zero' : 'misc';
  }
  return undefined;
}

/** check_stack_read_var_off then mark_reg_stack_read over [smin + off, smax + off + size) */
function readVarOff(target: Frame, cur: Frame, minOff: number, maxOff: number, a: Access): void {
  let zeros = 0;
  for (let i = minOff; i < maxOff; i++) {
    const { s, k } = slotOf(target, i);
    if (s.types[k] !== 'zero') break;
    zeros++;
  }
  cover(zeros === maxOff - minOff ? 'check_stack_read_var_off:zero' : 'check_stack_read_var_off:unknown');
  if (zeros === maxOff - minOff) cur.regs[a.valueRegno] = knownScalar(0n);
  else markUnknown(cur.regs[a.valueRegno]!);
  narrowLoad(cur.regs[a.valueRegno]!, a);
}
