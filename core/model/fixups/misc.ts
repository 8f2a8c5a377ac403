// bpf_do_misc_fixups (kernel/bpf/fixups.c), the parts bpfdiff's programs reach: division and
// modulo guards, array and hash map lookups inlined through map_gen_lookup
// (array_map_gen_lookup in kernel/bpf/arraymap.c, htab_map_gen_lookup in kernel/bpf/hashtab.c),
// bpf_get_smp_processor_id inlined on x86-64, and helper call immediates.
import { cover } from '../cover/sink.ts';
import type { CheckRuleId } from '../cover/rules.ts';
import type { RawInsn } from '../../isa/raw.ts';
import { BPF_ADDR_PERCPU, BPF_ALU, BPF_ALU64, BPF_CALL, BPF_DIV, BPF_JMP, BPF_JMP32, BPF_K, BPF_MOD, BPF_X } from '../../isa/index.ts';
import type { MapDecl } from '../../program/types.ts';
import { patchInsn, type XProg } from './xprog.ts';

const FUNC_MAP_LOOKUP_ELEM = 1;
const FUNC_GET_SMP_PROCESSOR_ID = 8;

const raw = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm });
const ja = (off: number) => raw(BPF_JMP | 0x00, 0, 0, off, 0);
const mov32Imm = (dst: number, imm: number) => raw(BPF_ALU | 0xb0 | BPF_K, dst, 0, 0, imm);
const mov32Reg = (dst: number, src: number) => raw(BPF_ALU | 0xb0 | BPF_X, dst, src, 0, 0);
const mov64Reg = (dst: number, src: number) => raw(BPF_ALU64 | 0xb0 | BPF_X, dst, src, 0, 0);

/** "Make divide-by-zero and divide-by-minus-one exceptions impossible" */
function divisionGuard(insn: RawInsn, REG_AX: number): RawInsn[] | undefined {
  const c = insn.code;
  const is64 = (c & 0x07) === BPF_ALU64;
  const alu = is64 ? BPF_ALU64 : BPF_ALU;
  const jmp = is64 ? BPF_JMP : BPF_JMP32;
  const o = c & 0xf0;
  if ((c & 0x07) !== BPF_ALU && (c & 0x07) !== BPF_ALU64) return undefined;
  if (o !== BPF_DIV && o !== BPF_MOD) return undefined;
  const isdiv = o === BPF_DIV;
  if ((c & BPF_X) === BPF_K) {
    // sdiv/smod by -1
    if (insn.off !== 1 || insn.imm !== -1) return undefined;
    return [isdiv ? raw(alu | 0x80 | BPF_K, insn.dst, 0, 0, 0) : mov32Imm(insn.dst, 0)];
  }
  const signed = insn.off === 1;
  if (signed && isdiv) {
    return [
      mov64Reg(REG_AX, insn.src), raw(alu | 0x00 | BPF_K, REG_AX, 0, 0, 1), raw(jmp | 0x20 | BPF_K, REG_AX, 0, 4, 1),
      raw(jmp | 0x10 | BPF_K, REG_AX, 0, 1, 0), raw(alu | 0xb0 | BPF_K, insn.dst, 0, 0, 0), raw(alu | 0x80 | BPF_K, insn.dst, 0, 0, 0),
      ja(1), insn,
    ];
  }
  if (signed) {
    const out = [
      mov64Reg(REG_AX, insn.src), raw(alu | 0x00 | BPF_K, REG_AX, 0, 0, 1), raw(jmp | 0x20 | BPF_K, REG_AX, 0, 3, 1),
      raw(jmp | 0x10 | BPF_K, REG_AX, 0, 3 + (is64 ? 0 : 1), 1), mov32Imm(insn.dst, 0), ja(1), insn,
    ];
    if (!is64) out.push(ja(1), mov32Reg(insn.dst, insn.dst));
    return out;
  }
  if (isdiv) return [raw(jmp | 0x50 | BPF_K, insn.src, 0, 2, 0), raw(BPF_ALU | 0xa0 | BPF_X, insn.dst, insn.dst, 0, 0), ja(1), insn];
  const out = [raw(jmp | 0x10 | BPF_K, insn.src, 0, 1 + (is64 ? 0 : 1), 0), insn];
  if (!is64) out.push(ja(1), mov32Reg(insn.dst, insn.dst));
  return out;
}

