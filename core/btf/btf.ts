// A BTF encoder for what programs with subprograms need (Documentation/bpf/btf.rst,
// include/uapi/linux/btf.h): INT, PTR, STRUCT, FUNC_PROTO, FUNC, the string section, and
// the func_info records of BPF_PROG_LOAD. Little-endian, as on x86-64.
import type { FuncDecl, ProgType } from '../program/types.ts';

const BTF_MAGIC = 0xeb9f;
const BTF_VERSION = 1;
/**
 * The 24-byte header that ends at str_len. 7.2 added layout_off/layout_len (32 bytes), but
 * btf_parse_hdr() still takes the short form, and so does every older kernel we test.
 */
const BTF_HEADER_LEN = 24;

const BtfKind = { INT: 1, PTR: 2, STRUCT: 4, FUNC: 12, FUNC_PROTO: 13 } as const;
const BTF_INT_SIGNED = 1 << 0;
const BtfFuncLinkage = { static: 0, global: 1, extern: 2 } as const;
/** sizeof(struct bpf_func_info): the func_info_rec_size to pass with the records */
const FUNC_INFO_REC_SIZE = 8;

/** A name the kernel would refuse (btf_name_valid_identifier()), or a malformed function table. */
export class BtfError extends Error {
  override name = 'BtfError';
}

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** BTF_MAX_VLEN: a FUNC_PROTO's param count must fit 24 bits */
const MAX_VLEN = 0xffffff;

const info = (kind: number, vlen: number, kflag = 0): number => ((kflag << 31) | (kind << 24) | vlen) >>> 0;

/** Builds the type and string sections; type ids start at 1 (0 is void). */
class BtfBuilder {
  private readonly types: number[] = [];
  private readonly strings: string[] = [''];
  private readonly stringOffsets = new Map<string, number>([['', 0]]);
  private strLen = 1;
  private nextId = 1;

  /** Offset of `s` in the string section, adding it on first use. */
  string(s: string): number {
    const known = this.stringOffsets.get(s);
    if (known !== undefined) return known;
    const off = this.strLen;
    this.strings.push(s);
    this.stringOffsets.set(s, off);
    this.strLen += Buffer.byteLength(s) + 1;
    return off;
  }

  private named(name: string, what: string): number {
    if (!C_IDENT.test(name)) throw new BtfError(`${what} name '${name}' is not a valid C identifier`);
    return this.string(name);
  }

  private add(words: number[]): number {
    this.types.push(...words);
    return this.nextId++;
  }

  int(name: string, bytes: number, signed: boolean): number {
    const encoding = signed ? BTF_INT_SIGNED : 0;
    // the u32 after btf_type: encoding << 24 | offset << 16 | bits
    return this.add([this.named(name, 'INT'), info(BtfKind.INT, 0), bytes, (encoding << 24) | (bytes * 8)]);
  }

  ptr(target: number): number {
    return this.add([0, info(BtfKind.PTR, 0), target]);
  }

  /** A struct without members, enough for a pointer to a program's context type. */
  emptyStruct(name: string): number {
    return this.add([this.named(name, 'STRUCT'), info(BtfKind.STRUCT, 0), 0]);
  }

  funcProto(returns: number, params: ReadonlyArray<{ name: string; type: number }>): number {
    if (params.length > MAX_VLEN) throw new BtfError(`FUNC_PROTO with ${params.length} params exceeds ${MAX_VLEN}`);
    const words = [0, info(BtfKind.FUNC_PROTO, params.length), returns];
    for (const p of params) words.push(this.named(p.name, 'param'), p.type);
    return this.add(words);
  }

  func(name: string, proto: number, linkage: keyof typeof BtfFuncLinkage): number {
    // FUNC keeps its linkage in vlen
    return this.add([this.named(name, 'FUNC'), info(BtfKind.FUNC, BtfFuncLinkage[linkage]), proto]);
  }

