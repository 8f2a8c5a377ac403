// Loads through a map pointer (CONST_PTR_TO_MAP): check_ptr_to_map_access (kernel/bpf/verifier.c)
// reads the map's struct (the map_btf_id of its ops: struct bpf_array, struct bpf_htab) the way
// a PTR_TO_BTF_ID is read, with btf_struct_access and btf_struct_walk (kernel/bpf/btf.c) over the
// kernel's BTF (map-struct-btf.ts). A read yields what the walk finds at the offset (mark_btf_ld_reg):
// an unknown scalar for an integer, PTR_TO_BTF_ID for a pointer to a struct, and read-only
// untrusted memory of size 0 (PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED) for any other pointer.
import type { MapDecl } from '../program/types.ts';
import { cover } from './coverage.ts';
import type { CheckRuleId } from './cover/rules.ts';
import type { Access, MemEnv } from './memory.ts';
import { EACCES, EINVAL } from './messages.ts';
import { unknown, type CheckResult } from './precheck.ts';
import { markKnown, markUnknown } from './scalar/bounds.ts';
import type { Reg } from './state.ts';
import type { ProfileId } from './profile.ts';
import { MAP_STRUCT_BTF } from './map-struct-btf.ts';

type FieldType =
  | { k: 'int'; size: number }
  | { k: 'struct'; key: string }
  /** target: the struct pointed to; undefined when it is not a struct */
  | { k: 'ptr'; target: string | undefined }
  | { k: 'array'; n: number; elem: FieldType };

interface Member {
  name: string;
  off: number;
  type: FieldType;
}

interface StructDef {
  /** as the kernel prints it ('' for an anonymous struct) */
  name: string;
  union: boolean;
  size: number;
  members: Member[];
}

type StructTable = ReadonlyMap<string, StructDef>;

function parseType(s: string): FieldType {
  if (s.startsWith('i')) return { k: 'int', size: Number(s.slice(1)) };
  if (s.startsWith('s:')) return { k: 'struct', key: s.slice(2) };
  if (s.startsWith('p:')) return { k: 'ptr', target: s.slice(2) || undefined };
  const m = /^a(\d+):(.*)$/.exec(s);
  if (!m) throw new Error(`map-struct-btf: bad type '${s}'`);
  return { k: 'array', n: Number(m[1]), elem: parseType(m[2]!) };
}

function parseTable(raw: Record<string, string>): StructTable {
  const table = new Map<string, StructDef>();
  for (const [key, text] of Object.entries(raw)) {
    const [head, ...rest] = text.split('|').map((x) => x.trim()).filter((x) => x !== '');
    const [kind, size] = head!.split(' ');
    const members = rest.map((m) => {
      const [name, off, type] = m.split(' ');
      return { name: name === '-' ? '' : name!, off: Number(off), type: parseType(type!) };
    });
    table.set(key, { name: key.startsWith('~') ? '' : key, union: kind === 'u', size: Number(size), members });
  }
  return table;
}

const tables = new Map<ProfileId, StructTable | undefined>();

/** the struct layouts of a profile's kernel; undefined when they were not recorded */
export function mapStructTable(profile: ProfileId): StructTable | undefined {
  if (!tables.has(profile)) {
    const raw = MAP_STRUCT_BTF[profile];
    tables.set(profile, raw && parseTable(raw));
  }
  return tables.get(profile);
}

/** the map type's map_btf_id: the struct check_ptr_to_map_access walks */
const mapStructName = (map: MapDecl): string => (map.type === 'hash' ? 'bpf_htab' : 'bpf_array');

/** What a read of struct memory gives (btf_struct_access's return with its btf_id and flag). */
type StructRead =
  | { kind: 'scalar' }
  /** PTR_TO_BTF_ID (| PTR_UNTRUSTED after walking a union) */
  | { kind: 'btf_id'; target: string; untrusted: boolean }
  /** PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED */
  | { kind: 'untrusted_mem' }
  | { kind: 'reject'; errno: number; message: string };

/** a refusal: the line the kernel prints and the errno (a CheckResult and a StructRead alike) */
const reject = (errno: number, message: string) => ({ kind: 'reject' as const, errno, message });

/** __btf_resolve_size: the member's size, and for (nested) arrays the element type and count */
function resolveSize(table: StructTable, t: FieldType): { size: number; nelems: number; elem: FieldType } {
  let nelems = 1;
  let elem = t;
  while (elem.k === 'array') {
    nelems *= elem.n;
    elem = elem.elem;
  }
  const one = elem.k === 'int' ? elem.size : elem.k === 'ptr' ? 8 : table.get(elem.key)!.size;
  return { size: nelems * one, nelems, elem };
}

