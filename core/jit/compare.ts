// Comparing a predicted image with a real one under the mask: the first differing byte
// outside the masked ranges, and the function and BPF instruction it belongs to.
import type { JitResult } from './types.ts';

interface ImageDiff {
  /** true when the images are equal outside the mask and the function lengths agree */
  equal: boolean;
  funcLensEqual: boolean;
  /** first differing byte offset outside the mask, or the shorter image's length */
  firstDiff?: number;
  /** function index and xlated instruction index at firstDiff (-1: the prologue) */
  func?: number;
  insn?: number;
}

/** A byte mask of the predicted image: 1 where the byte is not predicted. */
function maskBytes(pred: JitResult, len: number): Uint8Array {
  const m = new Uint8Array(len);
  for (const [at, n] of pred.masked) m.fill(1, Math.min(at, len), Math.min(at + n, len));
  return m;
}

/** Locate an image offset: its function and the xlated instruction whose code holds it. */
function locate(pred: JitResult, offset: number): { func: number; insn: number } {
  let func = 0;
  let funcAt = 0;
  for (let k = 0, at = 0; k < pred.funcLens.length; at += pred.funcLens[k]!, k++) {
    if (offset >= at) {
      func = k;
      funcAt = at;
    }
  }
  let insn = -1;
  for (let i = 0; i < pred.insnOffsets.length; i++) {
    if (pred.insnOffsets[i]! <= offset) insn = i;
    else break;
  }
  // an offset before the function's first instruction is its prologue
  if (insn >= 0 && pred.insnOffsets[insn]! < funcAt) insn = -1;
  return { func, insn };
}

export function imageDiff(pred: JitResult, realHex: string, realFuncLens: readonly number[]): ImageDiff {
  const funcLensEqual = pred.funcLens.length === realFuncLens.length && pred.funcLens.every((n, k) => n === realFuncLens[k]);
  const a = Buffer.from(pred.image, 'hex');
  const b = Buffer.from(realHex, 'hex');
  const n = Math.min(a.length, b.length);
  const mask = maskBytes(pred, n);
  let firstDiff: number | undefined;
  for (let i = 0; i < n; i++) {
    if (!mask[i] && a[i] !== b[i]) {
      firstDiff = i;
      break;
    }
  }
  if (firstDiff === undefined && a.length !== b.length) firstDiff = n;
  if (firstDiff === undefined) return { equal: funcLensEqual, funcLensEqual };
  return { equal: false, funcLensEqual, firstDiff, ...locate(pred, firstDiff) };
}
