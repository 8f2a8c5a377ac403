// Real Debian kernels in QEMU: the stack-argument programs of KERNEL-NOTES give the verdicts,
// reason lines and return values the kernels are known to give.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import { missingSeventhArg, sevenArgs, thirteenArgs } from './kernel-programs.ts';

describe('stack arguments on real kernels', () => {
  let k72: VmPool;
  let k612: VmPool;
  let k73: VmPool;

  beforeAll(async () => {
    const catalog = readCatalog();
    // one guest per kernel, booted side by side
    [k72, k612, k73] = await Promise.all(
      ['7.2', '6.12', '7.3'].map((id) => VmPool.create({ kernel: resolveKernel(id, catalog), size: 1, timeoutMs: 20_000 })),
    );
  });

  afterAll(async () => {
    await Promise.all([k72?.close(), k612?.close(), k73?.close()]);
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

  it('7.3 gives the same reason line as 7.2 plus its structured report', async () => {
    const [[on72], [on73]] = await Promise.all([k72.run([missingSeventhArg()]), k73.run([missingSeventhArg()])]);
    const message = 'callee expects 7 args, stack arg2 is not initialized';
    expect(on72).toMatchObject({ verdict: 'reject', message });
    expect(on72.report).toBeUndefined();
    expect(on73).toMatchObject({ verdict: 'reject', errno: on72.errno, message, report: 'Register Type Safety: Missing stack argument' });
    expect(on73.kernel).toMatch(/^7\.3/);
  });
});
