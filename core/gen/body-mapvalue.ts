// A one-element array map's value addressed directly: ld_imm64 with src_reg BPF_PSEUDO_MAP_VALUE
// (resolve_pseudo_ldimm64 → array_map_direct_value_addr, kernel/bpf/arraymap.c) gives a
// PTR_TO_MAP_VALUE at a constant offset with no lookup and no NULL check, as a C global variable
// does (.bss/.data are such maps). The statement writes a value there, reads it back (and a
// neighbour) and folds what it read; the value stays zeroed between programs (fresh maps).
import { E, SIZE_BYTES, type Op, type SizeName } from '../isa/index.ts';
import type { MapDecl } from '../program/index.ts';
import type { Prng } from './prng.ts';
import type { BodyCtx } from './body-ctx.ts';
import { READ_REGS } from './values.ts';

const BPF_PSEUDO_MAP_VALUE = 2;
const VALUE_SIZES = [8, 16, 24, 32, 64];

/** ld_imm64 of map `index`'s value at `off` */
export const ldMapValue = (dst: number, index: number, off: number): Op => ({ kind: 'ld64', dst, lo: index, hi: off, src: BPF_PSEUDO_MAP_VALUE });

/** a one-element array map of the program's, or a new one */
export function singleArrayIndex(maps: MapDecl[], rng: Prng): number {
  const found = maps.findIndex((m) => m.type === 'array' && m.maxEntries === 1);
  if (found >= 0) return found;
  maps.push({ type: 'array', keySize: 4, valueSize: rng.pick(VALUE_SIZES), maxEntries: 1 });
  return maps.length - 1;
}

/** a statement: r1 = &value + base, a store and loads at constant offsets within the value */
export function mapValueStatement(ctx: BodyCtx): void {
  const { rng } = ctx;
  const mi = singleArrayIndex(ctx.program.maps, rng);
  const size = ctx.program.maps[mi].valueSize;
  const base = 8 * rng.int(0, size / 8 - 1);
  const s = rng.pick<SizeName>(['DW', 'W', 'H', 'B']);
  // an offset from r1 that keeps the access inside the value (base + off >= 0)
  const off = -base + SIZE_BYTES[s] * rng.int(0, size / SIZE_BYTES[s] - 1);
  ctx.emit(ldMapValue(1, mi, base));
  if (rng.chance(0.6)) ctx.emit(E.stx(s, 1, off, rng.pick(READ_REGS)));
  ctx.emit(E.ldx(s, 0, 1, off));
  ctx.fold(0);
}
