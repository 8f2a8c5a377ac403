// Comparing the model's JIT image with the kernel's outside the masked ranges (the bytes that
// hold run-time addresses: call rel32, movabs imm64, thunk jumps), and the per-function lengths.
import type { JitFacts } from '../program/types.ts';

interface JitDifference {
  /** first differing byte outside the mask (or the shorter image's length) */
  offset: number;
  funcLensEqual: boolean;
  /** the function (index) the byte belongs to, by the model's funcLens */
  func: number;
}

/** undefined when the images agree outside the mask and the function lengths agree */
export function firstJitDifference(model: JitFacts, kernel: JitFacts): JitDifference | undefined {
  if (model.image === undefined || kernel.image === undefined) return undefined;
  const lm = model.funcLens ?? [];
  const lk = kernel.funcLens ?? [];
  const funcLensEqual = lm.length === lk.length && lm.every((n, k) => n === lk[k]);
  const a = Buffer.from(model.image, 'hex');
  const b = Buffer.from(kernel.image, 'hex');
  const n = Math.min(a.length, b.length);
  const mask = new Uint8Array(n);
  for (const [at, len] of model.masked ?? []) mask.fill(1, Math.min(at, n), Math.min(at + len, n));
  let offset = -1;
  for (let i = 0; i < n; i++) {
    if (!mask[i] && a[i] !== b[i]) {
      offset = i;
      break;
    }
  }
  if (offset < 0 && a.length !== b.length) offset = n;
  if (offset < 0 && funcLensEqual) return undefined;
  if (offset < 0) offset = n;
  let func = 0;
  for (let k = 0, at = 0; k < lm.length; at += lm[k]!, k++) if (offset >= at) func = k;
  return { offset, funcLensEqual, func };
}
