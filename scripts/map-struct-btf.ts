// Prints the struct layouts check_ptr_to_map_access walks (struct bpf_array, struct bpf_htab and
// every struct or union embedded in them), read from a kernel's own BTF, in the form of
// core/model/map-struct-btf.ts. The BTF is the .BTF section of the kernel's vmlinux:
//   extract the ELF from vmlinuz (the zstd/xz payload after its magic), then
//   objcopy -O binary --only-section=.BTF vmlinux btf.bin
//   node --import tsx scripts/map-struct-btf.ts btf.bin
import { readFileSync } from 'node:fs';

const KIND = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19 } as const;

interface BtfType {
  kind: number;
  name: string;
  vlen: number;
  kflag: boolean;
  /** size, or the referenced type id */
  sizeOrType: number;
  members: { name: string; type: number; offset: number }[];
  array?: { type: number; nelems: number };
}

function parseBtf(buf: Buffer): BtfType[] {
  if (buf.readUInt16LE(0) !== 0xeb9f) throw new Error('not BTF (magic)');
  const hdrLen = buf.readUInt32LE(4);
  const typeOff = buf.readUInt32LE(8), typeLen = buf.readUInt32LE(12), strOff = buf.readUInt32LE(16);
  const str = (off: number): string => {
    const start = hdrLen + strOff + off;
    return buf.toString('latin1', start, buf.indexOf(0, start));
  };
  const types: BtfType[] = [{ kind: 0, name: 'void', vlen: 0, kflag: false, sizeOrType: 0, members: [] }];
  let p = hdrLen + typeOff;
  const end = p + typeLen;
  while (p < end) {
    const nameOff = buf.readUInt32LE(p), info = buf.readUInt32LE(p + 4), sizeOrType = buf.readUInt32LE(p + 8);
    p += 12;
    const kind = (info >>> 24) & 0x1f, vlen = info & 0xffff, kflag = (info >>> 31) === 1;
    const t: BtfType = { kind, name: str(nameOff), vlen, kflag, sizeOrType, members: [] };
    switch (kind) {
      case KIND.INT: case KIND.VAR: case KIND.DECL_TAG: p += 4; break;
      case KIND.ARRAY: t.array = { type: buf.readUInt32LE(p), nelems: buf.readUInt32LE(p + 8) }; p += 12; break;
      case KIND.STRUCT: case KIND.UNION:
        for (let i = 0; i < vlen; i++, p += 12) t.members.push({ name: str(buf.readUInt32LE(p)), type: buf.readUInt32LE(p + 4), offset: buf.readUInt32LE(p + 8) });
        break;
      case KIND.ENUM: p += 8 * vlen; break;
      case KIND.ENUM64: case KIND.DATASEC: p += 12 * vlen; break;
      case KIND.FUNC_PROTO: p += 8 * vlen; break;
    }
    types.push(t);
  }
  return types;
}

const MODIFIERS: readonly number[] = [KIND.TYPEDEF, KIND.VOLATILE, KIND.CONST, KIND.RESTRICT, KIND.TYPE_TAG];
const isStruct = (t: BtfType): boolean => t.kind === KIND.STRUCT || t.kind === KIND.UNION;

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: map-struct-btf.ts BTF-BLOB');
  const types = parseBtf(readFileSync(file));
  const skip = (id: number): number => {
    while (MODIFIERS.includes(types[id]!.kind)) id = types[id]!.sizeOrType;
    return id;
  };
  const anon = new Map<number, string>();
  const keyOf = (id: number): string => {
    if (types[id]!.name) return types[id]!.name;
    if (!anon.has(id)) anon.set(id, `~${anon.size + 1}`);
    return anon.get(id)!;
  };
  const byName = (name: string): number => types.findIndex((t) => t.kind === KIND.STRUCT && t.name === name && t.vlen > 0);
  const out = new Map<string, string>();
  const queue = [byName('bpf_array'), byName('bpf_htab')];
  /** a member's type as the walk sees it: int size, struct key, pointer target, array */
  const describe = (id: number): string => {
    const t = types[id]!;
    if (MODIFIERS.includes(t.kind)) return describe(t.sizeOrType);
    switch (t.kind) {
      case KIND.INT: case KIND.ENUM: case KIND.ENUM64: case KIND.FLOAT: return `i${t.sizeOrType}`;
      case KIND.STRUCT: case KIND.UNION: queue.push(id); return `s:${keyOf(id)}`;
      case KIND.ARRAY: return `a${t.array!.nelems}:${describe(t.array!.type)}`;
      case KIND.PTR: {
        // btf_type_tag_walk: the tags before the pointee (7.2); 6.12 looks at the first one only
        const tags: string[] = [];
        let q = t.sizeOrType;
        while (MODIFIERS.includes(types[q]!.kind)) {
          if (types[q]!.kind === KIND.TYPE_TAG && !types[q]!.kflag) tags.push(types[q]!.name);
          q = types[q]!.sizeOrType;
        }
        const target = types[q]!;
        const tag = tags.filter((x) => x === 'user' || x === 'percpu' || x === 'rcu');
        return `p${tag.length ? '@' + tag.join('+') : ''}:${isStruct(target) ? keyOf(q) : ''}`;
      }
      default: return `?${t.kind}`;
    }
  };
  while (queue.length) {
    const id = skip(queue.shift()!);
    const key = keyOf(id);
    if (out.has(key)) continue;
    const t = types[id]!;
    out.set(key, '');
    const members = t.members.map((m) => {
      const bitOff = t.kflag ? m.offset & 0xffffff : m.offset;
      if ((t.kflag && m.offset >>> 24) || bitOff % 8) throw new Error(`${key}.${m.name}: bitfields are not in the table format`);
      return `${m.name || '-'} ${bitOff / 8} ${describe(m.type)}`;
    });
    // one line per struct, members wrapped to keep lines short
    const lines: string[] = [];
    let cur = `${t.kind === KIND.UNION ? 'u' : 's'} ${t.sizeOrType}`;
    for (const m of members) {
      if (cur.length + m.length > 100) { lines.push(cur); cur = m; } else cur += ` | ${m}`;
    }
    lines.push(cur);
    out.set(key, `    '${key}': '${lines.join(" |' +\n      '")}',`);
  }
  for (const line of out.values()) console.log(line);
}

main();
