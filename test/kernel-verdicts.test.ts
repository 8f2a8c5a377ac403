// Real Debian kernels in QEMU: the stack-argument programs of docs/KERNEL-NOTES.md give the verdicts,
// reason lines and return values the kernels are known to give.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmPool, readCatalog, resolveKernel } from '../kernel/index.ts';
import { manyFunctionsProgram, missingSeventhArg, sevenArgs, straightLineProgram, thirteenArgs } from './kernel-programs.ts';

describe('stack arguments on real kernels', () => {
  let k72: VmPool;
  let k612: VmPool;
  let k73: VmPool;
  /** 7.2 with the JIT image asked for */
  let k72image: VmPool;

  beforeAll(async () => {
    const catalog = readCatalog();
    // one guest per kernel, booted side by side
    [k72, k612, k73, k72image] = await Promise.all(
      [['7.2', false], ['6.12', false], ['7.3', false], ['7.2', true]].map(([id, wantJitImage]) =>
        VmPool.create({ kernel: resolveKernel(id as string, catalog), size: 1, timeoutMs: 20_000, wantJitImage: wantJitImage as boolean }),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all([k72?.close(), k612?.close(), k73?.close(), k72image?.close()]);
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

  // The agent asks for the JIT facts in one query with room for 64 function lengths and a
  // 64 KiB image, and asks again only for what did not fit: both paths must give it all.
  it('returns the JIT image and the function lengths, also past the first query\'s room', async () => {
    const [seven, many, long] = await k72image.run([sevenArgs(), manyFunctionsProgram(80), straightLineProgram(20_000)]);
    expect(seven).toMatchObject({ verdict: 'accept', retval: 1315 });
    expect(seven.jit?.image).toHaveLength(2 * (seven.jit?.len ?? -1)); // hex
    expect(seven.jit?.funcLens).toHaveLength(2);

    expect(many).toMatchObject({ verdict: 'accept', retval: (79 * 80) / 2 });
    expect(many.jit?.funcLens).toHaveLength(80);
    expect(many.jit?.funcLens?.every((n) => n > 0)).toBe(true);
    expect(many.jit?.len).toBe(many.jit!.funcLens!.reduce((a, b) => a + b, 0));
    expect(many.jit?.image).toHaveLength(2 * (many.jit?.len ?? -1));

    expect(long).toMatchObject({ verdict: 'accept', retval: 20_000 });
    expect(long.jit?.len).toBeGreaterThan(65_536);
    expect(long.jit?.image).toHaveLength(2 * (long.jit?.len ?? -1));
    // the image is the program's: 20,000 times `add rax, 1` (48 83 c0 01)
    expect(long.jit!.image!.split('4883c001').length - 1).toBe(20_000);
  });
});
