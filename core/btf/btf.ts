// A BTF encoder for what programs with subprograms need (Documentation/bpf/btf.rst,
// include/uapi/linux/btf.h): INT, PTR, ARRAY, STRUCT, FUNC_PROTO, FUNC, DECL_TAG, the string
// section, and the func_info records of BPF_PROG_LOAD. Little-endian, as on x86-64.
import { parseArgType } from '../isa/arg-types.ts';
import type { FuncDecl, ProgType } from '../program/types.ts';

const BTF_MAGIC = 0xeb9f;
const BTF_VERSION = 1;
/**
 * The 24-byte header that ends at str_len. 7.2 added layout_off/layout_len (32 bytes), but
 * btf_parse_hdr() still takes the short form, and so does every older kernel we test.
 */
const BTF_HEADER_LEN = 24;

const BtfKind = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, FUNC: 12, FUNC_PROTO: 13, DECL_TAG: 17 } as const;
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

  /** `elem[nelems]`, indexed by `index` (an int type) */
  array(elem: number, index: number, nelems: number): number {
    return this.add([0, info(BtfKind.ARRAY, 0), 0, elem, index, nelems >>> 0]);
  }

  /** A decl tag on parameter `component` of FUNC `target` (`__attribute__((btf_decl_tag(value)))`). */
  declTag(value: string, target: number, component: number): number {
    return this.add([this.string(value), info(BtfKind.DECL_TAG, 0), target, component]);
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
  /** the program's type, which names the struct a `ctx` argument type points to (needed only for those) */
  progType?: ProgType;
}

interface ProgramBtf {
  btf: Uint8Array;
  /** func_info records, FUNC_INFO_REC_SIZE bytes each: {u32 insn_off, u32 type_id}, main first */
  funcInfo: Uint8Array;
}

/** The parameter types of a blob, made on first use so a program of scalars keeps the blob it always had. */
class ParamTypes {
  private ctxPtrs = new Map<ProgType, number>();
  private memPtrs = new Map<number, number>();
  private byte: number | undefined;
  private index: number | undefined;

  constructor(
    private readonly b: BtfBuilder,
    readonly long: number,
  ) {}

  /** `struct <ctx> *`; the kernel matches the struct by name only (btf_is_prog_ctx_type) */
  ctx(progType: ProgType): number {
    let id = this.ctxPtrs.get(progType);
    if (id === undefined) {
      id = this.b.ptr(this.b.emptyStruct(CTX_STRUCT[progType]));
      this.ctxPtrs.set(progType, id);
    }
    return id;
  }

  /** `u8 (*)[size]`: btf_resolve_size() gives `size` bytes */
  mem(size: number): number {
    let id = this.memPtrs.get(size);
    if (id === undefined) {
      this.byte ??= this.b.int('u8', 1, false);
      this.index ??= this.b.int('u32', 4, false);
      id = this.b.ptr(this.b.array(this.byte, this.index, size));
      this.memPtrs.set(size, id);
    }
    return id;
  }
}

/**
 * BTF and func_info for a function table: each function gets a FUNC (its linkage) over a
 * FUNC_PROTO with `args` params named a1..aN returning `long`. A parameter is a `long` (64-bit
 * signed int) unless the function's `argTypes` says otherwise: `ctx` is a pointer to the
 * program type's context struct, `mem:N` a pointer to an array of N u8, and
 * `mem:N:nonnull` adds an `arg:nonnull` DECL_TAG on that parameter. Functions with the same
 * parameter list share one FUNC_PROTO.
 * Type ids: 1 `long`, [2 ctx struct, 3 pointer to it], then per function the types its
 * parameters need first (once per blob), its FUNC_PROTO (when new), its FUNC and its tags.
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
    if (f.argTypes !== undefined && f.argTypes.length !== f.args) {
      throw new BtfError(`funcs[${i}].argTypes: ${f.argTypes.length} types for ${f.args} args`);
    }
  });
  const b = new BtfBuilder();
  const types = new ParamTypes(b, b.int('long', 8, true));
  const mainCtx = opts.ctx !== undefined ? types.ctx(opts.ctx) : undefined;
  // mainCtx is created after its struct, so ids are: 2 struct, 3 pointer
  const protos = new Map<string, number>();
  const funcInfo = new Uint8Array(funcs.length * FUNC_INFO_REC_SIZE);
  const view = new DataView(funcInfo.buffer);
  funcs.forEach((f, i) => {
    const nonnull: number[] = [];
    const params = Array.from({ length: f.args }, (_, k) => {
      const name = `a${k + 1}`;
      if (i === 0 && k === 0 && mainCtx !== undefined) return { name, type: mainCtx };
      const t = f.argTypes?.[k];
      if (t === undefined || t === 'scalar') return { name, type: types.long };
      const kind = parseArgType(t);
      if ('error' in kind) throw new BtfError(`funcs[${i}].argTypes[${k}]: ${kind.error}`);
      if (kind.kind === 'ctx') {
        const progType = opts.progType ?? opts.ctx;
        if (progType === undefined) throw new BtfError(`funcs[${i}].argTypes[${k}]: a ctx argument needs the program type`);
        return { name, type: types.ctx(progType) };
      }
      if (kind.kind === 'mem' && kind.nonnull) nonnull.push(k);
      return { name, type: types.mem(kind.kind === 'mem' ? kind.size : 0) };
    });
    const key = params.map((p) => p.type).join(',');
    let proto = protos.get(key);
    if (proto === undefined) {
      proto = b.funcProto(types.long, params);
      protos.set(key, proto);
    }
    const func = b.func(f.name, proto, f.linkage);
    for (const k of nonnull) b.declTag('arg:nonnull', func, k);
    view.setUint32(i * FUNC_INFO_REC_SIZE, f.start, true);
    view.setUint32(i * FUNC_INFO_REC_SIZE + 4, func, true);
  });
  return { btf: b.bytes(), funcInfo };
}
