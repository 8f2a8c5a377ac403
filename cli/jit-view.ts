// The predicted and the real x86-64 image side by side, disassembled with iced-x86, each
// native instruction under the BPF instruction it came from, the first difference outside
// the mask marked. Used by `bpfdiff disasm --jit`.
import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';
import { formatInsn } from '../core/isa/index.ts';
import type { RawInsn } from '../core/isa/raw.ts';
import { imageDiff, type JitResult } from '../core/jit/index.ts';

interface NativeInsn {
  /** byte offset in the whole image */
  offset: number;
  /** hex, masked bytes as `..` */
  bytes: string;
  /** Intel syntax */
  asm: string;
  masked: boolean;
}

/** Disassemble an image function by function (each starts at its own offset 0 for iced). */
export function disassembleX86(hex: string, funcLens: readonly number[], masked: ReadonlyArray<readonly [number, number]> = []): NativeInsn[] {
  const image = Buffer.from(hex, 'hex');
  const isMasked = new Uint8Array(image.length);
  for (const [at, n] of masked) isMasked.fill(1, at, Math.min(at + n, image.length));
  const formatter = new Formatter(FormatterSyntax.Intel);
  const out: NativeInsn[] = [];
  let base = 0;
  for (const len of funcLens.length ? funcLens : [image.length]) {
    const decoder = new Decoder(64, image.subarray(base, base + len), DecoderOptions.None);
    decoder.ip = BigInt(base); // jump targets as image offsets
    while (decoder.canDecode) {
      const insn = decoder.decode();
      const offset = Number(insn.ip);
      const bytes = [...image.subarray(offset, offset + insn.length)].map((b, k) => (isMasked[offset + k] ? '..' : b.toString(16).padStart(2, '0'))).join('');
      const anyMasked = isMasked.subarray(offset, offset + insn.length).some((b) => b === 1);
      out.push({ offset, bytes, asm: anyMasked ? `${formatter.format(insn).split(' ')[0]} <run-time address>` : formatter.format(insn), masked: anyMasked });
      insn.free();
    }
    decoder.free();
    base += len;
  }
  formatter.free();
  return out;
}

const WIDTH = 64;
const cell = (n: NativeInsn | undefined): string =>
  n === undefined ? ''.padEnd(WIDTH) : `${n.offset.toString(16).padStart(4)}  ${n.bytes.padEnd(22)} ${n.asm}`.slice(0, WIDTH).padEnd(WIDTH);

/**
 * Lines of the side-by-side listing. The BPF instruction headers come from the prediction's
 * insnOffsets; the real column is aligned native instruction by native instruction.
 */
export function jitSideBySide(pred: JitResult, realHex: string, realFuncLens: readonly number[], xlated: readonly RawInsn[], realLabel: string): string[] {
  const left = disassembleX86(pred.image, pred.funcLens, pred.masked);
  // the real image under the model's mask, so masked bytes read the same on both sides
  const right = disassembleX86(realHex, realFuncLens, pred.masked);
  const diff = imageDiff(pred, realHex, realFuncLens);
  const lines: string[] = [];
  lines.push(`${'  model'.padEnd(WIDTH)} | ${realLabel}`);
  if (diff.equal) lines.push(`; equal outside the ${pred.masked.length} masked ranges`);
  else {
    const where = diff.insn === undefined || diff.insn < 0 ? 'the prologue' : `insn ${diff.insn}: ${formatInsn(xlated, diff.insn)}`;
    lines.push(`; first difference at byte 0x${(diff.firstDiff ?? 0).toString(16)} (func ${diff.func}, ${where})${diff.funcLensEqual ? '' : `; funcLens ${JSON.stringify(pred.funcLens)} vs ${JSON.stringify(realFuncLens)}`}`);
  }
  const headerAt = new Map<number, number[]>();
  pred.insnOffsets.forEach((off, i) => {
    if (i > 0 && pred.insnOffsets[i - 1] === off && xlated[i - 1]?.code === 0x18) return; // second LD_IMM64 slot
    headerAt.set(off, [...(headerAt.get(off) ?? []), i]);
  });
  const funcStarts: number[] = [];
  let at = 0;
  for (const n of pred.funcLens) {
    funcStarts.push(at);
    at += n;
  }
  let marked = false;
  const rows = Math.max(left.length, right.length);
  for (let r = 0; r < rows; r++) {
    const l = left[r];
    const rr = right[r];
    if (l && funcStarts.includes(l.offset)) lines.push(`; func ${funcStarts.indexOf(l.offset)}`);
    for (const i of (l && headerAt.get(l.offset)) ?? []) lines.push(`    ; ${i}: ${formatInsn(xlated, i)}`);
    const differs = !marked && diff.firstDiff !== undefined && ((l && diff.firstDiff < l.offset + l.bytes.length / 2) || !l);
    if (differs) marked = true;
    lines.push(`${differs ? '>>' : '  '}${cell(l)} | ${cell(rr).trimEnd()}`);
  }
  return lines;
}
