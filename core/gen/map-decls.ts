// The maps a generated program declares (Program.maps; the guest creates them fresh for every
// program): array maps (kernel/bpf/arraymap.c: 4-byte keys, zeroed values, lookups of a key below
// max_entries never fail) and preallocated hash maps (kernel/bpf/hashtab.c: empty at the start).
// A map is drawn when a feature first needs one, so a program whose map rates are 0 declares none
// and draws nothing from the random stream.
import type { MapDecl } from '../program/index.ts';
import type { Prng } from './prng.ts';

/** value sizes: multiples of 8 and a few that are not, so bounds end between 8-byte slots */
const VALUE_SIZES = [8, 8, 12, 16, 16, 24, 32, 40, 64];
/** maps a program declares at most */
const MAX_MAPS = 3;

function drawMap(rng: Prng, type: MapDecl['type']): MapDecl {
  const valueSize = rng.pick(VALUE_SIZES);
  if (type === 'array') return { type, keySize: 4, valueSize, maxEntries: rng.int(1, 8) };
  return { type, keySize: rng.pick([4, 8]), valueSize, maxEntries: rng.int(1, 8) };
}

/** The index of a map of `type` (any type when undefined): an existing one, or a new one appended to `maps`. */
export function mapIndex(maps: MapDecl[], rng: Prng, type?: MapDecl['type']): number {
  const fitting = maps.map((m, i) => ({ m, i })).filter(({ m }) => type === undefined || m.type === type);
  if (fitting.length > 0 && (maps.length >= MAX_MAPS || rng.chance(0.7))) return rng.pick(fitting).i;
  maps.push(drawMap(rng, type ?? (rng.chance(0.5) ? 'array' : 'hash')));
  return maps.length - 1;
}

/** An array map: pointers to its values are never freed, so they may travel to callees. */
export const arrayMapIndex = (maps: MapDecl[], rng: Prng): number => mapIndex(maps, rng, 'array');
