import { describe, expect, it } from 'vitest';
import { checkKernels } from './validate-job.ts';

describe('kernel ids with a CPU model over the API', () => {
  const known = ['7.2', '7.3'];
  it('accepts ID@CPU for a known kernel and a CPU model the JIT model knows', () => {
    expect(() => checkKernels('body.kernels', ['7.2', '7.2@Haswell', '7.3@qemu64'], known)).not.toThrow();
  });
  it('names the field and the expected CPU models for an unknown CPU model', () => {
    expect(() => checkKernels('body.kernels', ['7.2@Pentium'], known)).toThrow(/body\.kernels\[0\].*unknown CPU model "Pentium"; expected one of qemu64, Haswell/);
  });
  it('still refuses an unknown kernel and anything that is not an id', () => {
    expect(() => checkKernels('body.kernels', ['9.9@Haswell'], known)).toThrow(/unknown kernel "9.9"/);
    expect(() => checkKernels('body.kernels', ['../x@Haswell'], known)).toThrow(/not a kernel id/);
  });
});
