// CPU models and kernel builds the JIT model knows (cpu.ts).
import { describe, expect, it } from 'vitest';
import { jitProgram } from './compile.ts';
import { DEBIAN_72, DEBIAN_73, HASWELL, QEMU64, cpuModel, jitKernel } from './cpu.ts';
import { JitError } from './types.ts';

describe('CPU models and kernel builds', () => {
  it('resolves QEMU -cpu names, qemu64 by default, and nothing it does not know', () => {
    expect(cpuModel(undefined)).toBe(QEMU64);
    expect(cpuModel('Haswell')).toBe(HASWELL);
    expect(cpuModel('EPYC')).toBeUndefined();
  });

  it('describes 7.2 and 7.3 builds and refuses 6.12, whose JIT differs', () => {
    expect(jitKernel('linux-7.2')).toBe(DEBIAN_72);
    expect(jitKernel('7.3')).toBe(DEBIAN_73);
    expect(() => jitKernel('6.12')).toThrow(JitError);
  });

  it('masks the per-CPU address on a build whose &this_cpu_off was not measured', () => {
    // r0 = 0; r0 = &(void __percpu *)(r0); exit
    const insns = [
      { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 },
      { code: 0xbf, dst: 0, src: 0, off: -1, imm: 0 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ];
    const known = jitProgram(insns, [{ start: 0, stackDepth: 0 }], QEMU64, jitKernel('7.2'));
    expect(known.masked).toEqual([]);
    expect(known.image).toContain('65480304252840e283');
    const next = jitProgram(insns, [{ start: 0, stackDepth: 0 }], QEMU64, jitKernel('next'));
    expect(next.maskKinds).toEqual(['percpu-off']);
  });
});