  /** header + type section + string section */
  bytes(): Uint8Array {
    const typeLen = this.types.length * 4;
    const out = new Uint8Array(BTF_HEADER_LEN + typeLen + this.strLen);
    const view = new DataView(out.buffer);
    view.setUint16(0, BTF_MAGIC, true);
    view.setUint8(2, BTF_VERSION);
    view.setUint8(3, 0);
    view.setUint32(4, BTF_HEADER_LEN, true);
    view.setUint32(8, 0, true); // type_off
    view.setUint32(12, typeLen, true);
    view.setUint32(16, typeLen, true); // str_off: strings follow the types
    view.setUint32(20, this.strLen, true);
    this.types.forEach((w, i) => view.setUint32(BTF_HEADER_LEN + i * 4, w >>> 0, true));
    let at = BTF_HEADER_LEN + typeLen;
    for (const s of this.strings) {
      out.set(Buffer.from(s), at);
      at += Buffer.byteLength(s) + 1; // the NUL is already zero
    }
    return out;
  }
}

/** The context struct the kernel matches a main program's pointer argument against (bpf_types.h). */
const CTX_STRUCT: Record<ProgType, string> = { socket_filter: '__sk_buff', sched_cls: '__sk_buff', xdp: 'xdp_md' };

interface ProgramBtfOptions {
  /**
   * Make main's first parameter a pointer to this program type's (empty) context struct,
   * so btf_prepare_func_args() sees `int main(struct __sk_buff *a1)` instead of marking
   * main's BTF unreliable. Off by default: every parameter is a `long`.
   */
  ctx?: ProgType;
}

interface ProgramBtf {
  btf: Uint8Array;
  /** func_info records, FUNC_INFO_REC_SIZE bytes each: {u32 insn_off, u32 type_id}, main first */
  funcInfo: Uint8Array;
}

/**
 * BTF and func_info for a function table: each function gets a FUNC (its linkage) over a
 * FUNC_PROTO with `args` params named a1..aN of type `long` (64-bit signed int) returning
 * `long`. Functions with the same parameter list share one FUNC_PROTO.
 * Type ids: 1 `long`, [2 ctx struct, 3 pointer to it], then per function its FUNC_PROTO
 * (when new) followed by its FUNC.
 * With `long` parameters main's BTF does not match the ctx signature do_check_common() looks
 * for, so the kernel marks it unreliable, which is not an error. Blobs of this shape load on
 * Debian's 6.12.117 and 7.2.13 (static, global and 7-argument functions, with and without `ctx`).
 */
export function buildProgramBtf(funcs: readonly FuncDecl[], opts: ProgramBtfOptions = {}): ProgramBtf {
  if (funcs.length === 0) throw new BtfError('funcs: at least the main function is needed');
  funcs.forEach((f, i) => {
    if (i === 0 ? f.start !== 0 : f.start <= funcs[i - 1].start) {
      throw new BtfError(`funcs[${i}].start ${f.start}: functions must start at 0 and be sorted by start`);
    }
    if (!Number.isInteger(f.args) || f.args < 0) throw new BtfError(`funcs[${i}].args ${f.args}: expected a count >= 0`);
  });
  const b = new BtfBuilder();
  const long = b.int('long', 8, true);
  const ctxPtr = opts.ctx !== undefined ? b.ptr(b.emptyStruct(CTX_STRUCT[opts.ctx])) : undefined;
  // ctxPtr is created after its struct, so ids are: 2 struct, 3 pointer
  const protos = new Map<string, number>();
  const funcInfo = new Uint8Array(funcs.length * FUNC_INFO_REC_SIZE);
  const view = new DataView(funcInfo.buffer);
  funcs.forEach((f, i) => {
    const params = Array.from({ length: f.args }, (_, k) => ({
      name: `a${k + 1}`,
      type: i === 0 && k === 0 && ctxPtr !== undefined ? ctxPtr : long,
    }));
    const key = params.map((p) => p.type).join(',');
    let proto = protos.get(key);
    if (proto === undefined) {
      proto = b.funcProto(long, params);
      protos.set(key, proto);
    }
    const func = b.func(f.name, proto, f.linkage);
    view.setUint32(i * FUNC_INFO_REC_SIZE, f.start, true);
    view.setUint32(i * FUNC_INFO_REC_SIZE + 4, func, true);
  });
  return { btf: b.bytes(), funcInfo };
}
