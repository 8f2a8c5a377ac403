// The JSON schema of `bpfdiff.program/v1` (docs/ARCHITECTURE.md), written once in TypeBox: the parser
// checks files against it and the REST API reuses it for request bodies and OpenAPI.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_FUNC_ARGS } from '../isa/decls.ts';
import { ARG_TYPE_PATTERN, type ArgType } from '../isa/arg-types.ts';
import { MAP_TYPES, PROG_TYPES } from './types.ts';

export const PROGRAM_FORMAT = 'bpfdiff.program/v1';

/** BPF_COMPLEXITY_LIMIT_INSNS: the most instructions a privileged BPF_PROG_LOAD takes. */
export const MAX_INSNS = 1_000_000;
export { MAX_FUNC_ARGS };
/** MAX_USED_MAPS */
export const MAX_MAPS = 64;
/** Test-run packets: at least an Ethernet header (ETH_HLEN, bpf_prog_test_run_skb/xdp), and
 *  at most what fits one page's linear area with headroom for every program type we load. */
export const MIN_INPUT_BYTES = 14;
export const MAX_INPUT_BYTES = 2048;
export const DEFAULT_INPUT_BYTES = 64;
/** htab_map_alloc_check limits key_size to MAX_BPF_STACK; values and entries are our own
 *  bounds, chosen so a map always fits the small guest VMs. */
export const MAX_MAP_KEY_SIZE = 512;
export const MAX_MAP_VALUE_SIZE = 65_536;
export const MAX_MAP_ENTRIES = 65_536;

/** Hex digits only; whole bytes and whole 8-byte records are checked by the parser, since a
 *  grouped pattern backtracks through a million records and exhausts the regex stack. */
const HEX_PATTERN = '^[0-9a-fA-F]*$';
/** BTF names must be C identifiers (btf_name_valid_identifier). */
export const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** A union of string literals that keeps its TypeScript type (`'socket_filter' | ...`). */
function literals<T extends readonly string[]>(values: T) {
  return Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));
}

const FuncDeclSchema = Type.Object(
  {
    name: Type.String({ pattern: IDENTIFIER_PATTERN, description: 'a C identifier, unique in the program' }),
    start: Type.Integer({ minimum: 0, description: 'index of the first instruction; an LD_IMM64 counts as two' }),
    args: Type.Integer({ minimum: 0, maximum: MAX_FUNC_ARGS, description: 'argument count as the BTF FUNC_PROTO declares it (0..16777215); 6..12 use r11 slots, more is refused by the verifier' }),
    linkage: literals(['static', 'global'] as const),
    argTypes: Type.Optional(
      Type.Array(Type.Unsafe<ArgType>(Type.String({ pattern: ARG_TYPE_PATTERN, description: 'an argument type: scalar, ctx, mem:N or mem:N:nonnull' })), {
        description: 'the BTF type of each argument, `args` entries: scalar, ctx (pointer to the context struct), mem:N (pointer to N bytes, may be NULL) or mem:N:nonnull; absent means every argument is a scalar',
      }),
    ),
  },
  { additionalProperties: false },
);

const MapDeclSchema = Type.Object(
  {
    type: literals(MAP_TYPES),
    keySize: Type.Integer({ minimum: 1, maximum: MAX_MAP_KEY_SIZE }),
    valueSize: Type.Integer({ minimum: 1, maximum: MAX_MAP_VALUE_SIZE }),
    maxEntries: Type.Integer({ minimum: 1, maximum: MAX_MAP_ENTRIES }),
  },
  { additionalProperties: false },
);

export const ProgramJsonSchema = Type.Object(
  {
    format: Type.Literal(PROGRAM_FORMAT),
    progType: literals(PROG_TYPES),
    insns: Type.String({
      pattern: HEX_PATTERN,
      description: 'hex of the raw little-endian 8-byte struct bpf_insn records',
    }),
    funcs: Type.Array(FuncDeclSchema, { minItems: 1, description: 'sorted by start; funcs[0].start is 0' }),
    maps: Type.Optional(
      Type.Array(MapDeclSchema, { maxItems: MAX_MAPS, description: 'LD_IMM64 src 1 or 2 takes an index into this list' }),
    ),
    input: Type.Optional(
      Type.String({ pattern: HEX_PATTERN, description: `test-run packet bytes; default ${DEFAULT_INPUT_BYTES} zero bytes` }),
    ),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'free-form' })),
  },
  { additionalProperties: false },
);

export type ProgramJson = Static<typeof ProgramJsonSchema>;