/** offsetof(struct bpf_array, value) per kernel: 0x130 on 7.2, 0x128 on 7.3 */
export interface MiscLayout {
  arrayValueOffset: number;
  /** BPF_REG_AX, the verifier's scratch register: MAX_BPF_REG + 1 once r11 is BPF_REG_PARAMS (7.2), MAX_BPF_REG before */
  regAx: number;
  /** offsetof(struct htab_elem, key) */
  htabElemKey: number;
  /**
   * (u32)&cpu_number, the per-CPU variable an inlined bpf_get_smp_processor_id reads: a
   * build constant, since the guests boot with nokaslr (read off the kernel's xlated dump).
   * The xlated comparison masks it; the JIT's encoding of the move depends on it.
   */
  cpuNumberAddr?: number;
}

/** map_gen_lookup for the map a lookup call was made with (root: bypass_spec_v1, no index mask) */
function mapGenLookup(map: MapDecl, L: MiscLayout, helperImm: number): RawInsn[] | undefined {
  if (map.type === 'array') {
    const elem = Math.ceil(map.valueSize / 8) * 8; // round_up(value_size, 8)
    const pow2 = (elem & (elem - 1)) === 0;
    return [
      raw(BPF_ALU64 | 0x00 | BPF_K, 1, 0, 0, L.arrayValueOffset),
      raw(0x61, 0, 2, 0, 0),
      raw(BPF_JMP | 0x30 | BPF_K, 0, 0, 3, map.maxEntries),
      pow2 ? raw(BPF_ALU64 | 0x60 | BPF_K, 0, 0, 0, Math.log2(elem)) : raw(BPF_ALU64 | 0x20 | BPF_K, 0, 0, 0, elem),
      raw(BPF_ALU64 | 0x00 | BPF_X, 0, 1, 0, 0),
      ja(1),
      raw(BPF_ALU64 | 0xb0 | BPF_K, 0, 0, 0, 0),
    ];
  }
  if (map.type === 'hash') {
    return [
      raw(BPF_JMP | BPF_CALL, 0, 0, 0, helperImm), // BPF_EMIT_CALL(__htab_map_lookup_elem): imm masked
      raw(BPF_JMP | 0x10 | BPF_K, 0, 0, 1, 0),
      raw(BPF_ALU64 | 0x00 | BPF_K, 0, 0, 0, L.htabElemKey + Math.ceil(map.keySize / 8) * 8),
    ];
  }
  return undefined;
}

/** the rule of a division guard divisionGuard gave for `insn` */
function guardRule(insn: RawInsn): CheckRuleId {
  if ((insn.code & BPF_X) === BPF_K) return 'do_misc_fixups:sdiv-by-minus-one';
  const div = (insn.code & 0xf0) === BPF_DIV;
  if (insn.off === 1) return div ? 'do_misc_fixups:sdiv-guard' : 'do_misc_fixups:smod-guard';
  return div ? 'do_misc_fixups:div-guard' : 'do_misc_fixups:mod-guard';
}

/**
 * One pass over the program as do_misc_fixups makes it. Returns false when it meets a rewrite
 * the model does not know (the prediction is then withheld).
 */
export function miscFixups(x: XProg, maps: readonly MapDecl[], L: MiscLayout): boolean {
  for (let i = 0; i < x.insns.length; i++) {
    const insn = x.insns[i]!;
    const guard = divisionGuard(insn, L.regAx);
    if (guard) {
      cover(guardRule(insn));
      i += patchInsn(x, i, guard, 'do_misc_fixups');
      continue;
    }
    if (insn.code !== (BPF_JMP | BPF_CALL) || insn.src !== 0) continue;
    if (insn.imm === FUNC_MAP_LOOKUP_ELEM) {
      const m = x.aux[i]!.callMap;
      if (m === undefined || m < 0) return false;
      const patch = mapGenLookup(maps[m]!, L, insn.imm);
      if (!patch) return false;
      cover(maps[m]!.type === 'array' ? 'array_map_gen_lookup:inlined' : 'htab_map_gen_lookup:inlined');
      i += patchInsn(x, i, patch, maps[m]!.type === 'array' ? 'array_map_gen_lookup' : 'htab_map_gen_lookup');
      continue;
    }
    if (insn.imm === FUNC_GET_SMP_PROCESSOR_ID) {
      if (L.cpuNumberAddr === undefined) return false;
      // BPF_MOV64_IMM(r0, &cpu_number); BPF_MOV64_PERCPU_REG(r0, r0); r0 = *(u32 *)(r0 + 0)
      cover('do_misc_fixups:smp-processor-id');
      const patch = [raw(BPF_ALU64 | 0xb0 | BPF_K, 0, 0, 0, L.cpuNumberAddr), raw(BPF_ALU64 | 0xb0 | BPF_X, 0, 0, BPF_ADDR_PERCPU, 0), raw(0x61, 0, 0, 0, 0)];
      i += patchInsn(x, i, patch, 'do_misc_fixups');
      continue;
    }
  }
  return true;
}
