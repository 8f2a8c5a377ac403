// Test fixtures of real JIT images (written by scripts/jit-fixture.ts from samples recorded on
// the real kernels) and the helpers the rule tests share.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { jitProgram } from '../compile.ts';
import { cpuModel, jitKernel } from '../cpu.ts';
import type { JitFunc, JitResult } from '../types.ts';

export interface JitFixture {
  name: string;
  kernel: string;
  cpu: string;
  /** the kernel's xlated dump (hex) */
  xlated: string;
  funcs: JitFunc[];
  /** the real image (hex) and jited_func_lens */
  image: string;
  funcLens: number[];
}

export function loadFixtures(file: string): JitFixture[] {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  return text.trim().split('\n').map((l) => JSON.parse(l) as JitFixture);
}

const rules = loadFixtures('./rules.jsonl');

/** The real record of one rule program (the .s sources are in testdata/rules/) on a kernel and CPU. */
export function rule(name: string, cpu = 'qemu64', kernel = '7.2'): JitFixture {
  const f = rules.find((r) => r.name === name && r.cpu === cpu && r.kernel === kernel);
  if (!f) throw new Error(`no fixture ${name} on ${kernel} ${cpu}`);
  return f;
}

export function predict(f: JitFixture): JitResult {
  return jitProgram(Buffer.from(f.xlated, 'hex'), f.funcs, cpuModel(f.cpu), jitKernel(f.kernel));
}

/** The image with masked bytes replaced by `..`, for comparing under the mask. */
export function underMask(hex: string, res: JitResult): string {
  const bytes = hex.match(/../g) ?? [];
  for (const [at, n] of res.masked) for (let i = at; i < at + n && i < bytes.length; i++) bytes[i] = '..';
  return bytes.join('');
}

/** Hex of the native code of xlated instruction `i` (to the next instruction's, or `len` bytes), masked bytes as `..`. */
export function codeOf(hex: string, res: JitResult, i: number, len?: number): string {
  const from = res.insnOffsets[i]!;
  let to = res.image.length / 2;
  if (len !== undefined) to = from + len;
  else {
    for (let k = i + 1; k < res.insnOffsets.length; k++) {
      if (res.insnOffsets[k]! > from) {
        to = res.insnOffsets[k]!;
        break;
      }
    }
  }
  return underMask(hex, res).slice(2 * from, 2 * to);
}

/**
 * The model's image equals the real one under the mask, and each listed instruction's code is
 * the hand-written bytes in both.
 */
export function expectInsns(name: string, cpu: string, cases: Array<[number, string, string]>, kernel = '7.2'): void {
  const f = rule(name, cpu, kernel);
  const res = predict(f);
  expect(underMask(res.image, res)).toBe(underMask(f.image, res));
  expect(res.funcLens).toEqual(f.funcLens);
  for (const [i, bytes, asm] of cases) {
    expect(codeOf(res.image, res, i), `insn ${i}: ${asm}`).toBe(bytes);
    expect(codeOf(f.image, res, i), `real insn ${i}: ${asm}`).toBe(bytes);
  }
}

/** Hex of function `k`'s code before its first instruction (the prologue). */
export function prologueOf(hex: string, f: JitFixture, res: JitResult, k: number): string {
  const start = res.funcLens.slice(0, k).reduce((a, b) => a + b, 0);
  return underMask(hex, res).slice(2 * start, 2 * res.insnOffsets[f.funcs[k]!.start]!);
}
