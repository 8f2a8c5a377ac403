// The program's maps during one test run, as the guest creates them fresh for every program:
// arrays of zeroed values (kernel/bpf/arraymap.c) and preallocated hash tables that start empty
// (kernel/bpf/hashtab.c). Each value is a region of its own, so a load through a pointer that
// bpf_map_lookup_elem returned sees every later update of that element.
import type { MapDecl } from '../../program/types.ts';
import { InterpUnsupported } from './errors.ts';
import { readBytes, type Loaded, type Provenance, type Region } from './memory.ts';

/** the maps' addresses: far from the stack, ctx and packet regions; each map has 64 GiB of its own */
const MAP_AREA = 0xffff888040000000n;
const MAP_STRIDE = 1n << 36n;
/** hash elements a run may allocate (replacements included) before the interpreter gives up */
const MAX_HASH_ALLOCATIONS = 100_000;
/** bytes of the map struct a map pointer points at when its layout is not given */
const MAP_OBJECT_BYTES = 256;

/**
 * The map struct (struct bpf_array, struct bpf_htab) of a test run's map, as far as it is known:
 * `known` marks the bytes whose value the kernel's struct holds for certain (map-ptr-access.ts).
 */
export interface MapObjectImage {
  name: string;
  bytes: Uint8Array;
  known: Uint8Array;
}

/** The map struct's region: loads of known bytes give them, loads touching any other byte are tainted. */
function mapObjectRegion(i: number, base: bigint, image: MapObjectImage | undefined): Region {
  const name = `${image ? `struct ${image.name}` : 'struct bpf_map'} of map ${i}`;
  const bytes = image?.bytes ?? new Uint8Array(MAP_OBJECT_BYTES);
  return {
    name,
    base,
    bytes,
    writable: false,
    special: {
      read(off, size): Loaded | undefined {
        if (image && image.known.subarray(off, off + size).every((k) => k === 1)) return undefined;
        const why = image ? `a read of ${name} at offset ${off}, a field the kernel fills at run time` : `a read of ${name}, whose layout is not known`;
        return { value: readBytes(bytes, off, size), prov: { kind: 'taint', why } };
      },
      write: () => false,
    },
  };
}

const EINVAL = 22, ENOENT = 2, EEXIST = 17, E2BIG = 7;
const BPF_NOEXIST = 1n, BPF_EXIST = 2n, BPF_F_LOCK = 4n;

interface HashElem {
  key: string;
  region: Region;
}

interface MapState {
  decl: MapDecl;
  object: Region;
  /** distance between element regions: whole pages, at least the value size */
  stride: bigint;
  /** array: one region per element, made when first touched */
  elems: (Region | undefined)[];
  /** hash: live elements in insertion order */
  live: HashElem[];
  allocated: number;
}

/** A value region: initialised memory that keeps the provenance of what is stored in it. */
function valueRegion(name: string, base: bigint, size: number): Region {
  return {
    name,
    base,
    bytes: new Uint8Array(size),
    writable: true,
    init: new Uint8Array(size).fill(1),
    prov: new Array<Provenance | undefined>(size).fill(undefined),
  };
}

type MapOpResult = { ok: true } | { ok: false; errno: number };

export class MapStore {
  private readonly maps: MapState[];

  /** `addRegion` makes new value regions addressable by loads and stores */
  constructor(decls: readonly MapDecl[], private readonly addRegion: (r: Region) => void, objectImage?: (decl: MapDecl) => MapObjectImage | undefined) {
    this.maps = decls.map((decl, i) => {
      const base = MAP_AREA + BigInt(i) * MAP_STRIDE;
      const object = mapObjectRegion(i, base, objectImage?.(decl));
      addRegion(object);
      const stride = BigInt(Math.ceil(decl.valueSize / 4096) * 4096);
      return { decl, object, stride, elems: [], live: [], allocated: 0 };
    });
  }

  /** LD_IMM64 src 1: the map pointer */
  mapPointer(idx: number): Loaded {
    const m = this.maps[idx]!;
    return { value: m.object.base, prov: { kind: 'addr', region: m.object } };
  }

  /** LD_IMM64 src 2: the address of byte `off` of a one-element array's value */
  valuePointer(idx: number, off: number): Loaded {
    const r = this.arrayElem(idx, 0)!;
    return { value: r.base + BigInt(off), prov: { kind: 'addr', region: r } };
  }