type WalkStep = StructRead | { kind: 'struct'; key: string };

/** btf_struct_walk over one struct; `flag.untrusted` is the walk's PTR_UNTRUSTED */
function structWalk(table: StructTable, key: string, off: number, size: number, flag: { untrusted: boolean }): WalkStep {
  let t = table.get(key)!;
  for (;;) {
    const tname = t.name;
    if (t.union && t.members.length !== 1) flag.untrusted = true;
    if (off + size > t.size) {
      // the relaxed rule for a trailing flexible array (walk_flex_arrays: map structs are not local types)
      const last = t.members[t.members.length - 1];
      const tail = last?.type.k === 'array' && last.type.n === 0 && off >= last.off ? last.type.elem : undefined;
      if (tail?.k === 'int') return { kind: 'scalar' };
      if (tail?.k === 'struct' && table.get(tail.key)!.size > 0) {
        t = table.get(tail.key)!;
        off = (off - last!.off) % t.size;
        continue;
      }
      return reject(EACCES, `access beyond struct ${tname} at off ${off} size ${size}`);
    }
    let next: StructDef | undefined;
    for (const m of t.members) {
      let moff = m.off;
      if (off + size <= moff) break;
      if (off < moff) break;
      const { size: msize, nelems, elem } = resolveSize(table, m.type);
      const mtrueEnd = moff + msize;
      if (off >= mtrueEnd) continue;
      let mtype = m.type;
      let elemSize = msize;
      if (mtype.k === 'array') {
        elemSize = msize / nelems;
        moff += Math.floor((off - moff) / elemSize) * elemSize;
        mtype = elem;
      }
      if (mtype.k === 'struct') {
        if (off === moff) return { kind: 'struct', key: mtype.key };
        off -= moff;
        next = table.get(mtype.key)!;
        break;
      }
      if (mtype.k === 'ptr') {
        if (elemSize !== size || off !== moff)
          return reject(EACCES, `cannot access ptr member ${m.name} with moff ${moff} in struct ${tname} with off ${off} size ${size}`);
        return mtype.target !== undefined ? { kind: 'btf_id', target: mtype.target, untrusted: flag.untrusted } : { kind: 'untrusted_mem' };
      }
      if (off + size > mtrueEnd && !flag.untrusted)
        return reject(EACCES, `access beyond the end of member ${m.name} (mend:${mtrueEnd}) in struct ${tname} with off ${off} size ${size}`);
      return { kind: 'scalar' };
    }
    if (!next) return reject(EINVAL, `struct ${tname} doesn't have field at offset ${off}`);
    t = next;
  }
}

/** btf_struct_access for a kernel-owned struct: walk, entering the structs found at the offset */
export function btfStructAccess(table: StructTable, key: string, off: number, size: number): StructRead {
  const flag = { untrusted: false };
  for (;;) {
    const step = structWalk(table, key, off, size, flag);
    if (step.kind !== 'struct') return step;
    key = step.key;
    off = 0;
  }
}

// ---- the values a test run reads ------------------------------------------------------------------

/**
 * Fields whose value the test run's map has for certain, by the path of member names from the
 * map's struct: bpf_map_init_from_attr copies the attributes the guest agent passes (no flags, no
 * NUMA node, no BTF, no name); the memory is zeroed at allocation (bpf_map_area_alloc), so the
 * digest `sha` (filled only on a BPF_OBJ_GET_INFO_BY_FD that asks for it), `excl` and `frozen` are
 * 0; array_map_alloc sets elem_size and index_mask, htab_map_alloc n_buckets. Every other byte
 * (pointers, ids, reference counts, locks) differs between runs and kernels.
 */
