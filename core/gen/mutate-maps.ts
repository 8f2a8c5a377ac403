// Map mutations: a map snippet that breaks one rule, put at main's exit (every path reaches it).
// The key lives in main's ctx slot (fp-8), which nothing reads once the exit begins. Each
// mutator returns the 7.2 reason line as a regular expression source ('^$': the kernel accepts).
import { BPF_ADD, BPF_AND, BPF_JEQ, BPF_JSGT, BPF_MUL, BPF_RSH, BPF_SUB, BPF_XOR, E, R_FP, SIZE_BYTES, type Op, type SizeName } from '../isa/index.ts';
import type { MapDecl } from '../program/index.ts';
import type { Prng } from './prng.ts';
import type { ProgramPlan } from './plan.ts';
import { mapIndex } from './map-decls.ts';
import { BPF_FUNC_map_lookup_elem, BPF_FUNC_map_update_elem, keyOps, ldMap, valueMask } from './body-maps.ts';
import { CHECKSUM, READ_REGS, imm32 } from './values.ts';
import { entryEnd, exitAt, type MutationCtx, type Mutator } from './mutate-ctx.ts';
import type { MutationKind } from './mutations.ts';

/** what a map mutator needs: the random source, the plan (its maps), labels, and where to put ops */
export interface MapMutationCtx {
  rng: Prng;
  plan: ProgramPlan;
  newLabel(): number;
  /** inserts ops before main's exit */
  atMainExit(ops: Op[]): void;
  /** inserts ops at the end of main's entry: straight-line code before, so ids the verifier hands out there are the same in every walk */
  atMainEntry(ops: Op[]): void;
}

const KEY_OFF = -8;
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const lookup = (rng: Prng, m: MapDecl, mi: number): Op[] => [
  ...keyOps(rng, m, KEY_OFF), ldMap(1, mi), E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, KEY_OFF), E.callHelper(BPF_FUNC_map_lookup_elem),
];
const sizeFor = (rng: Prng, m: MapDecl): SizeName => rng.pick((['DW', 'W', 'H', 'B'] as SizeName[]).filter((s) => SIZE_BYTES[s] <= m.valueSize));
/** a load (folded) or a store through `reg` at `off` */
const touch = (rng: Prng, size: SizeName, reg: number, off: number): Op[] =>
  rng.chance(0.5) ? [E.ldx(size, 3, reg, off), E.aluReg(BPF_XOR, CHECKSUM, 3)] : [E.stx(size, reg, off, rng.pick(READ_REGS))];

/** check_mem_access on PTR_TO_MAP_VALUE_OR_NULL: a hash lookup's result used before its NULL check */
function mapNoNullCheck(c: MapMutationCtx): string {
  const { rng } = c;
  const mi = mapIndex(c.plan.maps, rng, 'hash');
  const m = c.plan.maps[mi];
  const size = sizeFor(rng, m);
  c.atMainExit([...lookup(rng, m, mi), ...touch(rng, size, 0, 0)]);
  return `^${esc("R0 invalid mem access 'map_value_or_null'")}$`;
}

/** r1 = a byte of the value: unknown to the verifier, fixed at run time */
const valueIndex = (m: MapDecl): Op => E.ldx(m.valueSize >= 8 ? 'DW' : 'B', 1, 0, 0);

/** the NULL check, then `ops(m)` with r0 the value pointer */
function checked(c: MapMutationCtx, body: (m: MapDecl) => Op[]): void {
  const mi = mapIndex(c.plan.maps, c.rng);
  const m = c.plan.maps[mi];
  const skip = c.newLabel();
  c.atMainExit([...lookup(c.rng, m, mi), E.jumpImm(BPF_JEQ, 0, 0, skip), ...body(m), E.label(skip)]);
}

/** check_map_access: a constant offset past value_size (or before 0), or a mask one bit too wide */
function mapValuePastEnd(c: MapMutationCtx): string {
  const { rng } = c;
  let expect = '';
  checked(c, (m) => {
    const size = sizeFor(rng, m);
    const bytes = SIZE_BYTES[size];
    switch (rng.int(0, 2)) {
      case 0:
        expect = 'R0 min value is outside of the allowed memory range';
        return touch(rng, size, 0, m.valueSize - bytes + rng.int(1, bytes + 8));
      case 1:
        expect = 'R0 min value is outside of the allowed memory range';
        return touch(rng, size, 0, -bytes * rng.int(1, 2));
      default:
        expect = 'R2 max value is outside of the allowed memory range';
        return [
          valueIndex(m), E.aluImm(BPF_AND, 1, valueMask(m.valueSize, 1) * 2 + 1), E.movReg(2, 0), E.aluReg(BPF_ADD, 2, 1),
          ...touch(rng, size, 2, 0),
        ];
    }
  });
  return `^${esc(expect)}$`;
}

/** check_reg_sane_offset / check_mem_region_access: a variable offset never bounded (or bounded on one side) */
function mapValueUnbounded(c: MapMutationCtx): string {
  const { rng } = c;
  let expect = '';
  checked(c, (m) => {
    const size = sizeFor(rng, m);
    const l = c.newLabel();
    const ops: Op[] = [];
    switch (rng.int(0, 2)) {
      case 0:
        ops.push(E.ldx('DW', 1, 0, 0));
        expect = 'math between map_value pointer and register with unbounded min value is not allowed';
        break;
      case 1:
        ops.push(E.ldx('DW', 1, 0, 0), E.aluImm(BPF_RSH, 1, rng.int(1, 3)));
        expect = 'R2 unbounded memory access, make sure to bounds check any such access';
        break;
      default:
        // only the upper bound checked, and signed: the index may be negative
        ops.push(E.ldx('B', 1, 0, 0), E.aluImm(BPF_ADD, 1, -0x80), E.jumpImm(BPF_JSGT, 1, m.valueSize - SIZE_BYTES[size], l));
        expect = 'R2 min value is negative, either use unsigned index or do a if (index >=0) check.';
    }
    return [...ops, E.movReg(2, 0), E.aluReg(BPF_ADD, 2, 1), ...touch(rng, size, 2, 0), E.label(l)];
  });
  return `^${esc(expect)}$`;
}

