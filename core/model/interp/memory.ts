// The interpreter's address space: a few disjoint regions (one 512-byte stack per frame,
// the ctx, the packet) at fixed synthetic addresses, with per-byte initialisation and
// provenance on the stack so that reads of garbage and leaked addresses are noticed.

/** Where a register value came from, when that matters for reproducibility. */
export type Provenance =
  /** an address inside `region` (pointer arithmetic keeps it; the kernel's address differs) */
  | { kind: 'addr'; region: Region }
  /** a value the real kernel does not fix: uninitialised stack, clobbered register, ... */
  | { kind: 'taint'; why: string };

export interface Loaded {
  value: bigint;
  prov?: Provenance;
}

export interface Region {
  /** how messages name it: `stack of frame 1`, `ctx`, `packet` */
  readonly name: string;
  readonly base: bigint;
  readonly bytes: Uint8Array;
  readonly writable: boolean;
  /** stack only: 1 where a byte has been written */
  readonly init?: Uint8Array;
  /** stack only: provenance of each stored byte (an address spilled to the stack keeps its own) */
  readonly prov?: (Provenance | undefined)[];
  /** ctx fields that are not plain bytes (packet pointers, truncated fields) */
  readonly special?: RegionHooks;
  /** set when the memory was given back (a replaced or deleted hash element): why accesses are not reproducible */
  retired?: string;
}

interface RegionHooks {
  /** returns undefined when the bytes should be read plainly */
  read(off: number, size: number): Loaded | undefined;
  /** returns true when it handled the write */
  write(off: number, size: number, value: bigint): boolean;
}

const BPF_STACK_SIZE = 512;
/** base addresses: far apart so that no stray arithmetic lands in another region */
const STACK_AREA = 0xffffc90000000000n;
const STACK_FRAME_STRIDE = 0x10000n;
export const CTX_BASE = 0xffff888010000000n;
export const PACKET_BASE = 0xffff888020000000n;

export function newStackRegion(depth: number): Region {
  return {
    name: `stack of frame ${depth}`,
    base: STACK_AREA + BigInt(depth) * STACK_FRAME_STRIDE,
    bytes: new Uint8Array(BPF_STACK_SIZE),
    writable: true,
    init: new Uint8Array(BPF_STACK_SIZE),
    prov: new Array<Provenance | undefined>(BPF_STACK_SIZE).fill(undefined),
  };
}

/** Forget everything a previous call at the same depth left behind. */
export function resetStackRegion(region: Region): void {
  region.bytes.fill(0);
  region.init?.fill(0);
  region.prov?.fill(undefined);
}

export const frameTop = (region: Region): bigint => region.base + BigInt(region.bytes.length);

export function readBytes(bytes: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]);
  return v;
}

export function writeBytes(bytes: Uint8Array, off: number, size: number, value: bigint): void {
  let v = value;
  for (let i = 0; i < size; i++) {
    bytes[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** A plain load: little-endian, zero-extended, with the stack's init/provenance rules. */
export function loadPlain(region: Region, off: number, size: number): Loaded {
  const value = readBytes(region.bytes, off, size);
  if (!region.init || !region.prov) return { value };
  for (let i = 0; i < size; i++) {
    if (!region.init[off + i]) {
      return { value, prov: { kind: 'taint', why: `read of uninitialised ${region.name} at fp${off - region.bytes.length}` } };
    }
  }
  const first = region.prov[off];
  let same = true;
  let any: Provenance | undefined;
  for (let i = 0; i < size; i++) {
    const p = region.prov[off + i];
    if (p !== first) same = false;
    if (p && (!any || p.kind === 'taint')) any = p;
  }
  if (!any) return { value };
  if (any.kind === 'taint') return { value, prov: any };
  // a whole spilled address reads back as that address; a part of one is not reproducible
  if (same && size === 8) return { value, prov: any };
  return { value, prov: { kind: 'taint', why: `partial read of an address spilled to ${region.name}` } };
}

export function storePlain(region: Region, off: number, size: number, value: bigint, prov: Provenance | undefined): void {
  writeBytes(region.bytes, off, size, value);
  if (region.init && region.prov) {
    region.init.fill(1, off, off + size);
    region.prov.fill(prov, off, off + size);
  }
}
