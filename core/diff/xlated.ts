// Comparing a predicted rewritten program with the kernel's. The fields that hold a kernel
// address (a helper call's imm: fn - __bpf_call_base; the per-CPU variable address of an inlined
// helper) are masked: they follow from where the kernel's text lies, not from the program.
import { disassemble, rawFromHex, type RawInsn } from '../isa/index.ts';
import { addressImms } from '../model/fixups/index.ts';

interface XlatedDifference {
  /** first differing instruction (in the model's numbering) */
  index: number;
  kind: 'length' | 'insn';
  /** the two instructions as the verifier log prints them (undefined past an end) */
  model?: string;
  kernel?: string;
  /** opcode class of the first differing instruction (the model's, else the kernel's) */
  opClass: string;
}

const CLASS_NAMES = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'];

function text(insns: RawInsn[], i: number): string | undefined {
  const insn = insns[i];
  if (!insn) return undefined;
  try {
    return disassemble([insn, insns[i + 1] ?? insn].slice(0, insn.code === 0x18 ? 2 : 1))[0]!.text;
  } catch {
    return `(${insn.code.toString(16).padStart(2, '0')}) ?`;
  }
}

/** undefined when the two agree outside the masked fields */
export function firstXlatedDifference(modelHex: string, kernelHex: string): XlatedDifference | undefined {
  const m = rawFromHex(modelHex);
  const k = rawFromHex(kernelHex);
  const masked = new Set(addressImms(m));
  const n = Math.min(m.length, k.length);
  for (let i = 0; i < n; i++) {
    const a = m[i]!;
    const b = k[i]!;
    const same = a.code === b.code && a.dst === b.dst && a.src === b.src && a.off === b.off && (a.imm === b.imm || masked.has(i));
    if (!same) return { index: i, kind: 'insn', model: text(m, i), kernel: text(k, i), opClass: CLASS_NAMES[a.code & 7]! };
  }
  if (m.length === k.length) return undefined;
  const at = m[n] ?? k[n]!;
  return { index: n, kind: 'length', model: text(m, n), kernel: text(k, n), opClass: CLASS_NAMES[at.code & 7]! };
}
