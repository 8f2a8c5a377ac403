import { describe, expect, it } from 'vitest';
import { assemble } from '../core/isa/index.ts';
import type { Program } from '../core/program/types.ts';
import { normalizeXlated, usedMapOrder } from './xlated.ts';
import { rawFromHex, rawToBytes } from '../core/isa/raw.ts';

function program(src: string): Program {
  const a = assemble(src);
  return { progType: 'sched_cls', insns: a.insns, funcs: a.funcs, maps: a.maps, input: new Uint8Array(64) };
}

describe('xlated normalization', () => {
  const p = program(['.map array 4 8 1', '.map hash 4 8 4', 'r1 = map[id:1] ll', 'r2 = map[id:0] ll', 'r3 = map[id:1] ll', 'r0 = 0', 'exit'].join('\n'));

  it('orders maps by first reference, as __add_used_map does', () => {
    expect(usedMapOrder(p)).toEqual([1, 0]);
  });

  it('replaces the dumped map ids by the program map indices and keeps the rest', () => {
    // what the kernel dumps: map ids 41 (map 1) and 40 (map 0)
    const dumped = rawFromHex(Buffer.from(rawToBytes(p.insns)).toString('hex'));
    dumped[0] = { ...dumped[0], imm: 41 };
    dumped[2] = { ...dumped[2], imm: 40 };
    dumped[4] = { ...dumped[4], imm: 41 };
    const hex = normalizeXlated(rawToBytes(dumped), [41, 40], p);
    expect(hex).toBe(Buffer.from(rawToBytes(p.insns)).toString('hex'));
  });

  it('leaves an id it does not know alone', () => {
    const dumped = [...p.insns];
    dumped[0] = { ...dumped[0], imm: 99 };
    expect(rawFromHex(normalizeXlated(rawToBytes(dumped), [41, 40], p))[0].imm).toBe(99);
  });
});