/** check_reg_type / check_helper_mem_access for ARG_PTR_TO_MAP_KEY: a scalar, a nullable value, or a key that runs past the frame */
function mapBadKey(c: MapMutationCtx): string {
  const { rng } = c;
  const mi = mapIndex(c.plan.maps, rng);
  const m = c.plan.maps[mi];
  const call = [ldMap(1, mi), E.callHelper(BPF_FUNC_map_lookup_elem)];
  switch (rng.int(0, 2)) {
    case 0:
      c.atMainExit([E.movImm(2, rng.pick([1, 8, -8, 0x1000, imm32(rng) | 1])), ...call]);
      return '^R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_, ctx$';
    case 1: {
      // the key is the value pointer of another lookup that may have failed
      const other = mapIndex(c.plan.maps, rng, 'hash');
      c.atMainExit([...lookup(rng, c.plan.maps[other], other), E.movReg(2, 0), ...call]);
      return '^R2 type=map_value_or_null expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_, ctx$';
    }
    default: {
      const off = -rng.int(1, m.keySize - 1);
      c.atMainExit([E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, off), ...call]);
      return `^${esc(`invalid read from stack R2 off=${off} size=${m.keySize}`)}$`;
    }
  }
}

/**
 * check_stack_range_initialized: the update's value is a stack buffer main never wrote. A loader
 * with CAP_PERFMON may pass uninitialised stack (allow_uninit_stack), so 7.2 accepts; the value
 * read back makes the retval depend on what the kernel left there (the model marks it unpredictable).
 */
function mapUpdateUninit(c: MapMutationCtx): string {
  const { rng } = c;
  const mi = mapIndex(c.plan.maps, rng);
  const m = c.plan.maps[mi];
  const buf = -8 * Math.max(2, c.plan.funcs[0].slots);
  const skip = c.newLabel();
  c.atMainExit([
    ...keyOps(rng, m, KEY_OFF), ldMap(1, mi), E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, KEY_OFF), E.movReg(3, R_FP), E.aluImm(BPF_ADD, 3, buf), E.movImm(4, 0),
    E.callHelper(BPF_FUNC_map_update_elem),
    ldMap(1, mi), E.movReg(2, R_FP), E.aluImm(BPF_ADD, 2, KEY_OFF), E.callHelper(BPF_FUNC_map_lookup_elem),
    E.jumpImm(BPF_JEQ, 0, 0, skip), E.ldx('B', 3, 0, 0), E.aluReg(BPF_XOR, CHECKSUM, 3), E.label(skip),
  ]);
  return '^$';
}

/** adjust_ptr_min_max_vals: ALU on a map value pointer the verifier refuses (bitwise, multiply, 32-bit, pointer from scalar, pointer + pointer, before the NULL check) */
function mapPtrAlu(c: MapMutationCtx): string {
  const { rng } = c;
  const variant = rng.int(0, 5);
  if (variant === 5) {
    // on the lookup's result before its NULL check
    const mi = mapIndex(c.plan.maps, rng, 'hash');
    c.atMainExit([...lookup(rng, c.plan.maps[mi], mi), E.aluImm(BPF_ADD, 0, 8), E.movImm(0, 0)]);
    return `^${esc('R0 pointer arithmetic on map_value_or_null prohibited, null-check it first')}$`;
  }
  let expect = '';
  checked(c, () => {
    switch (variant) {
      case 0:
        expect = 'R0 bitwise operator &= on pointer prohibited';
        return [E.aluImm(BPF_AND, 0, 7)];
      case 1:
        expect = 'R0 pointer arithmetic with *= operator prohibited';
        return [E.aluImm(BPF_MUL, 0, 2)];
      case 2:
        expect = 'R0 32-bit pointer arithmetic prohibited';
        return [E.aluImm(BPF_ADD, 0, 8, false)];
      case 3:
        expect = 'R1 tried to subtract pointer from scalar';
        return [E.movImm(1, 64), E.aluReg(BPF_SUB, 1, 0)];
      default:
        expect = 'R1 pointer += pointer prohibited';
        return [E.movReg(1, 0), E.aluReg(BPF_ADD, 1, 0)];
    }
  });
  return `^${esc(expect)}$`;
}

/** what the feature mutators (maps, helpers, sockets) see: main's exit is where their snippet goes */
export function snippetCtx(c: MutationCtx): MapMutationCtx {
  return {
    rng: c.rng, plan: c.plan, newLabel: c.newLabel,
    atMainExit: (ops) => c.main.ops.splice(exitAt(c.main), 0, ...ops),
    atMainEntry: (ops) => c.main.ops.splice(entryEnd(c.main), 0, ...ops),
  };
}

export const MAP_MUTATORS = {
  'map-no-null-check': (c) => mapNoNullCheck(snippetCtx(c)),
  'map-value-past-end': (c) => mapValuePastEnd(snippetCtx(c)),
  'map-value-unbounded': (c) => mapValueUnbounded(snippetCtx(c)),
  'map-bad-key': (c) => mapBadKey(snippetCtx(c)),
  'map-update-uninit': (c) => mapUpdateUninit(snippetCtx(c)),
  'map-ptr-alu': (c) => mapPtrAlu(snippetCtx(c)),
} satisfies Partial<Record<MutationKind, Mutator>>;
