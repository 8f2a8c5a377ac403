import { describe, expect, it } from 'vitest';
import { assemble, rawFromHex, rawToHex } from '../isa/index.ts';
import { PROFILES, verify } from '../model/index.ts';
import type { Outcome, Program } from '../program/index.ts';
import { compareOutcomes, divergenceSignature } from './compare.ts';

function program(src: string): Program {
  const a = assemble(src);
  return { progType: 'sched_cls', insns: a.insns, funcs: a.funcs, maps: a.maps, input: new Uint8Array(64) };
}

// a kernel outcome that is the model's own prediction, as a kernel that agrees would give
const src = ['r2 = *(u32 *)(r1 +0)', 'r0 = 7', 'if r2 > 0x40 goto l', 'r0 = *(u32 *)(r1 +0)', 'r0 /= r2', 'l: exit'].join('\n');
const model = verify(program(src), PROFILES['linux-7.2']);
const kernel = (): Outcome => ({ ...model, kernel: '7.2.13+deb14-amd64', jit: { ...model.jit, masked: undefined, insnOffsets: undefined }, rewrites: undefined });

describe('the code oracle (xlated, then jit)', () => {
  it('agrees with an identical kernel outcome, and ignores masked bytes (call rel32, movabs imm64)', () => {
    expect(model.xlated).toBeDefined();
    expect(model.jit?.image).toBeDefined();
    expect(compareOutcomes(model, kernel())).toEqual([]);
    const withMap = verify(program(['.map array 4 8 1', 'r1 = map[id:0] ll', 'r0 = 0', 'exit'].join('\n')), PROFILES['linux-7.2']);
    const [at, len] = withMap.jit!.masked![0]!;
    const img = Buffer.from(withMap.jit!.image!, 'hex');
    img.fill(0xab, at, at + len);
    expect(compareOutcomes(withMap, { ...withMap, jit: { ...withMap.jit, image: img.toString('hex') } })).toEqual([]);
  });

  it('reports a different rewrite as xlated, signed by opcode class and the pass that wrote it', () => {
    const k = kernel();
    const insns = rawFromHex(k.xlated!);
    // the division guard's `if r2 != 0x0` as a kernel that forgot the guard would leave it
    const guard = insns.findIndex((i) => i.code === 0x55);
    insns[guard] = { ...insns[guard]!, imm: 1 };
    k.xlated = rawToHex(insns);
    const [d] = compareOutcomes(model, k);
    expect(d?.class).toBe('xlated');
    expect(d?.reason).toBe('jmp do_misc_fixups');
    expect(divergenceSignature(d!.class, d!.reason, 'some-mutation')).toBe('xlated|jmp do_misc_fixups');
  });

  it('reports an image difference outside the mask as jit, signed by the emitter of the BPF instruction, on the same CPU only', () => {
    const k = kernel();
    const img = Buffer.from(k.jit!.image!, 'hex');
    const last = img.length - 3; // inside the epilogue's leave/ret of the last instruction (exit)
    img[last] ^= 0xff;
    k.jit = { ...k.jit, image: img.toString('hex') };
    const [d] = compareOutcomes(model, k);
    expect(d?.class).toBe('jit');
    expect(d?.reason).toMatch(/^jmp emit_\w+.* qemu64$/);
    expect(compareOutcomes(model, { ...k, cpu: 'Haswell' })).toEqual([]);
  });
});
