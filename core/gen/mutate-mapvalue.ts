// Mutations of the direct map value loads (body-mapvalue.ts), at main's exit sequence: the
// value of a hash map (which has no direct value access), an offset at or past value_size, or
// an array of more than one element (resolve_pseudo_ldimm64 → map->ops->map_direct_value_addr).
import { E, R_FP } from '../isa/index.ts';
import type { MutationKind } from './mutations.ts';
import { exitAt, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import { ldMapValue, singleArrayIndex } from './body-mapvalue.ts';

function atMainExit(c: MutationCtx, mi: number, off: number): void {
  c.main.ops.splice(exitAt(c.main), 0, ldMapValue(1, mi, off), E.ldx('B', 0, 1, 0), E.stx('DW', R_FP, -8, 0));
}

/** a hash map's value loaded directly */
function mapValueImmHash(c: MutationCtx): string {
  const { maps } = c.plan;
  let mi = maps.findIndex((m) => m.type === 'hash');
  if (mi < 0) {
    maps.push({ type: 'hash', keySize: 4, valueSize: 8 * c.rng.int(1, 4), maxEntries: c.rng.int(1, 8) });
    mi = maps.length - 1;
  }
  atMainExit(c, mi, 0);
  return '^no direct value access support for this map type$';
}

/** an offset at or past value_size, or an array map of several elements */
function mapValueImmBad(c: MutationCtx): string {
  const { maps } = c.plan;
  if (c.rng.chance(0.5)) {
    const mi = singleArrayIndex(maps, c.rng);
    const off = maps[mi].valueSize + c.rng.pick([0, 1, 8, 0x1000]);
    atMainExit(c, mi, off);
    return `^invalid access to map value pointer, value_size=${maps[mi].valueSize} off=${off}$`;
  }
  maps.push({ type: 'array', keySize: 4, valueSize: 8 * c.rng.int(1, 4), maxEntries: c.rng.int(2, 8) });
  atMainExit(c, maps.length - 1, 0);
  return `^invalid access to map value pointer, value_size=${maps[maps.length - 1].valueSize} off=0$`;
}

export const MAP_VALUE_MUTATORS = {
  'map-value-imm-hash': mapValueImmHash,
  'map-value-imm-bad': mapValueImmBad,
} satisfies Partial<Record<MutationKind, Mutator>>;