  /** the map a helper's map argument points at */
  mapOf(arg: Loaded): number | undefined {
    if (arg.prov?.kind !== 'addr') return undefined;
    const i = this.maps.findIndex((m) => m.object === (arg.prov as { region: Region }).region);
    return i < 0 || arg.value !== this.maps[i]!.object.base ? undefined : i;
  }

  decl(idx: number): MapDecl {
    return this.maps[idx]!.decl;
  }

  /** bpf_map_lookup_elem: the element's region, or undefined for NULL */
  lookup(idx: number, key: Uint8Array): Region | undefined {
    const m = this.maps[idx]!;
    if (m.decl.type === 'array') return this.arrayElem(idx, arrayIndex(key));
    return m.live.find((e) => e.key === keyString(key))?.region;
  }

  /** array element k (zeroed when first touched), undefined past max_entries */
  private arrayElem(idx: number, k: number): Region | undefined {
    const m = this.maps[idx]!;
    if (k >= m.decl.maxEntries) return undefined;
    let r = m.elems[k];
    if (!r) {
      r = valueRegion(`map ${idx} element ${k}`, m.object.base + m.stride * BigInt(k + 1), m.decl.valueSize);
      m.elems[k] = r;
      this.addRegion(r);
    }
    return r;
  }

  /** bpf_map_update_elem (array_map_update_elem, htab_map_update_elem without BPF_F_LOCK support) */
  update(idx: number, key: Uint8Array, value: Uint8Array, valueProv: (Provenance | undefined)[], flags: bigint): MapOpResult {
    const m = this.maps[idx]!;
    const plain = flags & ~BPF_F_LOCK;
    if (plain > BPF_EXIST) return { ok: false, errno: EINVAL };
    if (m.decl.type === 'array') {
      const elem = this.arrayElem(idx, arrayIndex(key));
      if (!elem) return { ok: false, errno: E2BIG };
      if (plain & BPF_NOEXIST) return { ok: false, errno: EEXIST };
      // no map value here has a spin lock
      if (flags & BPF_F_LOCK) return { ok: false, errno: EINVAL };
      copyInto(elem, value, valueProv);
      return { ok: true };
    }
    if (flags & BPF_F_LOCK) return { ok: false, errno: EINVAL };
    const k = keyString(key);
    const pos = m.live.findIndex((e) => e.key === k);
    if (pos >= 0 && plain === BPF_NOEXIST) return { ok: false, errno: EEXIST };
    if (pos < 0 && plain === BPF_EXIST) return { ok: false, errno: ENOENT };
    // a new element of the preallocated table; a replaced one keeps its old bytes, where a stale
    // pointer still reads them until the kernel reuses it
    if (pos < 0 && m.live.length >= m.decl.maxEntries) return { ok: false, errno: E2BIG };
    if (m.allocated >= MAX_HASH_ALLOCATIONS) throw new InterpUnsupported(`more than ${MAX_HASH_ALLOCATIONS} hash map element allocations in one run`);
    const base = m.object.base + m.stride * BigInt(++m.allocated);
    const region = valueRegion(`map ${idx} element ${m.allocated}`, base, m.decl.valueSize);
    copyInto(region, value, valueProv);
    this.addRegion(region);
    if (pos >= 0) {
      retire(m.live[pos]!.region, 'a hash map element that was replaced');
      m.live.splice(pos, 1);
    }
    m.live.push({ key: k, region });
    return { ok: true };
  }

  /** bpf_map_delete_elem */
  delete(idx: number, key: Uint8Array): MapOpResult {
    const m = this.maps[idx]!;
    if (m.decl.type === 'array') return { ok: false, errno: EINVAL };
    const pos = m.live.findIndex((e) => e.key === keyString(key));
    if (pos < 0) return { ok: false, errno: ENOENT };
    retire(m.live[pos]!.region, 'a hash map element that was deleted');
    m.live.splice(pos, 1);
    return { ok: true };
  }
}

const arrayIndex = (key: Uint8Array): number => Number(readBytes(key, 0, 4));
const keyString = (key: Uint8Array): string => Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('');

function copyInto(region: Region, value: Uint8Array, prov: (Provenance | undefined)[]): void {
  region.bytes.set(value.subarray(0, region.bytes.length));
  for (let i = 0; i < region.bytes.length; i++) region.prov![i] = prov[i];
}

/** the element is back on the free list: what a stale pointer reads depends on later reuse */
function retire(region: Region, what: string): void {
  region.retired = what;
}