function knownFields(map: MapDecl): [string, number, bigint][] {
  const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;
  const pow2 = (n: number): bigint => (n <= 1 ? 1n : 1n << BigInt(Math.ceil(Math.log2(n))));
  const fields: [string, number, bigint][] = [
    ['map.sha', 32, 0n], ['map.excl', 4, 0n],
    ['map.map_type', 4, map.type === 'hash' ? 1n : 2n], ['map.key_size', 4, BigInt(map.keySize)],
    ['map.value_size', 4, BigInt(map.valueSize)], ['map.max_entries', 4, BigInt(map.maxEntries)],
    ['map.map_extra', 8, 0n], ['map.map_flags', 4, 0n], ['map.numa_node', 4, 0xffffffffn],
    ['map.btf_key_type_id', 4, 0n], ['map.btf_value_type_id', 4, 0n], ['map.btf_vmlinux_value_type_id', 4, 0n],
    ['map.name', 16, 0n], ['map.frozen', 1, 0n],
  ];
  if (map.type === 'array') fields.push(['elem_size', 4, BigInt(roundUp8(map.valueSize))], ['index_mask', 4, pow2(map.maxEntries) - 1n]);
  else fields.push(['n_buckets', 4, pow2(map.maxEntries)]);
  return fields;
}

/** the byte offset of a member path (`map.key_size`) in a struct; undefined when it has no such member */
function memberOffset(table: StructTable, key: string, path: string): number | undefined {
  let off = 0;
  let t = table.get(key);
  for (const name of path.split('.')) {
    const m = t?.members.find((x) => x.name === name);
    if (!m) return undefined;
    off += m.off;
    t = m.type.k === 'struct' ? table.get(m.type.key) : undefined;
  }
  return off;
}

/** The bytes of a test run's map struct that bpfdiff knows: the struct's size, its bytes, which are known. */
interface MapStructImage {
  name: string;
  bytes: Uint8Array;
  known: Uint8Array;
}

export function mapStructImage(table: StructTable, map: MapDecl): MapStructImage {
  const name = mapStructName(map);
  const def = table.get(name)!;
  const bytes = new Uint8Array(def.size);
  const known = new Uint8Array(def.size);
  for (const [path, size, value] of knownFields(map)) {
    const off = memberOffset(table, name, path);
    if (off === undefined) continue; // a member this kernel does not have (excl before 7.2)
    for (let i = 0; i < size && i < 8; i++) bytes[off + i] = Number((value >> BigInt(8 * i)) & 0xffn);
    known.fill(1, off, off + size);
  }
  return { name, bytes, known };
}

// ---- the verifier's check ---------------------------------------------------------------------------

/**
 * check_ptr_to_map_access (privileged: allow_ptr_leaks, vmlinux BTF present): a negative offset,
 * then a write, are refused before the walk; a read marks the loaded register (mark_btf_ld_reg).
 * The caller narrows a loaded scalar as check_mem_access does for every scalar load.
 */
export function checkPtrToMapAccess(regs: Reg[], ptr: Reg, a: Access, env: MemEnv): CheckResult | undefined {
  const tname = mapStructName(env.maps[ptr.mapIdx]!);
  if (a.off < 0) return reject(EACCES, `${a.who} is ${tname} invalid negative access: off=${a.off}`);
  if (a.write) return reject(EACCES, `only read from ${tname} is supported`);
  const table = mapStructTable(env.profile.id);
  if (!table) return unknown(`reads of struct ${tname} fields (its layout on ${env.profile.id} is not recorded)`);
  const res = btfStructAccess(table, tname, a.off, a.size);
  if (res.kind === 'reject') return res;
  cover(READ_RULES[res.kind]);
  if (a.valueRegno < 0) return undefined;
  const dst = regs[a.valueRegno]!;
  if (res.kind === 'scalar') {
    markUnknown(dst);
    return undefined;
  }
  markKnown(dst, 0n);
  dst.type = res.kind === 'btf_id' ? 'ptr_to_btf_id' : 'rdonly_untrusted_mem';
  if (res.kind === 'btf_id') dst.btf = `${res.untrusted ? 'untrusted_' : ''}ptr_${res.target}`;
  return undefined;
}

const READ_RULES: Record<Exclude<StructRead['kind'], 'reject'>, CheckRuleId> = {
  scalar: 'check_ptr_to_map_access:scalar',
  btf_id: 'check_ptr_to_map_access:ptr-to-btf-id',
  untrusted_mem: 'check_ptr_to_map_access:untrusted-mem',
};

/**
 * What the model does not follow after such a load: loads through the pointer (check_ptr_to_btf_access,
 * rewritten to BPF_PROBE_MEM), its arithmetic and helper arguments. Moving, spilling, comparing,
 * storing and returning it are modelled.
 */
export const isBtfPointer = (r: Reg): boolean => r.type === 'ptr_to_btf_id' || r.type === 'rdonly_untrusted_mem' || r.type === 'btf_sock';
export const BTF_POINTER_USE = 'uses of a PTR_TO_BTF_ID read from a map struct (loads through it, arithmetic, helper arguments)';
