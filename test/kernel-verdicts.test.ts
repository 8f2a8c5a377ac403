// Real Debian kernels in QEMU: the stack-argument programs of KERNEL-NOTES give the verdicts,
// reason lines and return values the kernels are known to give.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import { sevenArgs, thirteenArgs } from './kernel-programs.ts';

describe('stack arguments on real kernels', () => {
  let k72: VmPool;
  let k612: VmPool;

  beforeAll(async () => {
    const catalog = readCatalog();
    // one guest per kernel, booted side by side
    [k72, k612] = await Promise.all([
      VmPool.create({ kernel: resolveKernel('7.2', catalog), size: 1, timeoutMs: 20_000 }),
      VmPool.create({ kernel: resolveKernel('6.12', catalog), size: 1, timeoutMs: 20_000 }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([k72?.close(), k612?.close()]);
  });

  it('7.2 accepts f(1,2,3,4,5,600,700) and the test run returns 1315', async () => {
    const [o] = await k72.run([sevenArgs()]);
    expect(o).toMatchObject({ verdict: 'accept', errno: 0, message: '', retval: 1315 });
    expect(o.kernel).toBe(resolveKernel('7.2').version);
    expect(o.kernel).toMatch(/^7\.2\./);
    // x86-64 JITs both functions
    expect(o.jit?.funcLens).toHaveLength(2);
    expect(o.jit?.len).toBe(o.jit!.funcLens!.reduce((a, b) => a + b, 0));
  });

  it('6.12 rejects the same program with "R11 is invalid"', async () => {
    const [o] = await k612.run([sevenArgs()]);
    expect(o).toMatchObject({ verdict: 'reject', errno: 22, message: 'R11 is invalid' });
    expect(o.kernel).toMatch(/^6\.12\./);
    expect(o.retval).toBeUndefined();
  });

  it('7.2 rejects 13 arguments at the eighth stack-argument store', async () => {
    const [o] = await k72.run([thirteenArgs()]);
    expect(o).toMatchObject({ verdict: 'reject', errno: 22, message: 'stack arg write offset -64 exceeds max 7 stack args' });
  });
});
